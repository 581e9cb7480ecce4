"""JSON in and out of the linked-loans API: request field lists and their parser, the
response serialisers, and the read-side loads the responses need.

Requests: every body is a JSON object whose keys are exactly the listed fields (an
unknown key is an error, so a misspelt optional field is never silently ignored). Amounts
and fractions are decimal strings (``"1234.56"``, ``"0.035"``) or JSON integers; a JSON
number with a fraction is a binary float and is refused. ``null`` means "not given".
Every failure is a :class:`ValidationError` naming the field (``partners[1].bank_id`` for
nested lines), raised before anything is written. Responses carry amounts as exact
decimal strings in yuan of the record's currency, fractions as decimal strings, dates and
UTC timestamps in ISO 8601 (:func:`dump`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import request

from fundops.errors import ValidationError
from fundops.extensions import db
from fundops.portfolio.enums import Instrument
from fundops.syndication.enums import (
    Collateral,
    EquityRule,
    RateType,
    RepaymentType,
    TermSheetStatus,
)
from fundops.syndication.loans.services import LoanCheck
from fundops.syndication.loans.models import (
    Loan,
    LoanEntry,
    LoanProduct,
    LoanScheduleRow,
    Warrant,
)
from fundops.syndication.term_sheets.models import (
    TermSheet,
    TermSheetAllocation,
    TermSheetEvent,
    TermSheetFunding,
    VerificationCode,
)
from fundops.syndication.term_sheets.verification import VerifiedFacts
from fundops.uow import Actor

ZERO = Decimal("0.00")
MAX_ID = 2**31 - 1  # ids are 32-bit integer columns


@dataclass(frozen=True, slots=True)
class Field:
    """One request field: ``kind`` is id, int, text, enum, amount, rate, date, bool, list
    (of objects) or ids (a list of ids).

    ``values`` lists an enum's allowed values; ``items`` are the fields of each object of
    a list. The OpenAPI document is built from these same declarations.
    """

    kind: str
    required: bool = False
    doc: str = ""
    values: tuple[str, ...] = ()
    items: Mapping[str, Field] | None = None


def _values(enum_cls: type[Any], *skip: str) -> tuple[str, ...]:
    return tuple(m.value for m in enum_cls if m.value not in skip)


VERIFY = {"code": Field("text", True, "as the company gave it; case, spaces and dashes ignored")}
CO_INVESTOR = {
    "amount": Field("amount", True, "the investor's allocation"),
    "fund_registration_no": Field("text", doc="a fund in fundops, by its filing number"),
    "investor_name": Field("text", doc="an outside investor (needed without a filing number)"),
}
TRANCHE = {"amount": Field("amount", True), "expected_on": Field("date"),
           "condition": Field("text", doc="release condition, at most 300 characters")}
TERM_SHEET = {
    "company_id": Field("id", True, "a company the caller can see"),
    "lead_fund_id": Field("id", True, "a fund the caller manages"),
    "round_name": Field("text", True, "at most 50 characters"),
    "instrument": Field("enum", True, values=_values(Instrument)),
    "round_size": Field("amount", True, "> 0"),
    "pre_money": Field("amount", True),
    "post_money": Field("amount", True, "must equal pre_money + round_size"),
    "long_stop_on": Field("date", True, "not before signed_on"),
    "lead_amount": Field("amount", True, "the lead fund's allocation"),
    "co_investors": Field("list", doc="allocations together at most round_size",
                          items=CO_INVESTOR),
    "tranches": Field("list", doc="if given, they sum exactly to round_size", items=TRANCHE),
    "currency": Field("text", doc="ISO 4217; default the lead fund's currency"),
    "price_per_share": Field("amount", doc="up to 4 decimal places"),
    "ownership_rate": Field("rate", doc="fully diluted fraction, at most 1"),
    "liquidation_preference": Field("rate", doc="multiple, 1 = 1x"),
    "redemption_rate": Field("rate", doc="annual buy-back rate, fraction"),
    "use_of_proceeds": Field("text"),
    "is_binding": Field("bool"),
    "signed_on": Field("date"),
    "expected_funding_on": Field("date"),
}
STATUS = {
    "status": Field("enum", True, "funded is set by the system, never by hand",
                    values=_values(TermSheetStatus, "draft", "funded")),
    "reason": Field("text", doc="required for lapsed and cancelled"),
    "signed_on": Field("date", doc="required for signed unless already recorded"),
}
FUNDING = {
    "allocation_id": Field("id", True),
    "cash_flow_id": Field("id", doc="a fund's INVESTMENT entry; alone, without the three below"),
    "amount": Field("amount", doc="outside investor's payment"),
    "arrived_on": Field("date", doc="outside investor's payment"),
    "evidence_ref": Field("text", doc="bank statement or capital verification report"),
}
EVIDENCE_FIELDS = ("amount", "arrived_on", "evidence_ref")
NO_FIELDS: dict[str, Field] = {}
REVOKE = {"reason": Field("text")}
PRODUCT = {
    "name": Field("text", True),
    "alpha": Field("rate", True, "share of equity arrived lent, 0..1"),
    "beta": Field("rate", True, "share of post-money lent, 0..1"),
    "cap_amount": Field("amount", True),
    "tenor_months": Field("int", True, "1..360"),
    "rate_type": Field("enum", True, values=_values(RateType)),
    "repayment_type": Field("enum", True, values=_values(RepaymentType)),
    "collateral": Field("enum", True, values=_values(Collateral)),
    "required_status": Field("enum", doc="default ic_approved",
                             values=_values(TermSheetStatus, "lapsed", "cancelled")),
    "equity_rule": Field("enum", doc="default share", values=_values(EquityRule)),
    "required_share": Field("rate", doc="γ, share of the round arrived before drawing; default 1"),
    "fixed_rate": Field("rate", doc="annual, required when rate_type is fixed"),
    "spread": Field("rate", doc="over LPR, required when rate_type is lpr_spread"),
    "currency": Field("text", doc="default CNY"),
    "subsidy_share": Field("rate", doc="interest subsidy share, default 0"),
    "subsidy_max_rate": Field("rate"),
    "subsidy_annual_cap": Field("amount"),
    "warrant_coverage": Field("rate", doc="default 0"),
    "risk_scheme": Field("text"),
}
PARTNER = {"bank_id": Field("id", True, "another bank's organisation id"),
           "amount": Field("amount", True, "that bank's share")}
APPLY = {
    "code": Field("text", True, "the verification code of the round"),
    "product_id": Field("id", True, "one of the caller's products"),
    "amount": Field("amount", True, "the whole loan; the caller's share is what the partners leave"),
    "first_due_on": Field("date", doc="default a month after approval"),
    "partners": Field("list", doc="other banks of a joint loan", items=PARTNER),
}
CONFIRM = {"confirm": Field("bool", doc="post despite plausibility warnings (409 "
                                       "confirmation_required lists them)"),
           "confirm_reason": Field("text", doc="why, required with confirm; recorded")}
APPROVE = {"note": Field("text"), **CONFIRM}
DECLINE = {"note": Field("text", True, "why the application is declined")}
DISBURSE = {"amount": Field("amount", True), "value_on": Field("date", True),
            "memo": Field("text"), **CONFIRM}
REPAY = {"principal": Field("amount", True, "0 allowed"),
         "interest": Field("amount", True, "0 allowed"), "value_on": Field("date", True),
         "subsidy": Field("amount", doc="interest subsidy received")}
OVERDUE = {"amount": Field("amount", True, "the amount past due (a memo: no cash moves)"),
           "value_on": Field("date", True), "memo": Field("text")}
DEFAULT = {"value_on": Field("date", True),
           "reason": Field("text", True, "at most 500 characters")}
WRITE_OFF = {"amount": Field("amount", True, "at most the principal outstanding"),
             "value_on": Field("date", True), "reason": Field("text", True)}
RECOVERY = {"amount": Field("amount", True), "value_on": Field("date", True),
            "memo": Field("text", doc="collateral sold, guarantor, court ...")}
WARRANT = {
    "holder_name": Field("text", True), "window_from": Field("date", True),
    "window_to": Field("date", True, "not before window_from"),
    "coverage": Field("rate", doc="of the loan, above 0 and at most 1; default the product's"),
    "exercise_price": Field("amount", doc="per share, up to 4 places; default the round's"),
}
CLOSE_WARRANT = {"outcome": Field("enum", True, values=("exercised", "expired")),
                 "on": Field("date", True, "within the window when exercised")}


def body_object() -> dict[str, Any]:
    """The request's JSON object; an empty body is ``{}``."""
    if not request.get_data(cache=True):
        return {}
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError("body", "syn_body_not_object")
    return data


