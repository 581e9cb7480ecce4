"""Reply schemas of the quarterly report API: the report's sections with machine keys.

Amounts are exact decimal strings in yuan of the fund's currency; multiples exact decimal
strings; IRRs annual fractions rounded half-even to 10 places; ``null`` means n/a (never
0). Dates ISO 8601. Enum values are the stored codes (the pages show their labels).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from fundops.api.fields import Amount, Bool, Day, Id, Int, Lines, Object, Rate, Reply, Schema, Text
from fundops.metrics.schemas import Multiple, rate_text
from fundops.portfolio.schemas import FundOut, fund_data
from fundops.reports.quarterly.content import QuarterlyReport
from fundops.reports.quarterly.parent_sections import fen


class QrQuarterQuery(Schema):
    quarter = Text(doc="a calendar quarter such as 2025Q2; default the last ended quarter")


class Irr(Rate):
    """An annual rate (a float from XIRR) as a decimal string rounded half-even to 10 places."""

    unit = "annual rate as a fraction, decimal string rounded half-even to 10 places"

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, float):
            return rate_text(value)
        return super()._serialize(value, attr, obj, **kwargs)


class QrCommitmentsOut(Reply):
    committed = Amount()
    paid_in = Amount()
    unfunded = Amount()
    distributed = Amount()
    paid_in_ratio = Rate(nullable=True, doc="paid-in / committed, exact")


class QrLpOut(Reply):
    investor_id = Id()
    investor = Text()
    investor_type = Text()
    committed = Amount()
    paid_in = Amount()
    unfunded = Amount()
    distributed = Amount()
    nav_share = Amount()
    paid_in_ratio = Rate(nullable=True)
    tvpi = Multiple(nullable=True)
    irr = Irr(nullable=True)


class QrPerformanceOut(Reply):
    net_irr = Irr(nullable=True)
    tvpi = Multiple(nullable=True)
    dpi = Multiple(nullable=True)
    rvpi = Multiple(nullable=True)
    pic = Rate(nullable=True)
    nav = Amount()
    nav_on = Day(nullable=True, doc="the reported NAV the figure is rolled from")
    gross_irr = Irr(nullable=True)
    gross_moic = Multiple(nullable=True)
    accrued_carry = Amount(nullable=True, doc="null: no waterfall terms, or LP access")
    nav_net_of_carry = Amount(nullable=True)


class QrPmeOut(Reply):
    index_code = Text()
    ks_pme = Irr(nullable=True, doc="a ratio (above 1: the fund beat the index)")
    direct_alpha = Irr(nullable=True)
    error = Text(nullable=True, doc="why the PME is n/a (a message code)")


class QrHistoryPointOut(Reply):
    on = Day()
    paid_in = Amount()
    distributed = Amount()
    nav = Amount()
    dpi = Multiple(nullable=True)
    tvpi = Multiple(nullable=True)
    irr = Irr(nullable=True)


class QrDealOut(Reply):
    company_id = Id()
    company = Text()
    sector = Text()
    first_on = Day(nullable=True)
    cost = Amount()
    disposed_cost = Amount()
    remaining_cost = Amount()
    fair_value = Amount()
    realised = Amount()
    escrow = Amount()
    moic = Multiple(nullable=True)
    irr = Irr(nullable=True)
    method = Text(nullable=True, doc="null: carried at cost (no valuation)")
    valued_on = Day(nullable=True)


class QrFlowOut(Reply):
    id = Id()
    value_on = Day()
    kind = Text()
    call_purpose = Text(nullable=True)
    distribution_type = Text(nullable=True)
    amount = Amount(doc="positive in the direction the kind names; a reversal negative")
    counterparty = Text()
    company = Text(nullable=True)
    sub_fund = Text(nullable=True)
    memo = Text()
    reverses_id = Id(nullable=True)


class QrFeeOut(Reply):
    category = Text(doc="management_fee or expense")
    quarter = Amount()
    ytd = Amount()
    itd = Amount()


class QrCapitalAccountOut(Reply):
    """One LP's ILPA capital account for the quarter: every line signed as its effect on
    the account; opening + lines = closing (fundops.calc.capital_account)."""

    investor_id = Id()
    investor = Text()
    opening = Amount(doc="NAV share at the previous quarter end")
    contributions = Amount()
    management_fees = Amount(doc="the LP's share of the fund's fees (≤ 0)")
    fund_expenses = Amount(doc="the LP's share of the fund's expenses (≤ 0)")
    realised = Amount(doc="the LP's share of realised gain/loss")
    unrealised = Amount(doc="the LP's share of the change in unrealised gain/loss")
    carry = Amount(doc="carried interest: − taken from this LP, + to the carry recipient")
    distributions = Amount(doc="distributions received (≤ 0)")
    transfers = Amount(doc="NAV share moved by LP-interest transfers")
    reallocation = Amount(doc="reallocation among partners; sums to zero over the LPs")
    closing = Amount(doc="NAV share at the quarter end")
    committed = Amount()
    paid_in = Amount()
    unfunded = Amount()
    recallable = Amount()


class QrSubFundOut(Reply):
    fund_id = Id()
    code = Text()
    name_zh = Text()
    committed = Amount(nullable=True)
    paid_in = Amount(nullable=True)
    returned = Amount(nullable=True)
    nav_share = Amount(nullable=True)
    tvpi = Multiple(nullable=True)
    irr = Irr(nullable=True)
    fund_irr = Irr(nullable=True)


class QrRatioOut(Reply):
    definition = Text()
    label_zh = Text()
    label_en = Text()
    basis = Text()
    numerator = Amount()
    denominator = Amount()
    value = Multiple(nullable=True)


class QrBreachOut(Reply):
    fund_id = Id()
    fund_code = Text()
    indicator = Text()
    value = Rate(nullable=True)
    threshold = Rate()
    comparison = Text(doc="min or max")


class QrParentOut(Reply):
    look_through_total = Amount()
    direct_holdings = Amount()
    companies = Int()
    consistent = Bool()
    leverage = Lines(QrRatioOut)
    loan_approved = Amount()
    loan_disbursed = Amount()
    loan_leverage = Lines(QrRatioOut)
    breaches = Lines(QrBreachOut)


class QuarterlyReportOut(Reply):
    fund = Object(FundOut)
    manager = Text()
    quarter = Text()
    start = Day()
    end = Day()
    report_on = Day()
    commitments = Object(QrCommitmentsOut)
    lps = Lines(QrLpOut)
    performance = Object(QrPerformanceOut)
    pme = Lines(QrPmeOut)
    history = Lines(QrHistoryPointOut)
    schedule = Lines(QrDealOut)
    cash_flows = Lines(QrFlowOut)
    fees = Lines(QrFeeOut)
    capital_accounts = Lines(QrCapitalAccountOut)
    subsequent_events = Lines(QrFlowOut)
    sub_funds = Lines(QrSubFundOut)
    parent = Object(QrParentOut, nullable=True, metadata={"description": "parent funds only"})


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as dicts (NaN → None)."""
    out = []
    for rec in frame.to_dict("records"):
        out.append({k: (None if isinstance(v, float) and math.isnan(v) else v)
                    for k, v in rec.items()})
    return out


