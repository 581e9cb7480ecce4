"""Use cases for funds, stages, investors, commitments and companies.

Each public function validates its input, writes through one unit of work (one commit)
and one audit event, and raises :class:`~fundops.errors.ValidationError` naming the
field on bad input, having written nothing. Amounts are yuan (or the fund currency)
with at most 2 decimal places, never rounded silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from fundops.audit import lock_write_order
from fundops.audit import record_by as _audit
from fundops.auth.models import Organisation
from fundops.errors import ConflictError, NotFound, ValidationError
from fundops.extensions import db
from fundops.identifiers import validate_uscc
from fundops.money import parse_amount, validate_currency
from fundops.portfolio.access import get_fund, get_investor, require_writer
from fundops.portfolio.companies import identity_for
from fundops.portfolio.enums import CompanyStage, CompanyTag, FundKind, FundStage, InvestorType
from fundops.portfolio.models import (
    Commitment,
    Company,
    CompanyTagLink,
    Fund,
    FundStageChange,
    Investor,
)
from fundops.uow import Actor, lock_row, unit_of_work
from fundops.validation import (  # noqa: F401  (re-exported: other modules import them here)
    MAX_ROW_ID,
    parse_bool,
    parse_enum,
    require_date,
    require_id,
    require_int,
    require_text,
    validate_region,
)

_CODE_RE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")


@dataclass(frozen=True, slots=True)
class FundInput:
    """Fields of a new fund, as typed by a user or read from an import."""

    code: str
    name_zh: str
    kind: str
    currency: str
    vintage: int
    target_size_amount: object
    inception_on: object
    investment_period_end_on: object
    term_end_on: object
    region_code: str
    name_en: str | None = None
    extension_end_on: object | None = None
    stage: str = FundStage.RAISING.value
    registration_no: str | None = None
    is_guidance_fund: bool = False


def create_fund(actor: Actor, data: FundInput) -> Fund:
    """Create a fund managed by the actor's organisation, at its initial stage."""
    require_writer(actor)
    code = str(data.code or "").strip()
    if not _CODE_RE.match(code):
        raise ValidationError("code", "fund_code_shape")
    inception = require_date(data.inception_on, "inception_on")
    inv_end = require_date(data.investment_period_end_on, "investment_period_end_on")
    term_end = require_date(data.term_end_on, "term_end_on")
    ext_end = (
        require_date(data.extension_end_on, "extension_end_on") if data.extension_end_on else None
    )
    if inv_end < inception:
        raise ValidationError("investment_period_end_on", "before_inception")
    if term_end < inv_end:
        raise ValidationError("term_end_on", "before_investment_period_end")
    if ext_end is not None and ext_end < term_end:
        raise ValidationError("extension_end_on", "before_term_end")
    try:
        vintage = int(data.vintage)
    except (TypeError, ValueError):
        raise ValidationError("vintage", "not_a_year", value=data.vintage) from None
    if not 1980 <= vintage <= 2100:
        raise ValidationError("vintage", "vintage_implausible", value=vintage)
    fund = Fund(
        organisation_id=actor.organisation_id,
        code=code,
        name_zh=require_text(data.name_zh, "name_zh"),
        name_en=(data.name_en or "").strip() or None,
        kind=parse_enum(FundKind, data.kind, "kind"),
        currency=validate_currency(data.currency),
        vintage=vintage,
        target_size_amount=parse_amount(data.target_size_amount, "target_size_amount"),
        inception_on=inception,
        investment_period_end_on=inv_end,
        term_end_on=term_end,
        extension_end_on=ext_end,
        stage=parse_enum(FundStage, data.stage, "stage"),
        region_code=validate_region(data.region_code),
        registration_no=(data.registration_no or "").strip() or None,
        is_guidance_fund=bool(data.is_guidance_fund),
    )
    exists = db.session.scalar(
        sa.select(Fund.id).where(Fund.organisation_id == actor.organisation_id, Fund.code == code)
    )
    if exists is not None:
        raise ValidationError("code", "fund_code_taken", code=code)
    if fund.registration_no and db.session.scalar(
        sa.select(Fund.id).where(Fund.registration_no == fund.registration_no)
    ):
        raise ValidationError("registration_no", "registration_no_taken",
                              value=fund.registration_no)
    with unit_of_work():
        _insert_unique(fund, "fund_exists", code=code)
        db.session.add(
            FundStageChange(
                fund_id=fund.id, stage=fund.stage, effective_on=inception,
                reason="created", recorded_by_id=actor.user_id,
            )
        )
        _audit(actor, "fund.create", "fund", fund.id, {"code": code, "name_zh": fund.name_zh})
    return fund