def parse_body(spec: Mapping[str, Field]) -> dict[str, Any]:
    """Check the request body against ``spec``; see :func:`parse`."""
    return parse(spec, body_object())


def parse(spec: Mapping[str, Field], data: object, prefix: str = "") -> dict[str, Any]:
    """Check ``data`` against ``spec``; returns the given, non-null fields, ids and ints
    as ``int``, lists as lists of parsed dicts. ``prefix`` names a nested line."""
    if not isinstance(data, dict):
        raise ValidationError(prefix.rstrip(".") or "body", "syn_not_an_object")
    for key in data:
        if key not in spec:
            raise ValidationError(prefix + str(key), "syn_unknown_field")
    out: dict[str, Any] = {}
    for key, field in spec.items():
        value = data.get(key)
        name = prefix + key
        if value is None:
            if field.required:
                raise ValidationError(name, "required")
            continue
        out[key] = _check(field, value, name)
    return out


def _check(field: Field, value: Any, name: str) -> Any:
    kind = field.kind
    if kind in ("id", "int"):
        low = 1 if kind == "id" else -MAX_ID
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_ID:
            raise ValidationError(name, "syn_not_an_integer", low=low, high=MAX_ID)
        return value
    if kind in ("text", "enum", "date") and not isinstance(value, str):
        raise ValidationError(name, "syn_not_a_string")
    if kind == "enum" and field.values and value not in field.values:
        raise ValidationError(name, "syn_not_in_values", value=value, values=", ".join(field.values))
    if kind in ("amount", "rate") and (isinstance(value, bool) or not isinstance(value, str | int)):
        raise ValidationError(name, "syn_amount_not_text")
    if kind == "bool" and not isinstance(value, bool):
        raise ValidationError(name, "not_boolean", value=value)
    if kind in ("list", "ids") and not isinstance(value, list):
        raise ValidationError(name, "syn_not_a_list")
    if kind == "ids":
        return [_check(Field("id"), item, f"{name}[{i}]") for i, item in enumerate(value)]
    if kind == "list":
        assert field.items is not None
        return [parse(field.items, item, f"{name}[{i}].") for i, item in enumerate(value)]
    return value


