"""Finding a company record from what a person types, and the short lists a form offers.

A company is chosen by its unified social credit code (18 characters), its exact
registered name, or its record number (the number in its page's address). Only the records
the organisation may use count (:func:`fundops.portfolio.access.company_pickable_clause`,
or another scope the caller gives): anything else is "not found", exactly like a record that
does not exist. Every lookup is one indexed query, whatever the size of the portfolio; the
lists offered beside a field are capped, and the company list pages on the server.
Reads only.
"""

from __future__ import annotations

import enum
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from typing import NamedTuple

import sqlalchemy as sa

from fundops.extensions import db
from fundops.identifiers import USCC_ALPHABET, USCC_LENGTH
from fundops.portfolio.access import company_pickable_clause
from fundops.portfolio.ledger import Investment
from fundops.portfolio.models import Company, CompanyIdentity, Fund

Scope = Callable[[int], sa.ColumnElement[bool]]
"""The records an organisation may choose from, as an SQL condition on ``Company``."""

HELD_SHOWN = 200
"""At most this many of the fund's holdings are offered (its latest investments first)."""
RECENT_SHOWN = 50
"""The organisation's most recently registered companies offered for a new investment."""
MATCHES_SHOWN = 20
"""Records offered after an ambiguous entry (by their record number)."""
class Typed(enum.StrEnum):
    """What a person typed into a company field."""

    NOTHING = "nothing"
    NUMBER = "number"  # a record number
    CODE = "code"  # a unified social credit code
    NAME = "name"  # an exact registered name


class CompanyOption(NamedTuple):
    """One suggestion: ``value`` goes into the field (the credit code, or the record number
    where two suggested records share a code), ``label`` is what the person reads."""

    value: str
    label: str


def classify(text: str | None) -> tuple[Typed, str]:
    """What ``text`` is and its normalised key: blank or "0" is nothing; digits shorter
    than a credit code are a record number; 18 code characters (full-width and lower case
    accepted, spaces ignored) are a credit code; anything else is a name, compared exactly
    (only the surrounding blanks removed)."""
    raw = (text or "").strip()
    folded = unicodedata.normalize("NFKC", raw).replace(" ", "").upper()
    if not raw or folded == "0":
        return Typed.NOTHING, ""
    if folded.isascii() and folded.isdigit() and len(folded) < USCC_LENGTH:
        return Typed.NUMBER, str(int(folded))
    if len(folded) == USCC_LENGTH and all(ch in USCC_ALPHABET for ch in folded):
        return Typed.CODE, folded
    return Typed.NAME, raw


def find_companies(organisation_id: int, text: str | None,
                   scope: Scope = company_pickable_clause,
                   limit: int = MATCHES_SHOWN + 1) -> list[Company]:
    """The records in the organisation's ``scope`` that ``text`` designates (by record
    number, credit code or exact name; see :func:`classify`), at most ``limit``, by name
    and number. Nothing typed: no records."""
    typed, key = classify(text)
    if typed is Typed.NOTHING:
        return []
    if typed is Typed.NUMBER:
        match: sa.ColumnElement[bool] = Company.id == int(key)
    elif typed is Typed.CODE:
        identity = sa.select(CompanyIdentity.id).where(CompanyIdentity.uscc == key)
        match = Company.identity_id.in_(identity)
    else:
        match = Company.name == key
    return list(db.session.scalars(
        sa.select(Company).where(match, scope(organisation_id))
        .order_by(Company.name, Company.id).limit(limit)))


def held_companies(organisation_id: int, fund_id: int | None,
                   scope: Scope = company_pickable_clause,
                   limit: int = HELD_SHOWN) -> list[Company]:
    """The companies the fund invested in (``fund_id`` None: any fund the organisation
    manages), within the scope, latest investment first."""
    funds = (Investment.fund_id == fund_id if fund_id is not None else Investment.fund_id.in_(
        sa.select(Fund.id).where(Fund.organisation_id == organisation_id)))
    latest = (sa.select(Investment.company_id, sa.func.max(Investment.id).label("last"))
              .where(funds).group_by(Investment.company_id).subquery())
    return list(db.session.scalars(
        sa.select(Company).join(latest, latest.c.company_id == Company.id)
        .where(scope(organisation_id)).order_by(latest.c.last.desc()).limit(limit)))


def recent_companies(organisation_id: int, limit: int = RECENT_SHOWN) -> list[Company]:
    """The organisation's own company records, most recently registered first."""
    return list(db.session.scalars(
        sa.select(Company).where(Company.created_by_organisation_id == organisation_id)
        .order_by(Company.created_at.desc(), Company.id.desc()).limit(limit)))


def options_for(companies: Sequence[Company], *, by_number: bool = False) -> list[CompanyOption]:
    """Suggestions for ``companies`` (duplicates dropped, order kept): each offers its
    credit code, unless ``by_number`` or another suggested record shares the code — then
    its record number, with the sector in the label to tell the records apart."""
    unique = list({c.id: c for c in companies}.values())
    codes = Counter(c.uscc for c in unique)
    out = []
    for c in unique:
        if by_number or codes[c.uscc] > 1:
            out.append(CompanyOption(str(c.id), f"{c.name} · {c.uscc} · {c.sector} · #{c.id}"))
        else:
            out.append(CompanyOption(c.uscc, c.name))
    return out


def fund_options(organisation_id: int, fund_id: int | None, *, recent: bool,
                 scope: Scope = company_pickable_clause) -> list[CompanyOption]:
    """What a form offers: the companies the fund holds (``fund_id`` None: the funds the
    organisation manages) and, if ``recent`` (a new investment), the organisation's latest
    registered companies after them."""
    companies = held_companies(organisation_id, fund_id, scope)
    if recent:
        companies += recent_companies(organisation_id)
    return options_for(companies)


def _like(text: str) -> str:
    """``text`` as a LIKE pattern matching itself anywhere (``\\`` escapes the wildcards)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_clause(text: str) -> sa.ColumnElement[bool]:
    """Companies whose name contains ``text`` or whose credit code contains it (case and
    full-width folded; LIKE wildcards in ``text`` match only themselves)."""
    code = unicodedata.normalize("NFKC", text).replace(" ", "").upper()
    return sa.or_(Company.name.like(_like(text), escape="\\"),
                  Company.uscc.like(_like(code), escape="\\"))


__all__ = [
    "HELD_SHOWN", "MATCHES_SHOWN", "RECENT_SHOWN", "CompanyOption", "Scope", "Typed",
    "classify", "find_companies", "fund_options", "held_companies", "options_for",
    "recent_companies", "search_clause",
]