def change_stage(
    actor: Actor, fund_id: int, stage: str, effective_on: object, reason: str = ""
) -> FundStageChange:
    """Move a fund to a new lifecycle stage as of a date (no earlier than the last change)."""
    fund, _ = get_fund(actor, fund_id, write=True)
    new_stage = parse_enum(FundStage, stage, "stage")
    when = require_date(effective_on, "effective_on")
    last = fund.stage_changes[-1] if fund.stage_changes else None
    if last is not None and when < last.effective_on:
        raise ValidationError("effective_on", "before_last_stage_change", on=last.effective_on)
    if new_stage == fund.stage:
        raise ValidationError("stage", "stage_unchanged", stage=new_stage)
    with unit_of_work():
        lock_row(Fund, fund.id)  # a concurrent stage change is seen (and refused) below
        db.session.expire(fund)
        if fund.stage == new_stage or (fund.stage_changes
                                       and when < fund.stage_changes[-1].effective_on):
            raise ConflictError("fund_stage_changed", fund=fund.code)
        change = FundStageChange(
            fund_id=fund.id, stage=new_stage, effective_on=when, reason=reason.strip(),
            recorded_by_id=actor.user_id,
        )
        db.session.add(change)
        fund.stage = new_stage
        _audit(actor, "fund.stage", "fund", fund.id, {"stage": new_stage.value,
               "effective_on": when}, reason)
    return change


def create_investor(
    actor: Actor,
    name: str,
    investor_type: str,
    *,
    fund_id: int | None = None,
    fund_registration_no: str | None = None,
    uscc: str | None = None,
) -> Investor:
    """Register an LP in the actor's organisation, optionally linked to a fund investing as LP.

    The LP fund is named either by ``fund_id`` (a fund visible to the actor) or by its
    public registration number (备案编码), which is how a GP identifies a parent fund
    managed by another organisation. Linking lets that fund's manager see this LP
    position; it reveals nothing of the LP fund to the actor.
    """
    require_writer(actor)
    name = require_text(name, "name")
    itype = parse_enum(InvestorType, investor_type, "investor_type")
    if fund_id is not None:
        try:
            get_fund(actor, int(fund_id))
        except NotFound:
            raise ValidationError("fund_id", "fund_not_visible", fund_id=fund_id) from None
    elif fund_registration_no:
        reg = fund_registration_no.strip()
        fund_id = db.session.scalar(sa.select(Fund.id).where(Fund.registration_no == reg))
        if fund_id is None:
            raise ValidationError("fund_registration_no", "registration_no_unknown", value=reg)
    code = validate_uscc(uscc) if uscc else None
    if db.session.scalar(
        sa.select(Investor.id).where(
            Investor.organisation_id == actor.organisation_id, Investor.name == name
        )
    ):
        raise ValidationError("name", "investor_name_taken", name=name)
    with unit_of_work():
        investor = Investor(
            organisation_id=actor.organisation_id, name=name, investor_type=itype,
            fund_id=fund_id, uscc=code,
        )
        _insert_unique(investor, "investor_exists", name=name)
        _audit(actor, "investor.create", "investor", investor.id,
               {"name": name, "investor_type": itype.value, "fund_id": fund_id})
    return investor


def add_commitment(
    actor: Actor,
    fund_id: int,
    investor_id: int,
    amount: object,
    committed_on: object,
    *,
    currency: str | None = None,
    closing: int = 1,
) -> Commitment:
    """Record an investor's commitment (认缴) to a fund, in the fund's currency.

    Rejects a commitment whose investor is a fund that the target fund already invests
    in, directly or through other funds (a cycle in the fund-of-funds graph:
    :class:`ConflictError` ``commitment_cycle``). The check and the insert run under the
    one graph lock (:func:`fundops.audit.lock_write_order`), so two concurrent
    commitments cannot close a cycle between them.
    """
    fund, _ = get_fund(actor, fund_id, write=True)
    investor = get_investor(actor, investor_id)
    value = parse_amount(amount, "amount")
    cur = fund_currency(fund, currency)
    when = require_date(committed_on, "committed_on")
    check_in_life(fund, when, "committed_on")
    if investor.fund_id == fund.id:
        raise ValidationError("investor_id", "commitment_to_own_fund", fund=fund.code)
    if int(closing) < 1:
        raise ValidationError("closing", "closing_below_one")
    with unit_of_work():
        if investor.fund_id is not None:
            lock_write_order()  # the graph lock: commitments of funds as LPs queue here
            if would_create_cycle(investor.fund_id, fund.id):
                raise ConflictError("commitment_cycle", investor=investor.name, fund=fund.code)
        commitment = Commitment(
            fund_id=fund.id, investor_id=investor.id, amount=value, currency=cur,
            committed_on=when, closing=int(closing), recorded_by_id=actor.user_id,
        )
        db.session.add(commitment)
        db.session.flush()
        _audit(actor, "commitment.create", "commitment", commitment.id,
               {"fund_id": fund.id, "investor_id": investor.id, "amount": value,
                "currency": cur, "committed_on": when})
    return commitment


