"""The demo's exits after the simulated years (all in the first half of 2026, after the
last half-yearly holding values of 2025-12-31), in 启明's (gp1) funds, through the
services like user input (illustrative data):

- a trade sale (并购) of a whole holding at 110 % of its last fair value, 10 % held in
  escrow for six months; half of the escrow is released on its due date, the rest stays
  outstanding;
- a buy-back claim (回购) against the founders at 8 % simple from the first investment,
  triggered because the company did not list by the agreed date; open (accruing);
- a write-off (核销) of the weakest holding, marked tolerated under the loss-tolerance
  rules (容亏), with its reason and approval document.

Each picks a different holding that has no proceeds, listing or exit yet, all in one fund
(the one with the IPO if it has three such holdings, else the first by code) whose life
covers the dates; the choice is by figures only (deterministic).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from fundops.clock import business_today
from fundops.demo.catalogue import DEMO_END
from fundops.exits import claims, services
from fundops.exits.models import ExitEvent, IpoListing
from fundops.exits.positions import holding_position
from fundops.extensions import db
from fundops.portfolio.enums import CashFlowKind
from fundops.portfolio.ledger import CashFlow, Investment
from fundops.portfolio.models import Fund
from fundops.uow import Actor

SALE_ON = date(2026, 1, 20)
ESCROW_DUE_ON = date(2026, 7, 20)
WRITE_OFF_ON = date(2026, 3, 31)
BUYBACK_ON = date(2026, 6, 30)
BUYBACK_RATE = "0.08"
TEN_THOUSAND = Decimal(10000)


@dataclass(frozen=True)
class Holding:
    fund_id: int
    company_id: int
    cost: Decimal
    value: Decimal

    @property
    def multiple(self) -> Decimal:
        return self.value / self.cost if self.cost else Decimal(0)


def _wan(amount: Decimal) -> Decimal:
    """Rounded half-up to 10,000 yuan (a negotiated price)."""
    return (amount / TEN_THOUSAND).quantize(Decimal(1), ROUND_HALF_UP) * TEN_THOUSAND


def _candidates(funds: list[Fund], on: date) -> list[Holding]:
    """Open holdings of ``funds`` with no proceeds, listing or exit, last invested before
    the demo's end and whose fund's life covers ``on``, ordered by (fund, company)."""
    live = [f.id for f in funds if f.life_end_on >= on and f.inception_on <= DEMO_END]
    taken = (sa.select(CashFlow.company_id).where(CashFlow.kind == CashFlowKind.PROCEEDS,
                                                  CashFlow.company_id.is_not(None))
             .union(sa.select(IpoListing.company_id), sa.select(ExitEvent.company_id)))
    rows = db.session.execute(
        sa.select(Investment.fund_id, Investment.company_id)
        .where(Investment.fund_id.in_(live), Investment.company_id.not_in(taken))
        .group_by(Investment.fund_id, Investment.company_id)
        .having(sa.func.max(Investment.invested_on) <= DEMO_END)
        .order_by(Investment.fund_id, Investment.company_id)).all()
    out = []
    for fund_id, company_id in rows:
        pos = holding_position(fund_id, company_id, on)
        if not pos.closed and pos.remaining_cost > 0:
            out.append(Holding(fund_id, company_id, pos.remaining_cost, pos.value))
    return out


def load_exits(actors: dict[str, Actor], funds: dict[str, Fund]) -> list[str]:
    """Write the three stories (see the module docstring); one summary line each."""
    gp = actors["gp1"]
    if business_today() < ESCROW_DUE_ON:
        return []
    listed = set(db.session.scalars(sa.select(IpoListing.fund_id)))
    owned = sorted((f for f in funds.values() if f.organisation_id == gp.organisation_id),
                   key=lambda f: (f.id not in listed, f.code))
    for fund in owned:  # the listed fund first: one fund's exits page shows every route
        pool = _candidates([fund], ESCROW_DUE_ON)
        if len(pool) >= 3:
            break
    else:
        return []
    by_multiple = sorted(pool, key=lambda h: (h.multiple, h.fund_id, h.company_id))
    weakest, best = by_multiple[0], by_multiple[-1]
    middle = next(h for h in pool if h not in (weakest, best))
    return [_trade_sale(gp, best), _buyback(gp, middle), _write_off(gp, weakest)]


def _trade_sale(gp: Actor, h: Holding) -> str:
    price = _wan(h.value * Decimal("1.1"))
    escrow = _wan(price / 10)
    sale = services.record_trade_sale(
        gp, h.fund_id, company_id=h.company_id, kind="trade_sale", value_on=SALE_ON,
        consideration=price, escrow=escrow, escrow_due_on=ESCROW_DUE_ON,
        counterparty="示例产业集团（并购方）", source_ref="DEMO-MA-2026-01",
        memo="整体出售，10%价款托管六个月 / whole holding sold, 10 % in escrow for six months")
    services.release_escrow(gp, sale.id, value_on=ESCROW_DUE_ON, amount=escrow / 2,
                            outcome="released", memo="托管款首期释放 / first escrow release")
    return (f"Trade sale #{sale.id}: {price:,.2f} on {SALE_ON.isoformat()}, escrow "
            f"{escrow:,.2f}, half released {ESCROW_DUE_ON.isoformat()}")


def _buyback(gp: Actor, h: Holding) -> str:
    claim = claims.open_claim(
        gp, h.fund_id, company_id=h.company_id, obligor_kind="founders",
        obligor_name="创始人及实际控制人", trigger="no_ipo_by_date", triggered_on=BUYBACK_ON,
        rate=BUYBACK_RATE, method="simple",
        memo="未能在约定日期前完成合格上市，触发回购条款 / no qualified IPO by the agreed date")
    accrued = claims.claim_price(claim, business_today())
    return (f"Buy-back claim #{claim.id} at 8 % simple, open; accrued price today "
            f"{accrued:,.2f}")


def _write_off(gp: Actor, h: Holding) -> str:
    event = services.record_liquidation(
        gp, h.fund_id, company_id=h.company_id, kind="write_off", value_on=WRITE_OFF_ON,
        reason="公司停止经营，经清算无可分配财产 / operations ceased, nothing left to distribute",
        approval_doc="投决会〔2026〕3号", tolerated=True)
    return (f"Write-off #{event.id} (tolerated loss {-event.realised_gain_amount:,.2f}) on "
            f"{WRITE_OFF_ON.isoformat()}")
