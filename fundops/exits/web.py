"""The ``exits`` blueprint of the exit pages, its template filter and the helpers its
views share. The routes are in :mod:`fundops.exits.views`, which
:func:`fundops.exits.register` imports before registering the blueprint. Views are thin:
form → one service call → flash and redirect; a service's ``ValidationError`` lands on
its field (422), a ``ConflictError`` is shown as the refusal's reason (409), and nothing
is written on failure. Another organisation's objects are 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from fundops.errors import ConflictError, ValidationError
from fundops.exits import forms
from fundops.i18n import localise
from fundops.portfolio.web import attach_error

bp = Blueprint("exits", __name__)


@bp.app_template_filter("exit_label")
def _exit_label(value: object) -> str:
    return forms.label(value)


def exits_url(fund_id: int) -> str:
    return url_for("exits.fund_exits", fund_id=fund_id)


def run_form(form: FlaskForm, template: str, action: Callable[[], object], message: str,
             fund_id: int, aliases: dict[str, str] | None = None, **context: Any) -> Any:
    """Validate, run the one service call and redirect to the exits page; else re-render
    with the refusal (422 on a field, 409 for a conflict)."""
    if form.validate_on_submit():
        try:
            action()
        except ValidationError as exc:
            attach_error(form, exc, aliases)
        except ConflictError as exc:
            form.form_errors.append(localise(exc))
            return render_template(template, form=form, **context), 409
        else:
            flash(message, "success")
            return redirect(exits_url(fund_id))
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, **context), status
