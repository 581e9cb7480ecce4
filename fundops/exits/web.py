"""The ``exits`` blueprint of the exit pages and the helpers its views share.

The routes are in the view modules (``ipo_views.py``: listings, sales, in-kind
distributions, marks, prices); each imports ``bp`` from here and
:func:`fundops.exits.register` imports them before registering the blueprint, so no view
module imports its importer. Views are thin: form -> one service call -> flash and
redirect. A service's ``ValidationError`` lands on the field it names (422), a
``ConflictError`` is shown as the refusal's reason (409); nothing is written on failure.
Objects outside the caller's reach are 404.
"""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint
from flask_wtf import FlaskForm

from fundops.errors import ValidationError
from fundops.i18n import localise
from fundops.portfolio.field_labels import labelled_error

bp = Blueprint("exits", __name__)


@bp.app_template_filter("shares")
def format_shares(value: Decimal | None) -> str:
    """A share count with thousands separators (whole shares; '—' for None)."""
    if value is None:
        return "—"
    return f"{value.normalize():,f}"


def attach_error(form: FlaskForm, exc: ValidationError,
                 aliases: dict[str, str] | None = None) -> None:
    """Show a service error on the field it names, or at the top of the form under the
    field's translated label."""
    name = (aliases or {}).get(exc.field, exc.field)
    field = form._fields.get(name)
    if field is not None and name != "csrf_token":
        field.errors = [*field.errors, localise(exc)]
    else:
        form.form_errors.append(labelled_error(exc))
