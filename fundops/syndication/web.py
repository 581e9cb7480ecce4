"""The ``syndication`` blueprint of the linked-loan pages, its template filters and the
helpers its views share.

The routes are in ``term_sheets/views.py`` (GP side), ``loans/views.py`` and
``loans/event_views.py`` (bank side) and ``pools/views.py`` (risk pools); each imports
``bp`` from here, and :func:`fundops.syndication.register` imports them before the
blueprint is registered, so no view module imports another's importer. Views are thin:
form -> service -> flash and redirect. A service's ``ValidationError`` lands on the field
it names (422), a ``ConflictError`` is shown as the refusal's reason (409), and in both
cases nothing is written. Objects outside the caller's reach are 404.
"""

from __future__ import annotations

from flask import Blueprint, request
from flask_wtf import FlaskForm

from fundops.errors import ValidationError
from fundops.i18n import localise
from fundops.syndication import texts
from fundops.syndication.fields import BINDING_LABELS, label

bp = Blueprint("syndication", __name__)
bp.add_app_template_filter(texts.system_text, "system_text")
bp.add_app_template_filter(texts.loan_flag, "loan_flag")


@bp.app_template_filter("syn_label")
def _syn_label(value: object, enum_name: str | None = None) -> str:
    return label(value, enum_name)


@bp.app_template_filter("binding_label")
def _binding_label(term: str) -> str:
    """Which term of ``min(cap, α × arrived, β × post-money)`` binds, translated."""
    return str(BINDING_LABELS.get(term, term))


def attach_error(form: FlaskForm, exc: ValidationError) -> None:
    """Show a service error on the field it names, or at the top of the form."""
    field = form._fields.get(exc.field)
    if field is not None and exc.field != "csrf_token":
        field.errors = [*field.errors, localise(exc)]
    else:
        form.form_errors.append(localise(exc))


def form_status() -> int:
    """The status of a page that shows a form: 422 when it answers a refused post."""
    return 422 if request.method == "POST" else 200
