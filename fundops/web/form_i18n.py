"""WTForms' own messages in the page's language: the app's catalogue first, then WTForms'.

WTForms ships a Chinese catalogue that lacks a few messages (e.g. "'x' is not a valid
choice for this field."), and sub-forms built with plain ``wtforms.Form`` (a
``FormField`` line) get no translations at all. :func:`install` gives every form, in a
request, a translator that looks the message up in ``fundops/translations`` first and
falls back to WTForms' catalogue (Flask-WTF's loader), so no built-in validator message
stays English on a Chinese page.
"""

from __future__ import annotations

from typing import Any

from flask import has_request_context


class FormTranslations:
    """``gettext``/``ngettext`` for WTForms: the app's catalogue, then WTForms' own."""

    def gettext(self, string: str) -> str:
        if not has_request_context():
            return string
        from flask_babel import get_translations

        own = str(get_translations().ugettext(string))
        if own != string:
            return own
        return str(_wtforms().gettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if not has_request_context():
            return singular if n == 1 else plural
        from flask_babel import get_translations

        own = str(get_translations().ungettext(singular, plural, n))
        if own not in (singular, plural):
            return own
        return str(_wtforms().ngettext(singular, plural, n))


def _wtforms() -> Any:
    from flask_wtf.i18n import translations

    return translations


TRANSLATIONS = FormTranslations()


def install() -> None:
    """Route every WTForms form's messages (FlaskForm and plain sub-forms) through
    :data:`TRANSLATIONS` (idempotent)."""
    from flask_wtf import FlaskForm
    from wtforms.meta import DefaultMeta

    def get_translations(self: Any, form: Any) -> FormTranslations:
        return TRANSLATIONS

    FlaskForm.Meta.get_translations = get_translations
    DefaultMeta.get_translations = get_translations  # type: ignore[method-assign]
