"""Locale selection (zh_CN default, English one click away) and amount display units."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel import Locale
from babel.numbers import format_decimal
from flask import Flask, current_app, session
from flask_babel import get_locale
from flask_login import current_user

from fundops.extensions import babel

# Display units: how many yuan one displayed unit is, and the decimals shown.
UNITS: dict[str, tuple[Decimal, int]] = {
    "yuan": (Decimal(1), 2),
    "wan": (Decimal(10_000), 2),
    "yi": (Decimal(100_000_000), 4),
}
DEFAULT_UNIT = "wan"
# Parsed once: amounts use Western grouping (1,234,567.89) in both languages.
_NUMBER_LOCALE = Locale.parse("en")
_STEPS = {places: Decimal(1).scaleb(-places) for _divisor, places in UNITS.values()}


def select_locale() -> str:
    """The session's choice, then the user's saved preference, then zh_CN.

    The browser's Accept-Language is deliberately ignored: the product's default is
    Chinese, and English is one click away (the switch in the header).
    """
    languages: list[str] = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return str(chosen)
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return str(current_user.locale)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def current_unit() -> str:
    unit = session.get("unit", DEFAULT_UNIT)
    return unit if unit in UNITS else DEFAULT_UNIT


def format_money(
    amount: Decimal | None, currency: str | None = None, unit: str | None = None
) -> str:
    """Format an exact amount in the chosen display unit with thousands separators.

    Rounding (ROUND_HALF_UP) happens here, for display only; stored values are exact.
    The text is Python's exact Decimal formatting with ``,`` grouping, which is what
    Babel's ``#,##0.00`` pattern gives in the ``en`` number locale (a test holds the two
    equal), at a tenth of the cost: a page shows hundreds of amounts.
    """
    if amount is None:
        return "—"
    divisor, places = UNITS[unit or current_unit()]
    shown = (amount / divisor).quantize(_STEPS[places], rounding=ROUND_HALF_UP)
    return f"{shown:,.{places}f}"


def unit_label(unit: str | None = None) -> str:
    from flask_babel import gettext

    labels = {"yuan": gettext("yuan"), "wan": gettext("10k yuan"), "yi": gettext("100m yuan")}
    return labels[unit or current_unit()]


def _shown_param(value: Any) -> str:
    """One message parameter as a page shows it: amounts in the page's unit with the unit
    label (and the currency when it is not CNY), dates in ISO form, enums by label."""
    from datetime import date
    from enum import Enum

    from flask_babel import gettext

    from fundops.money import Money

    if isinstance(value, Money):
        if _for_machines():  # the API gives exact amounts: a client recomputes with them
            return f"{value.amount:f} {value.currency}"
        text = f"{format_money(value.amount)} {unit_label()}"
        return text if value.currency == "CNY" else f"{text} {value.currency}"
    if isinstance(value, Decimal):
        return str(format_decimal(value, locale=_NUMBER_LOCALE))
    if isinstance(value, Enum):
        labels = ENUM_LABELS.get(type(value), {})
        return str(labels.get(value.value, value.value))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return gettext(value) if value in _TRANSLATABLE_PARAMS else value
    return str(value)


# Translated labels of enum members, registered by the features' form modules.
ENUM_LABELS: dict[type, Any] = {}


def register_enum_labels(labels: dict[type, Any]) -> None:
    """Let message params that are enum members show their translated label."""
    ENUM_LABELS.update(labels)


# Param values that are themselves words of the interface (e.g. a field or role name).
_TRANSLATABLE_PARAMS: set[str] = set()


def _for_machines() -> bool:
    from flask import has_request_context, request

    return has_request_context() and request.path.startswith("/api/")


def localise_message(template: str, params: dict[str, Any] | None = None) -> str:
    """Translate ``template`` (an English msgid) and fill in ``params`` for the page."""
    from flask_babel import gettext

    text = gettext(template) if template else ""
    if not params:
        return text.replace("%%", "%")
    try:
        return text % {k: _shown_param(v) for k, v in params.items()}
    except (KeyError, TypeError, ValueError):
        return text


def localise(exc: Any) -> str:
    """The translated text of a :class:`fundops.errors.DomainError` for the page."""
    from fundops.errors import ConfirmationRequired, ValidationErrors

    if isinstance(exc, ValidationErrors):
        return "; ".join(localise(e) for e in exc.errors)
    if isinstance(exc, ConfirmationRequired):
        from fundops.messages import MESSAGES

        return "; ".join(localise_message(MESSAGES.get(c, c), p) for c, p in exc.warnings)
    return localise_message(getattr(exc, "template", str(exc)), getattr(exc, "params", {}))


def init_app(app: Flask) -> None:
    from fundops.web import form_i18n

    babel.init_app(app, locale_selector=select_locale)
    form_i18n.install()

    @app.context_processor
    def _inject() -> dict[str, Any]:
        return {
            "current_locale": str(get_locale()),
            "current_unit": current_unit(),
            "unit_label": unit_label,
            "units": list(UNITS),
        }

    app.jinja_env.filters["money"] = money_filter


def money_filter(
    amount: Decimal | None, currency: str | None = None, unit: str | None = None
) -> str:
    """The pages' ``money`` filter: :func:`format_money`, carrying the exact amount in yuan
    into a table's Excel download (:func:`fundops.web.figures.figure`)."""
    from fundops.web.figures import figure

    unit = unit or current_unit()
    return figure(format_money(amount, currency, unit), amount, unit)
