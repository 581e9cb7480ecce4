"""Term sheets: record the round and its syndicate and move it through its statuses (the
equity as it arrives: :mod:`fundops.syndication.term_sheets.fundings`).

Who may do what: the organisation managing the lead fund owns the term sheet (creates
it, moves its status, records outside investors' payments, issues codes); a manager of a
fund with an allocation links that fund's investment entries to the allocation and may
read the term sheet. Everyone else gets 404. Amounts are yuan (the term sheet's
currency), exact to the fen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from fundops.audit import record, record_by
from fundops.errors import NotFound, ValidationError
from fundops.extensions import db
from fundops.money import Money, parse_amount, validate_currency
from fundops.portfolio.access import get_company, get_fund, require_writer
from fundops.portfolio.enums import Instrument
from fundops.portfolio.ledger import Investment
from fundops.portfolio.models import Fund
from fundops.syndication.enums import (
    DEAD_STATUSES,
    TERM_SHEET_TRANSITIONS,
    LoanStatus,
    TermSheetStatus,
)
from fundops.syndication.loans.models import Loan
from fundops.syndication.term_sheets.models import (
    TermSheet,
    TermSheetAllocation,
    TermSheetEvent,
    TermSheetTranche,
)
from fundops.uow import Actor, lock_row, unit_of_work
from fundops.validation import (
    parse_bool,
    parse_enum,
    require_date,
    require_id,
    require_text,
)

ZERO = Decimal("0.00")
LAPSABLE = (TermSheetStatus.SIGNED, TermSheetStatus.IC_APPROVED, TermSheetStatus.CLOSING)


def _rate(value: object, field: str, upper: Decimal | None = None) -> Decimal | None:
    if value in (None, ""):
        return None
    rate = parse_amount(value, field, places=8, allow_zero=True)
    if upper is not None and rate > upper:
        raise ValidationError(field, "syn_fraction_too_high", value=rate, upper=upper)
    return rate


def _optional_date(value: object, field: str) -> date | None:
    return None if value in (None, "") else require_date(value, field)


def get_term_sheet(actor: Actor, term_sheet_id: int, *, write: bool = False) -> TermSheet:
    """The term sheet if the actor owns it or manages a fund in its syndicate; else 404.

    ``write`` needs ownership and a writer role.
    """
    ts = db.session.get(TermSheet, term_sheet_id)
    if ts is None:
        raise NotFound()
    owner = ts.organisation_id == actor.organisation_id
    if not owner and (write or not _in_syndicate(actor.organisation_id, ts.id)):
        raise NotFound()
    if write:
        require_writer(actor)
    return ts


def _own_company(actor: Actor, company_id: int, created_by: int | None) -> bool:
    if created_by == actor.organisation_id:
        return True
    managed = sa.select(Fund.id).where(Fund.organisation_id == actor.organisation_id)
    return db.session.scalar(sa.select(Investment.id).where(
        Investment.company_id == company_id, Investment.fund_id.in_(managed)).limit(1)) is not None


def _in_syndicate(organisation_id: int, term_sheet_id: int) -> bool:
    return db.session.scalar(
        sa.select(TermSheetAllocation.id).join(Fund, Fund.id == TermSheetAllocation.fund_id)
        .where(TermSheetAllocation.term_sheet_id == term_sheet_id,
               Fund.organisation_id == organisation_id).limit(1)) is not None


def list_term_sheets(actor: Actor) -> list[TermSheet]:
    """Term sheets the actor owns or whose syndicate includes one of its funds, newest first."""
    mine = sa.select(TermSheetAllocation.term_sheet_id).join(
        Fund, Fund.id == TermSheetAllocation.fund_id).where(
        Fund.organisation_id == actor.organisation_id)
    return list(db.session.scalars(
        sa.select(TermSheet).where(sa.or_(TermSheet.organisation_id == actor.organisation_id,
                                          TermSheet.id.in_(mine)))
        .order_by(TermSheet.id.desc())))


@dataclass(frozen=True)
class AllocationInput:
    """A syndicate line: a fund in fundops by its public filing number
    (``fund_registration_no``), or an outside investor by ``investor_name``."""

    amount: object
    fund_registration_no: str = ""
    investor_name: str = ""


def _co_investor_line(field: str, given: AllocationInput, lead_fund: Fund,
                      cur: str) -> TermSheetAllocation:
    """A co-investor's allocation: a fund named by its filing number (not the lead fund) or
    any investor by name; ``ValidationError`` naming ``field``."""
    amount = parse_amount(given.amount, field)
    co_fund = None
    if str(given.fund_registration_no or "").strip():
        reg = str(given.fund_registration_no).strip()
        co_fund = db.session.scalar(sa.select(Fund).where(Fund.registration_no == reg))
        if co_fund is None:
            raise ValidationError(field, "term_sheet_no_fund_with_filing_no",
                                  registration_no=reg)
        if co_fund.id == lead_fund.id:
            raise ValidationError(field, "term_sheet_lead_fund_twice")
    name = require_text(given.investor_name or (co_fund.name_zh if co_fund else ""), field, 200)
    return TermSheetAllocation(fund_id=co_fund.id if co_fund else None, investor_name=name,
                               is_lead=False, amount=amount, currency=cur)


def create_term_sheet(actor: Actor, *, company_id: int, lead_fund_id: int, round_name: str,
                      instrument: str, round_size: object, pre_money: object,
                      post_money: object, long_stop_on: object, lead_amount: object,
                      co_investors: Iterable[AllocationInput] = (),
                      tranches: Iterable[Mapping[str, object]] = (),
                      currency: str | None = None, price_per_share: object = None,
                      ownership_rate: object = None, liquidation_preference: object = None,
                      redemption_rate: object = None, use_of_proceeds: str = "",
                      is_binding: bool = False, signed_on: object = None,
                      expected_funding_on: object = None) -> TermSheet:
    """Record a round as a draft; the lead fund must be managed by the actor.

    Checks: post-money = pre-money + round size; the allocations (lead's first) sum to
    at most the round; tranches, if any, sum exactly to the round; the long-stop date is
    not before the signing date. Raises ValidationError naming the field (``co_investors[i]``,
    ``tranches[i]``) and writes nothing.
    """
    fund, _ = get_fund(actor, require_id(lead_fund_id, "lead_fund_id"), write=True)
    company = get_company(actor, require_id(company_id, "company_id"))
    if not _own_company(actor, company.id, company.created_by_organisation_id):
        # seeing a company as an LP, or as a syndicate member, is not enough to put it in a
        # term sheet: that would show it to the syndicate (and their syndicates in turn)
        raise ValidationError("company_id", "term_sheet_company_not_own")
    cur = validate_currency(currency or fund.currency)
    size = parse_amount(round_size, "round_size")
    pre = parse_amount(pre_money, "pre_money")
    post = parse_amount(post_money, "post_money")
    if post != pre + size:
        raise ValidationError("post_money", "term_sheet_post_money_mismatch",
                              post_money=Money(post, cur), pre_money=Money(pre, cur),
                              round_size=Money(size, cur))
    lines = [TermSheetAllocation(fund_id=fund.id, investor_name=fund.name_zh, is_lead=True,
                                 amount=parse_amount(lead_amount, "lead_amount"), currency=cur)]
    lines += [_co_investor_line(f"co_investors[{i}]", given, fund, cur)
              for i, given in enumerate(co_investors)]
    allocated = sum((x.amount for x in lines), ZERO)
    if allocated > size:
        raise ValidationError("co_investors", "term_sheet_allocations_exceed_round",
                              allocated=Money(allocated, cur), round_size=Money(size, cur))
    steps = []
    for i, t in enumerate(tranches):
        steps.append(TermSheetTranche(
            seq=i + 1, amount=parse_amount(t.get("amount"), f"tranches[{i}]"),
            expected_on=_optional_date(t.get("expected_on"), f"tranches[{i}]"),
            condition=str(t.get("condition") or "")[:300]))
    if steps and sum((t.amount for t in steps), ZERO) != size:
        raise ValidationError("tranches", "term_sheet_tranches_not_round",
                              total=Money(sum((t.amount for t in steps), ZERO), cur),
                              round_size=Money(size, cur))
    signed = _optional_date(signed_on, "signed_on")
    stop = require_date(long_stop_on, "long_stop_on")
    if signed is not None and stop < signed:
        raise ValidationError("long_stop_on", "term_sheet_long_stop_before_signing",
                              long_stop_on=stop, signed_on=signed)
    ts = TermSheet(
        organisation_id=actor.organisation_id,
        company_id=company.id,
        lead_fund_id=fund.id,
        round_name=require_text(round_name, "round_name", 50),
        instrument=parse_enum(Instrument, instrument, "instrument"),
        currency=cur,
        round_size=size,
        pre_money=pre,
        post_money=post,
        price_per_share=(
            parse_amount(price_per_share, "price_per_share", places=4)
            if price_per_share not in (None, "")
            else None
        ),
        ownership_rate=_rate(ownership_rate, "ownership_rate", Decimal(1)),
        liquidation_preference=_rate(liquidation_preference, "liquidation_preference"),
        redemption_rate=_rate(redemption_rate, "redemption_rate", Decimal(1)),
        use_of_proceeds=str(use_of_proceeds or "").strip()[:500],
        is_binding=parse_bool(is_binding, "is_binding"),
        signed_on=signed,
        long_stop_on=stop,
        expected_funding_on=_optional_date(expected_funding_on, "expected_funding_on"),
        status=TermSheetStatus.DRAFT,
        reserved_amount=ZERO,
        created_by_id=actor.user_id,
    )
    with unit_of_work():
        db.session.add(ts)
        db.session.flush()
        for line in lines:
            line.term_sheet_id = ts.id
            db.session.add(line)
        for step in steps:
            step.term_sheet_id = ts.id
            db.session.add(step)
        db.session.add(TermSheetEvent(term_sheet_id=ts.id, from_status=None,
                                      to_status=TermSheetStatus.DRAFT, by_user_id=actor.user_id))
        db.session.flush()
        record_by(actor, "term_sheet.create", "term_sheet", ts.id, {
            "company_id": company.id, "lead_fund_id": fund.id, "round_name": ts.round_name,
            "round_size": size, "post_money": post, "allocations": len(lines),
            "tranches": len(steps)})
    return ts


def change_status(actor: Actor, term_sheet_id: int, to_status: str, reason: str = "",
                  signed_on: object = None) -> TermSheet:
    """Move the term sheet along its workflow (the owner's writers only).

    ``funded`` is refused: it is reached when the equity arrives. Lapsing or cancelling
    flags every live loan on the round (disbursement is then blocked).
    """
    ts = get_term_sheet(actor, term_sheet_id, write=True)
    target = parse_enum(TermSheetStatus, to_status, "status")
    if target is TermSheetStatus.FUNDED:
        raise ValidationError("status", "term_sheet_funded_is_automatic")
    if target not in TERM_SHEET_TRANSITIONS[ts.status]:
        raise ValidationError("status", "term_sheet_bad_transition", from_status=ts.status,
                              to_status=target)
    when = _optional_date(signed_on, "signed_on") or ts.signed_on
    if target is TermSheetStatus.SIGNED and when is None:
        raise ValidationError("signed_on", "term_sheet_signing_date_required")
    note = str(reason or "").strip()[:500]
    if target in DEAD_STATUSES and not note:
        raise ValidationError("reason", "term_sheet_lapse_reason_required")
    with unit_of_work():
        set_status(ts, target, note, actor.user_id)
        if target is TermSheetStatus.SIGNED:
            ts.signed_on = when
        if target in DEAD_STATUSES:
            _flag_live_loans(ts.id, target, note)
        record_by(actor, "term_sheet.status", "term_sheet", ts.id,
                  {"to": target.value}, reason=note)
    return ts


def set_status(ts: TermSheet, target: TermSheetStatus, reason: str, user_id: int | None) -> None:
    db.session.add(TermSheetEvent(term_sheet_id=ts.id, from_status=ts.status, to_status=target,
                                  reason=reason, by_user_id=user_id))
    ts.status = target


def _flag_live_loans(term_sheet_id: int, target: TermSheetStatus, note: str) -> None:
    for loan in db.session.scalars(sa.select(Loan).where(
            Loan.term_sheet_id == term_sheet_id,
            Loan.status.in_([LoanStatus.APPLIED, LoanStatus.APPROVED, LoanStatus.ACTIVE]))):
        loan.flag = f"term sheet {target.value}: {note}"[:300]


def term_sheets_past_long_stop(on: date) -> list[int]:
    """Ids of live term sheets whose long-stop date is before ``on``, lowest first."""
    return list(db.session.scalars(sa.select(TermSheet.id).where(
        TermSheet.status.in_(LAPSABLE), TermSheet.long_stop_on < on).order_by(TermSheet.id)))


def lapse_past_long_stop(term_sheet_id: int, on: date, *, source: str = "daily job") -> bool:
    """Lapse a live term sheet whose long-stop date passed before ``on`` without the equity
    (a system action, audited as such; its live loans are flagged). Idempotent: under the
    row lock, False and nothing done if no longer live (lapsed already, funded or cancelled
    meanwhile) or not yet due. Joins the caller's unit of work, if any."""
    with unit_of_work():
        lock_row(TermSheet, term_sheet_id)
        row = db.session.execute(sa.select(TermSheet.status, TermSheet.organisation_id,
                                           TermSheet.long_stop_on).where(
            TermSheet.id == term_sheet_id)).one_or_none()
        if row is None or row.status not in LAPSABLE or not row.long_stop_on < on:
            return False
        reason = f"long-stop date {row.long_stop_on} passed without the equity ({source})"
        db.session.execute(sa.update(TermSheet).where(TermSheet.id == term_sheet_id).values(
            status=TermSheetStatus.LAPSED).execution_options(synchronize_session=False))
        db.session.add(TermSheetEvent(term_sheet_id=term_sheet_id, from_status=row.status,
                                      to_status=TermSheetStatus.LAPSED, reason=reason))
        _flag_live_loans(term_sheet_id, TermSheetStatus.LAPSED, reason)
        record(organisation_id=row.organisation_id, user_id=None, action="term_sheet.status",
               object_type="term_sheet", object_id=term_sheet_id, changes={"to": "lapsed"},
               reason=reason, auth_method="system")
    return True


def list_events(term_sheet_id: int) -> list[TermSheetEvent]:
    return list(db.session.scalars(sa.select(TermSheetEvent).where(
        TermSheetEvent.term_sheet_id == term_sheet_id).order_by(TermSheetEvent.id)))
