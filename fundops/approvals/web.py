"""Page side of :func:`fundops.approvals.services.submit` for the existing form views.

:func:`submit_form` replaces a direct service call in a view: it reads the ``confirm``
box and ``confirm_reason`` of the posted form, and when the post is not done yet it ends
the request itself (``abort`` with a ready response): plausibility warnings → the
confirmation page (409) that re-posts the same fields with the box and the reason; held
for approval → a flash and a redirect to the approval item. Otherwise it returns the
service's result and the view carries on as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import abort

from fundops.approvals import services
from fundops.errors import ConfirmationRequired, ValidationError
from fundops.i18n import localise, localise_message
from fundops.messages import MESSAGES
from fundops.uow import Actor

_CONFIRM_FIELDS = frozenset({"confirm", "confirm_reason", "csrf_token"})


def _checked(value: object) -> bool:
    return str(value or "").strip().lower() in {"1", "y", "yes", "on", "true"}


def confirmation_page(warnings: list[tuple[str, dict[str, Any]]], error: str = "") -> Any:
    """The warnings, the posted fields (hidden) and the confirm box + reason: 409."""
    shown = [localise_message(MESSAGES.get(code, code), params) for code, params in warnings]
    fields = [(k, v) for k, v in request.form.items(multi=True) if k not in _CONFIRM_FIELDS]
    html = render_template("approvals/confirm.html", warnings=shown, fields=fields,
                           action_url=request.full_path.rstrip("?"), error=error,
                           reason=request.form.get("confirm_reason", ""))
    return make_response(html, 409)


def submit_form(actor: Actor, action: str, payload: Mapping[str, Any]) -> Any:
    """Submit from a page form; returns the posted result, or ends the request."""
    try:
        outcome = services.submit(actor, action, payload,
                                  confirm=_checked(request.form.get("confirm")),
                                  confirm_reason=request.form.get("confirm_reason", ""))
    except ConfirmationRequired as exc:
        abort(confirmation_page(exc.warnings))
    except ValidationError as exc:
        if exc.field != "confirm_reason":
            raise
        prepared = services.get_action(action).prepare(actor, payload)
        abort(confirmation_page(prepared.warnings, localise(exc)))
    if services.is_held(outcome):
        flash(_("Submitted for approval: a second person must approve it before it is posted."),
              "success")
        abort(redirect(url_for("approvals.detail", request_id=outcome.id)))
    return outcome
