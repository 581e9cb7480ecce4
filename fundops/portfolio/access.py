"""Tenant scoping: which funds and companies an organisation may see, and how.

A fund is visible to its managing organisation with ``MANAGER`` access, and to an
organisation whose own fund is an LP of it (fund-of-funds) with ``LP`` access: the LP
sees the fund's terms, NAV, holdings and its own position, not other LPs' details.
Anything else is reported as not found (HTTP 404), never as forbidden.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from fundops.errors import Forbidden, NotFound
from fundops.extensions import db
from fundops.portfolio.ledger import Investment
from fundops.portfolio.models import Commitment, Company, Fund, Investor
from fundops.roles import WRITER_ROLES
from fundops.uow import Actor


class Access(enum.StrEnum):
    MANAGER = "manager"
    LP = "lp"


def lp_fund_ids(organisation_id: int) -> sa.Select[int]:
    """Funds in which one of the organisation's own funds holds a commitment."""
    own = sa.select(Fund.id).where(Fund.organisation_id == organisation_id)
    return (
        sa.select(Commitment.fund_id)
        .join(Investor, Investor.id == Commitment.investor_id)
        .where(Investor.fund_id.in_(own))
    )


def visible_fund_ids(organisation_id: int) -> sa.Select[int]:
    """Ids of every fund the organisation may see (managed or LP of)."""
    managed = sa.select(Fund.id).where(Fund.organisation_id == organisation_id)
    return sa.union(managed, lp_fund_ids(organisation_id)).subquery().select()


def fund_access(organisation_id: int, fund: Fund) -> Access | None:
    if fund.organisation_id == organisation_id:
        return Access.MANAGER
    hit = db.session.scalar(
        lp_fund_ids(organisation_id).where(Commitment.fund_id == fund.id).limit(1)
    )
    return Access.LP if hit is not None else None


def get_fund(actor: Actor, fund_id: int, *, write: bool = False) -> tuple[Fund, Access]:
    """Load a fund the actor may see; ``write`` requires managing it and a writer role."""
    fund = db.session.get(Fund, fund_id)
    access = fund_access(actor.organisation_id, fund) if fund is not None else None
    if fund is None or access is None:
        raise NotFound("fund_not_found", fund_id=fund_id)
    if write:
        if access is not Access.MANAGER:
            raise NotFound("fund_not_found", fund_id=fund_id)
        require_writer(actor)
    return fund, access


def require_writer(actor: Actor) -> None:
    if actor.role not in WRITER_ROLES:
        raise Forbidden("role_read_only")


def list_funds(actor: Actor) -> list[Fund]:
    ids = visible_fund_ids(actor.organisation_id)
    return list(
        db.session.scalars(sa.select(Fund).where(Fund.id.in_(ids)).order_by(Fund.code, Fund.id))
    )


def get_investor(actor: Actor, investor_id: int) -> Investor:
    investor = db.session.get(Investor, investor_id)
    if investor is None or investor.organisation_id != actor.organisation_id:
        raise NotFound("investor_not_found", investor_id=investor_id)
    return investor


CompanyReach = Callable[[int, int | None], sa.Select[int]]
"""Ids of the companies an organisation reaches through another feature: called with the
organisation's id and optionally one company's id (then only that company, if reached)."""
_company_reach: list[CompanyReach] = []


def add_company_reach(reach: CompanyReach) -> None:
    """Let another feature make companies visible (idempotent).

    Portfolio imports no other feature, so a feature that shows companies to more
    organisations registers how here: syndication adds the companies of term sheets in
    whose syndicate one of the organisation's funds is (:func:`fundops.syndication.register`).
    """
    if reach not in _company_reach:
        _company_reach.append(reach)


def company_visible(actor: Actor, company: Company) -> bool:
    if company.created_by_organisation_id == actor.organisation_id:
        return True
    ids = visible_fund_ids(actor.organisation_id)
    hit = db.session.scalar(
        sa.select(Investment.id)
        .where(Investment.company_id == company.id, Investment.fund_id.in_(ids))
        .limit(1)
    )
    if hit is not None:
        return True
    return any(db.session.scalar(reach(actor.organisation_id, company.id).limit(1)) is not None
               for reach in _company_reach)


def get_company(actor: Actor, company_id: int) -> Company:
    company = db.session.get(Company, company_id)
    if company is None or not company_visible(actor, company):
        raise NotFound("company_not_found", company_id=company_id)
    return company


def company_visible_clause(organisation_id: int) -> sa.ColumnElement[bool]:
    """SQL condition on :class:`Company`: the records the organisation may see — its own,
    those a fund it may see invested in, and those another feature lets it reach.

    The investment test is a correlated ``EXISTS`` (indexed by company), so a condition that
    narrows the companies first (one id, one credit code) stays a few index look-ups."""
    ids = visible_fund_ids(organisation_id)
    invested = sa.exists().where(Investment.company_id == Company.id,
                                 Investment.fund_id.in_(ids))
    return sa.or_(
        Company.created_by_organisation_id == organisation_id,
        invested,
        *(Company.id.in_(reach(organisation_id, None)) for reach in _company_reach),
    )


def company_pickable_clause(organisation_id: int) -> sa.ColumnElement[bool]:
    """SQL condition on :class:`Company`: the records the organisation may pick for a new
    entry — the visible ones, except that where it has its own record of a company only
    that one counts (another organisation's record of it stays out)."""
    own = aliased(Company)
    own_identities = sa.select(own.identity_id).where(
        own.created_by_organisation_id == organisation_id)
    return sa.and_(
        company_visible_clause(organisation_id),
        sa.or_(Company.created_by_organisation_id == organisation_id,
               Company.identity_id.not_in(own_identities)),
    )


def companies_query(actor: Actor) -> sa.Select[Company]:
    """The companies ``actor`` may see (:func:`company_visible_clause`), by name."""
    return (sa.select(Company).where(company_visible_clause(actor.organisation_id))
            .order_by(Company.name))


def list_companies(actor: Actor) -> list[Company]:
    return list(db.session.scalars(companies_query(actor)))
