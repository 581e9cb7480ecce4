"""A company field that stays small at any portfolio size: the person types the company's
unified social credit code or exact registered name (or its record number), or picks one
of a few suggestions (an HTML ``<datalist>``: no script, no external asset), with a link
to the company list to look one up. The view fills the suggestions and resolves what was
typed with :func:`chosen_company`, which names the field in its error.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import html_params

from fundops.errors import ValidationError
from fundops.portfolio.access import company_pickable_clause
from fundops.portfolio.company_choice import (
    MATCHES_SHOWN,
    CompanyOption,
    Scope,
    Typed,
    classify,
    find_companies,
    options_for,
)
from fundops.uow import Actor

MAX_TYPED = 200


class CompanyChooser:
    """Renders a text input tied to a ``<datalist>`` of the field's ``options``, a hint,
    and a link to the company list (opening in a new tab, searching for what was typed)."""

    def __call__(self, field: CompanyChoiceField, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        list_id = f"{field.id}-options"
        attrs = Markup(html_params(  # noqa: S704 - html_params escapes every value
            name=field.name, type="text", value=field.data or "", list=list_id,
            autocomplete="off", maxlength=MAX_TYPED, placeholder=_("Credit code or exact name"),
            **{"aria-describedby": f"{field.id}-hint"}, **kwargs))
        options = Markup("").join(
            Markup('<option value="{}">{}</option>').format(o.value, o.label)
            for o in field.options)
        href = url_for("portfolio.company_list", q=field.data or None)
        return Markup(
            '<input {attrs}><datalist id="{list_id}">{options}</datalist>'
            '<small class="hint" id="{id}-hint">{hint} '
            '<a href="{href}" target="_blank" rel="noopener" id="{id}-lookup">{look}</a></small>'
        ).format(attrs=attrs, list_id=list_id, options=options, id=field.id,
                 hint=_("Type the 18-character unified social credit code or the exact "
                        "registered name, or pick a suggestion."),
                 href=href, look=_("Look up a company"))


class CompanyChoiceField(StringField):
    """A company typed by credit code, exact name or record number; ``data`` is the text
    (surrounding blanks removed) or None. ``options`` (:class:`CompanyOption`) are the
    suggestions the view offers. Resolve it with :func:`chosen_company`."""

    widget = CompanyChooser()

    def __init__(self, label: Any = None, validators: Any = None, *, required: bool = False,
                 **kwargs: Any) -> None:
        checks = [DataRequired() if required else Optional(), Length(max=MAX_TYPED)]
        super().__init__(label, validators or checks, **kwargs)
        self.required = required
        self.options: list[CompanyOption] = []

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = str(valuelist[0]).strip() if valuelist else ""
        self.data = text or None


def chosen_company(actor: Actor, field: CompanyChoiceField,
                   scope: Scope = company_pickable_clause) -> int | None:
    """The id of the company typed in ``field`` among the records the actor's organisation
    may use (``scope``; by default those it may pick for a new entry), or None when nothing
    (or "0") was typed in a field that is not ``required``.

    Raises ``ValidationError(field.name, ...)``: ``company_choice_unknown`` when no such
    record is usable — one that exists in another organisation is refused the same way, so
    its existence is not revealed — and ``company_choice_ambiguous`` when several are (a name
    shared by companies, or a code several organisations' records carry); the matching
    records then become the field's suggestions, by record number.
    """
    typed, _key = classify(field.data)
    text = field.data or ""
    label = str(field.label.text)
    if typed is Typed.NOTHING and not field.required:
        return None
    found = find_companies(actor.organisation_id, text, scope)
    if not found:
        raise ValidationError(field.name, "company_choice_unknown", label=label, text=text)
    if len(found) > 1:
        field.options = options_for(found[:MATCHES_SHOWN], by_number=True)
        count = str(len(found)) if len(found) <= MATCHES_SHOWN else f"{MATCHES_SHOWN}+"
        raise ValidationError(field.name, "company_choice_ambiguous", label=label, text=text,
                              count=count)
    return found[0].id


def company_field(text: Any = None, *, required: bool = False) -> CompanyChoiceField:
    """A company field labelled ``text`` (default "Company")."""
    return CompanyChoiceField(text if text is not None else _l("Company"), required=required)


__all__ = ["CompanyChoiceField", "CompanyChooser", "chosen_company", "company_field"]
