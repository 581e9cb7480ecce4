"""The ``portfolio`` blueprint, its template filter and the helpers its pages share:
attaching a service's error to its field, and the validate -> service -> redirect cycle.

The routes are in ``views.py`` (funds, LPs, commitments, companies) and
``ledger_views.py`` (ledger entries and valuations); each imports ``bp`` from here and
:func:`fundops.portfolio.register` imports both before registering the blueprint. Views
are thin: form -> service -> flash and redirect. They never commit; a service's
``ValidationError`` is attached to the form field it names and the form comes back with
status 422, having written nothing. Other organisations' objects are 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from fundops.auth.current import current_actor
from fundops.errors import ConflictError, ValidationError
from fundops.i18n import localise
from fundops.portfolio import forms
from fundops.portfolio.access import get_fund
from fundops.portfolio.field_labels import labelled_error
from fundops.portfolio.models import Fund

bp = Blueprint("portfolio", __name__)


@bp.app_template_filter("enum_label")
def _enum_label(value: object, enum_name: str | None = None) -> str:
    return forms.label(value, enum_name)


def fund_url(fund_id: int) -> str:
    """The fund page's URL."""
    return url_for("portfolio.fund_detail", fund_id=fund_id)


def attach_error(form: FlaskForm, exc: ValidationError,
                 aliases: dict[str, str] | None = None) -> None:
    """Show a service error (translated) on the field it names, or at the top of the form
    under a translated label of that field — never under its internal name."""
    name = (aliases or {}).get(exc.field, exc.field)
    field = form._fields.get(name)
    if field is not None and name != "csrf_token":
        field.errors = [*field.errors, localise(exc)]
    else:
        form.form_errors.append(labelled_error(exc))


def handle_form(form: FlaskForm, template: str, action: Callable[[], str], message: str,
                aliases: dict[str, str] | None = None, **context: Any) -> Any:
    """Validate, run ``action`` (which returns where to go next) and redirect; else re-render."""
    if form.validate_on_submit():
        try:
            target = action()
        except ValidationError as exc:
            attach_error(form, exc, aliases)
        except ConflictError as exc:  # e.g. a duplicate reference: the form stays, with why
            form.form_errors.append(localise(exc))
            response = render_template(template, form=form, **context)
            return response, 409
        else:
            flash(message, "success")
            return redirect(target)
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, **context), status


def writable_fund(fund_id: int) -> Fund:
    """The fund, if the current user may post to it (else 404)."""
    return get_fund(current_actor(), fund_id, write=True)[0]
