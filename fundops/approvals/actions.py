"""The executors' registry: per action, how to check a submission and how to post it.

``prepare(actor, payload)`` validates what the maker typed with the services' own
helpers (writes nothing), and returns the amount that decides the approval policy and
the plausibility warnings; ``execute(actor, **payload)`` calls the existing service
(fundops.portfolio.ledger_services, fundops.syndication.*), unchanged, as the maker.
Amounts are positive yuan (or the record's currency), exact Decimals.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from fundops.approvals import plausibility as P
from fundops.clock import business_today
from fundops.errors import ConflictError, NotFound, ValidationError
from fundops.extensions import db
from fundops.money import parse_amount
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services as portfolio
from fundops.portfolio.access import get_company, get_fund, require_writer
from fundops.portfolio.enums import CallPurpose, DistributionType, Instrument
from fundops.portfolio.ledger import CashFlow
from fundops.syndication.enums import LoanEntryKind, LoanStatus
from fundops.syndication.loans import services as lending
from fundops.syndication.loans.models import LoanEntry
from fundops.syndication.pools import services as pools
from fundops.uow import Actor

ZERO = Decimal("0.00")
today = business_today  # the business date that "after today" is measured against


@dataclass(frozen=True)
class Prepared:
    """What a submission amounts to: the policy amount, its currency, the object it
    concerns and the plausibility warnings."""

    amount: Decimal
    currency: str
    fund_id: int | None = None
    object_type: str = ""
    object_id: int | None = None
    warnings: list[P.Warning] = field(default_factory=list)


@dataclass(frozen=True)
class Action:
    """One approvable (or, with ``four_eyes=False``, only plausibility-checked) action."""

    name: str
    prepare: Callable[[Actor, Mapping[str, Any]], Prepared]
    execute: Callable[..., Any]
    result_type: str
    four_eyes: bool = True
    precheck: Callable[[Actor, Mapping[str, Any]], None] | None = None
    """Run only before holding a post: refuses what the executor would surely refuse
    (a direct post leaves that to the service, with its own message)."""


def _fund_entry(actor: Actor, p: Mapping[str, Any], date_key: str = "value_on"):  # type: ignore[no-untyped-def]
    fund, _ = get_fund(actor, portfolio.require_id(p.get("fund_id"), "fund_id"), write=True)
    when, total, cur = ledger.entry_basics(fund, p.get(date_key), p.get("amount"),
                                           p.get("currency"))
    warnings = P.exponent_form(p.get("amount"), "amount") + P.future_date(when, today())
    warnings += P.above_fund_size(total, fund.target_size_amount, cur)
    return fund, when, total, cur, warnings


def _prepare_call(actor: Actor, p: Mapping[str, Any]) -> Prepared:
    fund, when, total, cur, warnings = _fund_entry(actor, p)
    portfolio.parse_enum(CallPurpose, p.get("purpose"), "purpose")
    ledger.plan_call(fund, when, total, p.get("split"))
    return Prepared(total, cur, fund.id, "fund", fund.id, warnings)


def _prepare_distribution(actor: Actor, p: Mapping[str, Any]) -> Prepared:
    fund, when, total, cur, warnings = _fund_entry(actor, p)
    portfolio.parse_enum(DistributionType, p.get("distribution_type"), "distribution_type")
    ledger.plan_allocation(fund, when, total, p.get("split"))
    warnings += P.distribution_above_gains(total, P.balances_of(fund.id), cur)
    return Prepared(total, cur, fund.id, "fund", fund.id, warnings)


def _prepare_investment(actor: Actor, p: Mapping[str, Any]) -> Prepared:
    fund, _when, total, cur, warnings = _fund_entry(actor, p, "invested_on")
    get_company(actor, portfolio.require_id(p.get("company_id"), "company_id"))
    portfolio.parse_enum(Instrument, p.get("instrument"), "instrument")
    return Prepared(total, cur, fund.id, "fund", fund.id, warnings)


def _prepare_reversal(actor: Actor, p: Mapping[str, Any]) -> Prepared:
    fund, _ = get_fund(actor, portfolio.require_id(p.get("fund_id"), "fund_id"), write=True)
    entry = db.session.get(CashFlow, portfolio.require_id(p.get("entry_id"), "entry_id"))
    if entry is None or entry.fund_id != fund.id:
        raise NotFound()
    portfolio.require_text(p.get("reason"), "reason", 500)
    return Prepared(abs(entry.amount), entry.currency, fund.id, "cash_flow", entry.id)


def _precheck_reversal(actor: Actor, p: Mapping[str, Any]) -> None:
    entry_id = int(p["entry_id"])
    if db.session.scalar(sa.select(CashFlow.id).where(sa.or_(
            sa.and_(CashFlow.id == entry_id, CashFlow.reverses_id.is_not(None)),
            CashFlow.reverses_id == entry_id)).limit(1)):
        raise ValidationError("entry_id", "approval_entry_reversed", entry_id=entry_id)


def _prepare_nav(actor: Actor, p: Mapping[str, Any]) -> Prepared:
    fund, _ = get_fund(actor, portfolio.require_id(p.get("fund_id"), "fund_id"), write=True)
    when = portfolio.require_date(p.get("as_of"), "as_of")
    portfolio.check_in_life(fund, when, "as_of")
    nav = parse_amount(p.get("nav_amount"), "nav_amount", allow_zero=True)
    cur = portfolio.fund_currency(fund, p.get("currency"))
    warnings = P.exponent_form(p.get("nav_amount"), "nav_amount") + P.future_date(when, today())
    warnings += P.nav_move(nav, P.previous_nav_of(fund.id, when), cur)
    return Prepared(nav, cur, fund.id, "fund", fund.id, warnings)


def _prepare_holding(actor: Actor, p: Mapping[str, Any]) -> Prepared:
    fund, _ = get_fund(actor, portfolio.require_id(p.get("fund_id"), "fund_id"), write=True)
    company = get_company(actor, portfolio.require_id(p.get("company_id"), "company_id"))
    cost = P.holding_cost_of(fund.id, company.id)
    if cost is None:
        raise ValidationError("company_id", "approval_no_holding", company=company.name)
    when = portfolio.require_date(p.get("as_of"), "as_of")
    portfolio.check_in_life(fund, when, "as_of")
    value = parse_amount(p.get("fair_value_amount"), "fair_value_amount", allow_zero=True)
    cur = portfolio.fund_currency(fund, p.get("currency"))
    warnings = (P.exponent_form(p.get("fair_value_amount"), "fair_value_amount")
                + P.future_date(when, today()) + P.fair_value_far_from_cost(value, cost, cur))
    return Prepared(value, cur, fund.id, "company", company.id, warnings)


def _prepare_fund(actor: Actor, p: Mapping[str, Any]) -> Prepared:
    require_writer(actor)
    vintage = portfolio.require_int(p.get("vintage"), "vintage", 1980, 2100)
    cur = str(p.get("currency") or "CNY").strip().upper()[:3]
    return Prepared(ZERO, cur or "CNY", warnings=P.vintage_in_future(vintage, today()))


def _loan(actor: Actor, p: Mapping[str, Any]):  # type: ignore[no-untyped-def]
    return lending.get_loan(actor, portfolio.require_id(p.get("loan_id"), "loan_id"), write=True)


def _prepare_loan_approval(actor: Actor, p: Mapping[str, Any]) -> Prepared:
    loan = _loan(actor, p)
    if len(str(p.get("note") or "")) > 500:
        raise ValidationError("note", "too_long", max_len=500)
    return Prepared(loan.requested_amount, loan.currency, None, "loan", loan.id)


def _precheck_loan_approval(actor: Actor, p: Mapping[str, Any]) -> None:
    loan = _loan(actor, p)
    if loan.status is not LoanStatus.APPLIED:
        raise ConflictError("approval_loan_decided", loan_id=loan.id)


def _prepare_disbursement(actor: Actor, p: Mapping[str, Any]) -> Prepared:
    loan = _loan(actor, p)
    paid = parse_amount(p.get("amount"), "amount")
    when = portfolio.require_date(p.get("value_on"), "value_on")
    warnings = P.exponent_form(p.get("amount"), "amount") + P.future_date(when, today())
    return Prepared(paid, loan.currency, None, "loan", loan.id, warnings)


def _prepare_claim(actor: Actor, p: Mapping[str, Any]) -> Prepared:
    loan = _loan(actor, p)
    when = portfolio.require_date(p.get("on"), "on")
    defaulted = db.session.scalar(sa.select(LoanEntry.amount).where(
        LoanEntry.loan_id == loan.id, LoanEntry.kind == LoanEntryKind.DEFAULT)) or ZERO
    return Prepared(abs(defaulted), loan.currency, None, "loan", loan.id,
                    P.future_date(when, today()))


def _call(actor: Actor, fund_id: int, **kw: Any) -> Any:
    return ledger.record_capital_call(actor, int(fund_id), **kw)


def _distribution(actor: Actor, fund_id: int, **kw: Any) -> Any:
    return ledger.record_distribution(actor, int(fund_id), **kw)


def _investment(actor: Actor, fund_id: int, **kw: Any) -> Any:
    return ledger.record_investment(actor, int(fund_id), **kw)


def _reversal(actor: Actor, fund_id: int, entry_id: int, reason: str) -> Any:
    return ledger.reverse_entry(actor, int(fund_id), int(entry_id), reason)


def _nav(actor: Actor, fund_id: int, **kw: Any) -> Any:
    return ledger.record_valuation(actor, int(fund_id), **kw)


def _holding(actor: Actor, fund_id: int, **kw: Any) -> Any:
    return ledger.record_holding_valuation(actor, int(fund_id), **kw)


def _fund(actor: Actor, **kw: Any) -> Any:
    return portfolio.create_fund(actor, portfolio.FundInput(**kw))


def _loan_approval(actor: Actor, loan_id: int, note: str = "") -> Any:
    return lending.approve_loan(actor, int(loan_id), note or "")


def _disbursement(actor: Actor, loan_id: int, **kw: Any) -> Any:
    return lending.disburse(actor, int(loan_id), **kw)


def _claim(actor: Actor, loan_id: int, on: object) -> Any:
    return pools.file_claim(actor, int(loan_id), on)


ACTIONS: dict[str, Action] = {a.name: a for a in (
    Action("capital_call", _prepare_call, _call, "cash_flow"),
    Action("distribution", _prepare_distribution, _distribution, "cash_flow"),
    Action("reversal", _prepare_reversal, _reversal, "cash_flow", precheck=_precheck_reversal),
    Action("fund_valuation", _prepare_nav, _nav, "fund_valuation"),
    Action("holding_valuation", _prepare_holding, _holding, "holding_valuation"),
    Action("loan_approval", _prepare_loan_approval, _loan_approval, "loan",
           precheck=_precheck_loan_approval),
    Action("loan_disbursement", _prepare_disbursement, _disbursement, "loan_entry"),
    Action("pool_claim", _prepare_claim, _claim, "risk_pool_claim"),
    Action("investment", _prepare_investment, _investment, "investment", four_eyes=False),
    Action("fund_creation", _prepare_fund, _fund, "fund", four_eyes=False),
)}
"""Every action ``submit`` knows, by name."""

POLICY_ACTIONS: tuple[str, ...] = tuple(a.name for a in ACTIONS.values() if a.four_eyes)
"""The actions an organisation may put under maker-checker (the policy page's rows)."""


def get_action(name: object) -> Action:
    action = ACTIONS.get(str(name))
    if action is None:
        raise ValidationError("action", "approval_unknown_action", value=str(name)[:40])
    return action
