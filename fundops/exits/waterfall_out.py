"""Plain dicts of the stored waterfall for the API replies (and the pages' tables):
terms versions, runs with their slices, "as if liquidated" and the conventions as
(code, English text) pairs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from fundops.calc.waterfall_terms import Convention
from fundops.exits.models import WaterfallRun, WaterfallTerms
from fundops.exits.waterfall_history import SLICE_FIELDS
from fundops.exits.waterfall_queries import (
    LiquidationView,
    reversal_of,
    stored_conventions,
)
from fundops.extensions import db
from fundops.messages import MESSAGES
from fundops.portfolio.models import Investor


def conventions_out(items: Iterable[Convention]) -> list[dict[str, str]]:
    return [{"code": c.code, "text": MESSAGES[c.code] % c.values} for c in items]


def terms_out(row: WaterfallTerms) -> dict[str, Any]:
    return {
        "id": row.id, "fund_id": row.fund_id, "effective_on": row.effective_on,
        "structure": row.structure, "capital_basis": row.capital_basis, "hurdle": row.hurdle,
        "hurdle_rate": row.hurdle_rate, "catch_up": row.catch_up_rate, "carry": row.carry_rate,
        "holdback": row.holdback_rate, "concession_placement": row.concession_placement,
        "carry_recipient_id": row.carry_recipient_id,
        "gp_commitment_ids": [p.investor_id for p in row.gp_parties],
        "concessions": [{
            "government_id": c.government_id, "threshold_rate": c.threshold_rate,
            "share": c.share_rate, "condition": c.condition,
            "beneficiaries": [{"investor_id": b.investor_id, "weight": b.weight}
                              for b in c.beneficiaries]} for c in row.concessions],
        "memo": row.memo, "recorded_at": row.recorded_at,
        "conventions": conventions_out(stored_conventions(row)),
    }


def run_out(row: WaterfallRun) -> dict[str, Any]:
    reversal = reversal_of(row.id)
    return {
        "id": row.id, "fund_id": row.fund_id, "terms_id": row.terms_id,
        "cash_flow_id": row.cash_flow_id, "company_id": row.company_id,
        "value_on": row.value_on, "amount": row.amount, "carry": row.carry_amount,
        "escrow": row.escrow_amount, "paid": row.amount - row.escrow_amount,
        "currency": row.currency,
        "conditions_met": [c for c in row.conditions.split(",") if c],
        "memo": row.memo,
        "reversed": None if reversal is None else {
            "id": reversal.id, "run_id": reversal.run_id, "cash_flow_id": reversal.cash_flow_id,
            "reason": reversal.reason, "recorded_at": reversal.recorded_at},
        "slices": [{"investor_id": s.investor_id, "investor_name": s.investor.name,
                    **{name: getattr(s, name) for name in SLICE_FIELDS},
                    "payment": s.payment_amount} for s in row.slices],
        "recorded_at": row.recorded_at,
        "conventions": conventions_out(stored_conventions(row.terms)),
    }


def names(ids: Iterable[int]) -> dict[int, str]:
    wanted = list(ids)
    if not wanted:
        return {}
    rows = db.session.query(Investor.id, Investor.name).filter(Investor.id.in_(wanted))
    return dict(rows.all())


def liquidation_out(fund_id: int, on: date, view: LiquidationView | None) -> dict[str, Any]:
    if view is None:
        return {"fund_id": fund_id, "as_of": on, "has_terms": False, "nav": None,
                "accrued_carry": None, "net_nav": None, "lps": [], "conventions": []}
    result = view.result
    shown = names(int(str(p)) for p in result.net_nav)
    return {"fund_id": fund_id, "as_of": on, "has_terms": True, "nav": result.nav,
            "accrued_carry": result.accrued_carry,
            "net_nav": result.nav - result.accrued_carry,
            "lps": [{"investor_id": p, "investor_name": shown.get(int(str(p)), ""),
                     "net_nav": v}
                    for p, v in result.net_nav.items()],
            "conventions": conventions_out(view.conventions)}

