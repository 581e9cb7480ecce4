"""Messages of the web feature: code → English template (see :mod:`fundops.messages`)."""

from __future__ import annotations

from fundops.messages.marker import N_

MESSAGES: dict[str, str] = {
    # request hygiene and security
    "text_nul": N_("%(name)s contains a NUL character, which no text may contain."),
    "text_surrogate": N_("%(name)s contains an unpaired surrogate, which is not valid "
                         "Unicode text."),
    "text_not_utf8": N_("%(name)s is not valid UTF-8 text."),
    "json_too_deep": N_("The JSON body is nested more than %(limit)s levels deep."),
    "json_body_too_large": N_("The JSON body is larger than %(limit)s."),
    # form tokens
    "form_token_missing": N_("This form lacks its one-time token, or the token belongs to "
                             "another user: reload the page and submit the form again."),
    "form_already_submitted": N_("This form was already submitted; showing its result."),
}