def dump(value: Any) -> Any:
    """JSON-ready ``value``: Decimals as plain decimal strings, never exponents (``str``
    would give ``0E-8`` for a zero rate), dates and timestamps ISO 8601."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: dump(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [dump(v) for v in value]
    return value


def term_sheet_json(ts: TermSheet, actor: Actor) -> dict[str, Any]:
    return {
        "id": ts.id, "is_owner": ts.organisation_id == actor.organisation_id,
        "company_id": ts.company_id, "company_name": ts.company.name,
        "lead_fund_id": ts.lead_fund_id, "lead_fund_name": ts.lead_fund.name_zh,
        "round_name": ts.round_name, "instrument": ts.instrument.value, "currency": ts.currency,
        "round_size": ts.round_size, "pre_money": ts.pre_money, "post_money": ts.post_money,
        "price_per_share": ts.price_per_share, "ownership_rate": ts.ownership_rate,
        "liquidation_preference": ts.liquidation_preference,
        "redemption_rate": ts.redemption_rate, "use_of_proceeds": ts.use_of_proceeds,
        "is_binding": ts.is_binding, "signed_on": ts.signed_on, "long_stop_on": ts.long_stop_on,
        "expected_funding_on": ts.expected_funding_on, "status": ts.status.value,
        "reserved_amount": ts.reserved_amount, "created_at": ts.created_at,
    }


def term_sheet_detail_json(ts: TermSheet, actor: Actor, arrived: Mapping[int, Decimal],
                           events: list[TermSheetEvent]) -> dict[str, Any]:
    """The full record; ``arrived`` is equity arrived per allocation id (yuan)."""
    return term_sheet_json(ts, actor) | {
        "equity_arrived": sum(arrived.values(), ZERO),
        "allocations": [{
            "id": a.id, "fund_id": a.fund_id, "investor_name": a.investor_name,
            "is_lead": a.is_lead, "amount": a.amount, "currency": a.currency,
            "arrived_amount": arrived.get(a.id, ZERO),
        } for a in ts.allocations],
        "tranches": [{"seq": t.seq, "amount": t.amount, "expected_on": t.expected_on,
                      "condition": t.condition} for t in ts.tranches],
        "fundings": [funding_json(f) for f in list_fundings(ts.id)],
        "events": [{"id": e.id, "from_status": e.from_status.value if e.from_status else None,
                    "to_status": e.to_status.value, "reason": e.reason, "at": e.at,
                    "by_user_id": e.by_user_id} for e in events],
    }


def funding_json(f: TermSheetFunding) -> dict[str, Any]:
    return {"id": f.id, "allocation_id": f.allocation_id, "source": f.source.value,
            "cash_flow_id": f.cash_flow_id, "evidence_ref": f.evidence_ref,
            "arrived_on": f.arrived_on, "amount": f.amount, "currency": f.currency,
            "recorded_at": f.recorded_at}


def code_json(code: VerificationCode) -> dict[str, Any]:
    return {"id": code.id, "term_sheet_id": code.term_sheet_id, "hint": code.hint,
            "created_at": code.created_at, "revoked_at": code.revoked_at}


def facts_json(facts: VerifiedFacts) -> dict[str, Any]:
    body = dataclasses.asdict(facts)
    body["tranches"] = [{"seq": seq, "amount": amount, "expected_on": on}
                        for seq, amount, on in facts.tranches]
    return body


def product_json(p: LoanProduct) -> dict[str, Any]:
    return {
        "id": p.id, "name": p.name, "currency": p.currency, "alpha": p.alpha, "beta": p.beta,
        "cap_amount": p.cap_amount, "required_status": p.required_status.value,
        "equity_rule": p.equity_rule.value, "required_share": p.required_share,
        "tenor_months": p.tenor_months, "rate_type": p.rate_type.value,
        "fixed_rate": p.fixed_rate, "spread": p.spread, "repayment_type": p.repayment_type.value,
        "subsidy_share": p.subsidy_share, "subsidy_max_rate": p.subsidy_max_rate,
        "subsidy_annual_cap": p.subsidy_annual_cap, "warrant_coverage": p.warrant_coverage,
        "collateral": p.collateral.value, "risk_scheme": p.risk_scheme, "active": p.active,
        "created_at": p.created_at,
    }


def loan_json(loan: Loan) -> dict[str, Any]:
    return {
        "id": loan.id, "term_sheet_id": loan.term_sheet_id, "product_id": loan.product_id,
        "lead_bank_id": loan.lead_bank_id, "company_id": loan.company_id,
        "currency": loan.currency, "requested_amount": loan.requested_amount,
        "reserved_amount": loan.reserved_amount, "annual_rate": loan.annual_rate,
        "first_due_on": loan.first_due_on, "status": loan.status.value, "flag": loan.flag,
        "applied_at": loan.applied_at, "decided_at": loan.decided_at,
        "decision_note": loan.decision_note,
        "shares": [{"bank_id": s.bank_id, "is_lead": s.is_lead, "amount": s.amount}
                   for s in loan.shares],
    }


def check_json(check: LoanCheck, outstanding: Decimal) -> dict[str, Any]:
    """The bank's check: other banks' reservations are amounts only, never names."""
    return {
        "facts": facts_json(check.facts),
        "headroom": dataclasses.asdict(check.headroom),
        "equity": dataclasses.asdict(check.equity),
        "other_reservations": list(check.other_reservations),
        "status_ok": check.status_ok, "status_reason": check.status_reason,
        "drawn": check.drawn, "outstanding": outstanding,
    }


def entry_json(e: LoanEntry) -> dict[str, Any]:
    return {"id": e.id, "kind": e.kind.value, "value_on": e.value_on, "amount": e.amount,
            "currency": e.currency, "memo": e.memo, "reverses_id": e.reverses_id,
            "recorded_at": e.recorded_at}


def schedule_json(r: LoanScheduleRow) -> dict[str, Any]:
    return {"period": r.period, "due_on": r.due_on, "opening_balance": r.opening_balance,
            "principal": r.principal, "interest": r.interest, "subsidy": r.subsidy,
            "closing_balance": r.closing_balance}


def warrant_json(w: Warrant) -> dict[str, Any]:
    return {"id": w.id, "loan_id": w.loan_id, "holder_name": w.holder_name,
            "coverage": w.coverage, "amount": w.amount, "exercise_price": w.exercise_price,
            "window_from": w.window_from, "window_to": w.window_to, "status": w.status,
            "closed_on": w.closed_on}


# Read-side loads the services do not offer (callers have already checked access).

def list_fundings(term_sheet_id: int) -> list[TermSheetFunding]:
    return list(db.session.scalars(
        sa.select(TermSheetFunding)
        .join(TermSheetAllocation, TermSheetAllocation.id == TermSheetFunding.allocation_id)
        .where(TermSheetAllocation.term_sheet_id == term_sheet_id).order_by(TermSheetFunding.id)))


def list_schedule(loan_id: int) -> list[LoanScheduleRow]:
    return list(db.session.scalars(sa.select(LoanScheduleRow).where(
        LoanScheduleRow.loan_id == loan_id).order_by(LoanScheduleRow.period)))


def list_entries(loan_id: int) -> list[LoanEntry]:
    return list(db.session.scalars(sa.select(LoanEntry).where(
        LoanEntry.loan_id == loan_id).order_by(LoanEntry.id)))


def list_warrants(loan_id: int) -> list[Warrant]:
    return list(db.session.scalars(sa.select(Warrant).where(
        Warrant.loan_id == loan_id).order_by(Warrant.id)))