def _ratios(ratios: tuple[Any, ...]) -> list[dict[str, Any]]:
    return [{"definition": r.definition, "label_zh": r.label_zh, "label_en": r.label_en,
             "basis": str(r.basis), "numerator": r.numerator, "denominator": r.denominator,
             "value": r.value} for r in ratios]


def _parent(report: QuarterlyReport) -> dict[str, Any] | None:
    p = report.parent
    if p is None:
        return None
    lt = p.look_through
    breaches = [{"fund_id": f.fund_id, "fund_code": f.fund_code, "indicator": i.code,
                 "value": i.value, "threshold": i.rule.threshold,
                 "comparison": i.rule.comparison}
                for f in p.policy.breaches for i in f.breaches if i.rule is not None]
    return {"look_through_total": lt.total_amount, "direct_holdings": fen(lt.direct_total_exact),
            "companies": len(lt.rows), "consistent": lt.consistent,
            "leverage": _ratios(p.leverage.ratios), "loan_approved": p.loan_leverage.approved,
            "loan_disbursed": p.loan_leverage.disbursed,
            "loan_leverage": _ratios(p.loan_leverage.ratios), "breaches": breaches}


def _flows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [r | {"counterparty": r["counterparty"] or "", "memo": r["memo"] or ""}
            for r in records(frame)]


def report_data(report: QuarterlyReport) -> dict[str, Any]:
    """The reply of ``GET /funds/<id>/reports/quarterly``."""
    net, gross, carry = report.net, report.metrics.gross, report.carry
    committed = net.committed if net.committed is not None else 0
    return {
        "fund": fund_data(report.fund, report.access), "manager": report.manager_name,
        "quarter": str(report.quarter), "start": report.start, "end": report.end,
        "report_on": report.report_on,
        "commitments": {"committed": committed, "paid_in": net.paid_in,
                        "unfunded": committed - net.paid_in, "distributed": net.distributed,
                        "paid_in_ratio": net.pic},
        "lps": records(report.lps),
        "performance": {
            "net_irr": net.irr, "tvpi": net.tvpi, "dpi": net.dpi, "rvpi": net.rvpi,
            "pic": net.pic, "nav": net.value, "nav_on": net.value_on,
            "gross_irr": gross.irr if gross else None, "gross_moic": gross.tvpi if gross else None,
            "accrued_carry": carry.result.accrued_carry if carry else None,
            "nav_net_of_carry": (carry.result.nav - carry.result.accrued_carry) if carry else None},
        "pme": [{"index_code": p.index_code, "ks_pme": p.result.ks_pme if p.result else None,
                 "direct_alpha": p.result.direct_alpha if p.result else None,
                 "error": p.error.code if p.error else None} for p in report.pmes],
        "history": [{"on": h.on, "paid_in": h.net.paid_in, "distributed": h.net.distributed,
                     "nav": h.net.value, "dpi": h.net.dpi, "tvpi": h.net.tvpi,
                     "irr": h.net.irr} for h in report.history],
        "schedule": records(report.schedule),
        "cash_flows": _flows(report.flows),
        "fees": [{"category": k, **{c: r[c] for c in ("quarter", "ytd", "itd")}}
                 for k, r in report.fees.iterrows()],
        "capital_accounts": records(report.capital),
        "subsequent_events": _flows(report.subsequent),
        "sub_funds": [{"fund_id": b.fund.id, "code": b.fund.code, "name_zh": b.fund.name_zh,
                       "committed": b.stake.committed if b.stake else None,
                       "paid_in": b.stake.paid_in if b.stake else None,
                       "returned": b.stake.distributed if b.stake else None,
                       "nav_share": b.stake.value if b.stake else None,
                       "tvpi": b.stake.tvpi if b.stake else None,
                       "irr": b.stake.irr if b.stake else None,
                       "fund_irr": b.net.irr if b.net else None} for b in report.sub_funds],
        "parent": _parent(report),
    }
