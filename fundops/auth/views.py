"""Log in and out, and per-session preferences (language, amount unit)."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length

from fundops.auth.throttle import LoginThrottled, authenticate
from fundops.i18n import UNITS, localise
from fundops.uow import unit_of_work

bp = Blueprint("auth", __name__)
log = logging.getLogger("fundops.auth")


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    submit = SubmitField(_l("Log in"))


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for POST buttons."""


def _safe_next(target: str | None) -> str:
    if target and urlsplit(target).netloc == "" and target.startswith("/"):
        return target
    return url_for("portfolio.fund_list")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    if form.validate_on_submit():
        email, password = form.email.data, form.password.data
        assert email is not None and password is not None  # DataRequired
        try:
            user = authenticate(email, password, request.remote_addr or "")
        except LoginThrottled as exc:
            flash(localise(exc), "error")
            return render_template("auth/login.html", form=form), 429, {"Retry-After": str(
                60 * int(exc.params.get("minutes", 1)))}
        if user is not None:
            session.clear()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        flash(_l("Wrong email or password."), "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Any:
    if EmptyForm().validate_on_submit():
        with unit_of_work():
            # Invalidates every other cookie of this user as well.
            current_user.session_version += 1
        log.info("logout", extra={"event": "logout", "user_id": current_user.id,
                                  "ip": request.remote_addr})
        logout_user()
        session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/preferences", methods=["POST"])
def preferences() -> Any:
    """Set the display language or amount unit for this session."""
    if EmptyForm().validate_on_submit():
        lang = request.form.get("lang")
        if lang in ("zh_CN", "en"):
            session["lang"] = lang
        unit = request.form.get("unit")
        if unit in UNITS:
            session["unit"] = unit
    return redirect(_safe_next(request.form.get("next")))
