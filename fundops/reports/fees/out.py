"""Plain dicts of the stored fee terms and drafts for the API replies."""

from __future__ import annotations

from typing import Any

from fundops.reports.fees.models import FeeDraft, FeeTerms


def terms_out(row: FeeTerms) -> dict[str, Any]:
    return {
        "id": row.id, "fund_id": row.fund_id, "effective_on": row.effective_on,
        "frequency": row.frequency, "timing": row.timing, "source": row.source,
        "offset_rate": row.offset_rate, "charge_in_extension": row.charge_in_extension,
        "tiers": [{"basis": t.basis, "rate": t.rate, "from_on": t.from_on, "to_on": t.to_on}
                  for t in row.tiers],
        "memo": row.memo, "recorded_at": row.recorded_at,
    }


def draft_out(row: FeeDraft) -> dict[str, Any]:
    return {
        "id": row.id, "fund_id": row.fund_id, "terms_id": row.terms_id, "period": row.period,
        "period_start": row.period_start, "period_end": row.period_end, "due_on": row.due_on,
        "timing": row.timing, "source": row.source, "regular_fee": row.regular_amount,
        "catch_up_fee": row.catch_up_amount, "fee": row.fee_amount,
        "fee_income": row.income_amount, "offset_rate": row.offset_rate,
        "offset": row.offset_amount, "net_fee": row.net_amount, "currency": row.currency,
        "status": row.status, "call_cash_flow_id": row.call_cash_flow_id,
        "fee_cash_flow_id": row.fee_cash_flow_id, "prepared_at": row.prepared_at,
        "decided_at": row.decided_at, "reason": row.reason,
        "lines": [{"kind": x.kind, "investor_id": x.investor_id, "basis": x.basis,
                   "base": x.base_amount, "rate": x.rate, "from_on": x.from_on,
                   "to_on": x.to_on, "days": x.days, "amount": x.amount} for x in row.lines],
        "shares": [{"investor_id": s.investor_id, "investor_name": s.investor.name,
                    "weight": s.weight_amount, "regular": s.regular_amount,
                    "catch_up": s.catch_up_amount, "amount": s.amount} for s in row.shares],
    }