def would_create_cycle(lp_fund_id: int, target_fund_id: int) -> bool:
    """True if ``target_fund_id`` already reaches ``lp_fund_id`` (or they are equal).

    Walks the whole commitment graph downwards from the target fund: an edge runs from
    an LP fund to each fund it has committed to.
    """
    if lp_fund_id == target_fund_id:
        return True
    rows = db.session.execute(
        sa.select(Investor.fund_id, Commitment.fund_id)
        .join(Commitment, Commitment.investor_id == Investor.id)
        .where(Investor.fund_id.is_not(None))
    ).all()
    children: dict[int, set[int]] = {}
    for parent, child in rows:
        assert parent is not None  # WHERE investor.fund_id IS NOT NULL
        children.setdefault(parent, set()).add(child)
    seen, stack = set(), [target_fund_id]
    while stack:
        node = stack.pop()
        if node == lp_fund_id:
            return True
        if node in seen:
            continue
        seen.add(node)
        stack.extend(children.get(node, ()))
    return False


def _insert_unique(row: object, conflict: str, **params: object) -> None:
    """Add and flush ``row``; a unique key that a concurrent writer took since the
    pre-check is a :class:`ConflictError` ``conflict`` (the unit of work rolls back)."""
    db.session.add(row)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        raise ConflictError(conflict, **params) from None


def fund_currency(fund: Fund, currency: str | None) -> str:
    """The amount's currency: the fund's ledger currency, which is also the default."""
    cur = validate_currency(currency or fund.currency)
    if cur != fund.currency:
        raise ValidationError("currency", "not_fund_currency", fund_currency=fund.currency,
                              currency=cur)
    return cur


def check_in_life(fund: Fund, when: date, field: str) -> None:
    """Reject a date outside the fund's life (inception to the end of any extension)."""
    if when < fund.inception_on or when > fund.life_end_on:
        raise ValidationError(field, "outside_fund_life", on=when, start=fund.inception_on,
                              end=fund.life_end_on)


def create_company(
    actor: Actor,
    *,
    name: str,
    uscc: str,
    sector: str,
    stage: str,
    region_code: str,
    is_hard_tech: bool = False,
    is_sme: bool = False,
    tags: Iterable[str] = (),
) -> Company:
    """Record the organisation's company; the credit code must pass the GB 32100 check.

    The identity (credit code, registered name, region) is shared: the first registration
    of a code sets it, later ones use it (the ``name``/``region_code`` given then yield to
    the registered ones). Sector, stage, flags and tags are the organisation's own; one
    record per company and organisation (``company_already_recorded`` on ``uscc``).
    """
    require_writer(actor)
    code = validate_uscc(uscc)
    given_name = require_text(name, "name")
    sector_text = require_text(sector, "sector", 100)
    stage_value = parse_enum(CompanyStage, stage, "stage")
    region = validate_region(region_code)
    tag_values = sorted({parse_enum(CompanyTag, t, "tags") for t in tags})
    with unit_of_work():
        lock_row(Organisation, actor.organisation_id)
        identity = identity_for(code, given_name, region)
        if db.session.scalar(sa.select(Company.id).where(
                Company.created_by_organisation_id == actor.organisation_id,
                Company.identity_id == identity.id)) is not None:
            raise ValidationError("uscc", "company_already_recorded", uscc=code)
        company = Company(
            created_by_organisation_id=actor.organisation_id, identity_id=identity.id,
            name=identity.registered_name, uscc=identity.uscc, sector=sector_text,
            stage=stage_value, region_code=identity.region_code,
            is_hard_tech=bool(is_hard_tech), is_sme=bool(is_sme),
            tags=[CompanyTagLink(tag=t) for t in tag_values],
        )
        db.session.add(company)
        try:
            db.session.flush()
        except sa.exc.IntegrityError:  # recorded by a concurrent request a moment ago
            raise ConflictError("company_already_recorded", uscc=code) from None
        _audit(actor, "company.create", "company", company.id,
               {"name": company.name, "uscc": code, "identity_id": identity.id})
    return company


__all__ = [
    "FundInput", "add_commitment", "change_stage", "check_in_life", "create_company",
    "create_fund", "create_investor", "parse_enum", "require_date", "would_create_cycle",
]
