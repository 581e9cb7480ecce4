"""Messages of the auth feature: code → English template (see :mod:`fundops.messages`)."""

from __future__ import annotations

from fundops.messages.marker import N_

MESSAGES: dict[str, str] = {
    "login_throttled": N_("Too many failed log-in attempts; try again in %(minutes)s "
                          "minutes."),
    "org_kind_invalid": N_("'%(value)s' is not an organisation kind"),
    "role_invalid": N_("'%(value)s' is not a role"),
    "password_too_short": N_("must have at least %(min_len)s characters"),
    "email_taken": N_("%(email)s is already registered"),
    "user_unknown": N_("no user %(email)s"),
}
