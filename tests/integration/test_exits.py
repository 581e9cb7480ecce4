"""Exit events on a holding, through the services on both databases: partial and full
sales with exact average cost, the holding closed (deal view 0 after), reversal reopening
it; escrow released and forfeited; buy-back claims; liquidation and write-off; every bad
input a named error with nothing written; two concurrent full sales, one posted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.errors import ConflictError, DomainError, ValidationError
from fundops.exits import claims, queries, services
from fundops.exits.enums import ClaimStatus, ExitKind
from fundops.exits.models import BuybackClaim, EscrowRelease, ExitEvent
from fundops.exits.positions import business_today, holding_position
from fundops.extensions import db
from fundops.metrics.perspectives import deal_position
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio.enums import CashFlowKind
from fundops.portfolio.ledger import CashFlow
from tests.factories import World, fund_with_activity, make_company, make_world
from tests.integration.test_bad_input import table_counts
from tests.threads import race

D = Decimal
END = date(2024, 12, 31)


def world() -> World:
    w = make_world()
    fund_with_activity(w)  # 50,000,000.00 for 1,000,000 shares on 2020-07-15; FV 65M 2022-12-31
    return w


def sale(w: World, **kw: Any) -> ExitEvent:
    args: dict[str, Any] = {"company_id": w.company.id, "kind": "trade_sale",
                            "value_on": "2023-03-31", "consideration": "30000000"} | kw
    return services.record_trade_sale(w.gp, w.fund.id, **args)


def proceeds(fund_id: int) -> list[CashFlow]:
    return list(db.session.scalars(sa.select(CashFlow).where(
        CashFlow.fund_id == fund_id, CashFlow.kind == CashFlowKind.PROCEEDS)
        .order_by(CashFlow.id)))


def test_partial_then_full_sale_realises_at_average_cost_and_closes(app: Flask) -> None:
    w = world()
    first = sale(w, shares="400000")
    assert (first.cost_basis_amount, first.realised_gain_amount) == (D("20000000.00"),
                                                                      D("10000000.00"))
    assert first.value_before_amount == D("65000000.00")
    assert first.remaining_value_amount == D("39000000.00")  # 65M × (1 − 0.4)
    assert first.fraction_disposed == D("0.4") and not first.closes_holding
    second = sale(w, value_on="2023-06-30", consideration="50000000", escrow="5000000",
                  escrow_due_on="2024-06-30", kind="equity_transfer")
    assert second.shares == D("600000") and second.closes_holding
    assert (second.cost_basis_amount, second.realised_gain_amount) == (D("30000000.00"),
                                                                       D("20000000.00"))
    assert [p.amount for p in proceeds(w.fund.id)] == [D("30000000.00"), D("45000000.00")]
    pos = holding_position(w.fund.id, w.company.id, date(2023, 12, 31))
    assert pos.closed and pos.shares_held == 0 and pos.remaining_cost == 0
    assert pos.realised_gain == D("30000000.00") and pos.escrow_outstanding == D("5000000.00")
    deal = deal_position(w.gp, w.fund.id, w.company.id, date(2023, 12, 31)).position
    assert deal.value == 0 and deal.distributed == D("75000000.00")
    with pytest.raises(ConflictError) as closed:
        sale(w, value_on="2023-09-30", consideration="1")
    assert closed.value.code == "holding_closed"
    with pytest.raises(ConflictError) as later:
        services.reverse_exit(w.gp, first.id, "typo")
    assert later.value.code == "exit_later_exit_first"
    back = services.reverse_exit(w.gp, second.id, "wrong buyer")
    assert back.reverses_id == second.id and back.proceeds_amount == D("-50000000.00")
    pos = holding_position(w.fund.id, w.company.id, date(2023, 12, 31))
    assert not pos.closed and pos.shares_held == D("600000") and pos.value == D("39000000.00")
    assert pos.remaining_cost == D("30000000.00") and pos.escrow_outstanding == 0
    deal = deal_position(w.gp, w.fund.id, w.company.id, date(2023, 12, 31)).position
    assert deal.value == D("39000000.00") and deal.distributed == D("30000000.00")
    with pytest.raises(ConflictError):
        services.reverse_exit(w.gp, second.id, "again")
    again = sale(w, value_on="2023-07-31", consideration="40000000")  # reopened: sells again
    assert again.closes_holding and again.cost_basis_amount == D("30000000.00")


def test_average_cost_over_three_partial_sales_sums_exactly(app: Flask) -> None:
    w = make_world()
    company = make_company(w.gp)
    ledger.record_capital_call(w.gp, w.fund.id, value_on="2020-06-30", amount="5000000",
                               purpose="investment")
    for day, amount, shares in (("2020-07-01", "1000000", "300"),
                                ("2021-07-01", "2000000", "400")):
        ledger.record_investment(w.gp, w.fund.id, company_id=company.id, round_name="A",
                                 instrument="ordinary_equity", invested_on=day, amount=amount,
                                 shares=shares)
    bases = []
    for day, shares in (("2022-01-31", "100"), ("2022-02-28", "250"), ("2022-03-31", "350")):
        event = sale(w, company_id=company.id, value_on=day, shares=shares,
                     consideration="1000000")
        bases.append(event.cost_basis_amount)
    assert bases == [D("428571.43"), D("1071428.57"), D("1500000.00")]
    assert sum(bases) == D("3000000.00") and event.closes_holding
    assert queries.list_holding_positions(w.fund.id, date(2022, 4, 1))[0].position.closed


def test_fraction_sale_without_share_counts(app: Flask) -> None:
    w = make_world()
    company = make_company(w.gp)
    ledger.record_capital_call(w.gp, w.fund.id, value_on="2020-06-30", amount="3000000",
                               purpose="investment")
    ledger.record_investment(w.gp, w.fund.id, company_id=company.id, round_name="A",
                             instrument="ordinary_equity", invested_on="2020-07-01",
                             amount="1000000.01")
    event = sale(w, company_id=company.id, fraction="0.3", consideration="500000",
                 remaining_value="900000")
    assert event.shares is None and event.cost_basis_amount == D("300000.00")  # .003 → .00
    assert event.remaining_value_amount == D("900000.00")
    assert holding_position(w.fund.id, company.id, date(2022, 1, 1)).value == D("1000000.01")
    pos = holding_position(w.fund.id, company.id, date(2023, 4, 1))
    assert pos.shares_held is None and pos.value == D("900000.00")
    assert pos.remaining_cost == D("700000.01")


def test_escrow_released_and_forfeited(app: Flask) -> None:
    w = world()
    event = sale(w, shares="500000", consideration="40000000", escrow="6000000")
    value = holding_position(w.fund.id, w.company.id, date(2023, 3, 31)).value
    assert value == D("32500000.00")
    released = services.release_escrow(w.gp, event.id, value_on="2023-09-30",
                                       amount="4000000", outcome="released")
    assert released.cash_flow_id is not None
    # the released price of sold shares does not lower the holding still held
    assert holding_position(w.fund.id, w.company.id, date(2023, 10, 1)).value == value
    assert deal_position(w.gp, w.fund.id, w.company.id,
                         date(2023, 10, 1)).position.value == value
    services.release_escrow(w.gp, event.id, value_on="2023-10-31", amount="2000000",
                            outcome="forfeited")
    line = next(x for x in queries.list_exits(w.fund.id) if x.event.id == event.id)
    assert line.escrow_outstanding == 0 and line.realised_net == D("13000000.00")  # 15M − 2M
    pos = holding_position(w.fund.id, w.company.id, date(2023, 11, 1))
    assert pos.realised_gain == D("13000000.00") and pos.escrow_outstanding == 0
    before = table_counts()
    with pytest.raises(ValidationError) as over:
        services.release_escrow(w.gp, event.id, value_on="2023-11-30", amount="0.01",
                                outcome="released")
    assert over.value.code == "escrow_above_outstanding" and table_counts() == before
    with pytest.raises(ConflictError) as stands:
        services.reverse_exit(w.gp, event.id, "x")
    assert stands.value.code == "exit_has_escrow_releases"
    undo = services.reverse_escrow_release(w.gp, released.id, "bank returned it")
    assert undo.amount == D("-4000000.00")
    assert [p.amount for p in proceeds(w.fund.id)][-1] == D("-4000000.00")
    line = next(x for x in queries.list_exits(w.fund.id) if x.event.id == event.id)
    assert line.escrow_outstanding == D("4000000.00")


def test_buyback_claim_accrues_settles_and_reopens_on_reversal(app: Flask) -> None:
    w = world()
    claim = claims.open_claim(w.gp, w.fund.id, company_id=w.company.id,
                              obligor_kind="founders", obligor_name="张三",
                              trigger="no_ipo_by_date", triggered_on="2023-07-15")
    assert claim.principal_amount == D("50000000.00") and claim.rate == D("0.08")
    assert claim.accrues_from == date(2020, 7, 15)
    # 2020-07-15 → 2023-07-15 is 1,095 days = 3 years: 50M × 1.24
    assert claims.claim_price(claim, date(2023, 7, 15)) == D("62000000.00")
    with pytest.raises(ConflictError) as dup:
        claims.open_claim(w.gp, w.fund.id, company_id=w.company.id, obligor_kind="company",
                          obligor_name="公司", trigger="other", triggered_on="2023-07-16")
    assert dup.value.code == "buyback_claim_already_open"
    event = claims.settle_claim(w.gp, claim.id, value_on="2023-07-15")
    assert event.kind is ExitKind.BUYBACK and event.closes_holding
    assert event.proceeds_amount == D("62000000.00")
    assert event.realised_gain_amount == D("12000000.00")
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.SETTLED
    with pytest.raises(ConflictError):
        claims.withdraw_claim(w.gp, claim.id, "no")
    services.reverse_exit(w.gp, event.id, "cheque bounced")
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.OPEN
    claims.withdraw_claim(w.gp, claim.id, "waived")
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.WITHDRAWN
    assert queries.list_claims(w.fund.id, date(2023, 8, 1))[0].accrued is None


def test_write_off_tolerated_and_liquidation(app: Flask) -> None:
    w = world()
    off = services.record_liquidation(w.gp, w.fund.id, company_id=w.company.id,
                                      kind="write_off", value_on="2023-05-31",
                                      reason="破产清算终结", approval_doc="投委会决议 2023-05",
                                      tolerated=True)
    assert off.closes_holding and off.tolerated and off.cash_flow_id is None
    assert off.realised_gain_amount == D("-50000000.00") and off.remaining_value_amount == 0
    assert deal_position(w.gp, w.fund.id, w.company.id, date(2023, 6, 30)).position.value == 0
    w2 = world()
    liq = services.record_liquidation(w2.gp, w2.fund.id, company_id=w2.company.id,
                                      kind="liquidation", value_on="2023-05-31",
                                      reason="清算", proceeds="1234567.89")
    assert liq.realised_gain_amount == D("-48765432.11") and liq.closes_holding


def _tomorrow() -> str:
    return (business_today() + timedelta(days=1)).isoformat()


BAD: dict[str, tuple[Callable[[World], Any], str]] = {
    "more shares than held": (lambda w: sale(w, shares="1000000.0001"), "shares_above_held"),
    "dated before the investment": (lambda w: sale(w, value_on="2020-07-14"),
                                    "exit_before_investment"),
    "dated after today": (lambda w: sale(w, value_on=_tomorrow()), "exit_in_future"),
    "escrow above the consideration": (lambda w: sale(w, escrow="30000000.01"),
                                       "escrow_above_consideration"),
    "fraction above 1": (lambda w: sale(w, fraction="1.5"), "fraction_out_of_range"),
    "zero fraction": (lambda w: sale(w, fraction="0"), "amount_zero"),
    "shares and fraction": (lambda w: sale(w, shares="1", fraction="0.1"),
                            "shares_or_fraction"),
    "negative consideration": (lambda w: sale(w, consideration="-1"), "amount_negative"),
    "not a sale kind": (lambda w: sale(w, kind="buyback"), "exit_kind_not_sale"),
    "write-off without approval": (
        lambda w: services.record_liquidation(w.gp, w.fund.id, company_id=w.company.id,
                                              kind="write_off", value_on="2023-01-31",
                                              reason="x"), "required"),
    "write-off with proceeds": (
        lambda w: services.record_liquidation(w.gp, w.fund.id, company_id=w.company.id,
                                              kind="write_off", value_on="2023-01-31",
                                              reason="x", approval_doc="d", proceeds="5"),
        "write_off_no_proceeds"),
    "claim rate above 1": (
        lambda w: claims.open_claim(w.gp, w.fund.id, company_id=w.company.id,
                                    obligor_kind="company", obligor_name="公司",
                                    trigger="other", triggered_on="2023-01-31", rate="1.2"),
        "rate_above_one"),
    "claim accruing after its trigger": (
        lambda w: claims.open_claim(w.gp, w.fund.id, company_id=w.company.id,
                                    obligor_kind="company", obligor_name="公司",
                                    trigger="other", triggered_on="2023-01-31",
                                    accrues_from="2023-02-01"), "accrual_after_trigger"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_named_and_writes_nothing(app: Flask, case: str) -> None:
    w = world()
    action, code = BAD[case]
    before = table_counts()
    with pytest.raises(DomainError) as refused:
        action(w)
    assert refused.value.code == code
    db.session.rollback()
    assert table_counts() == before


def test_out_of_order_and_closed_holding_refused_writing_nothing(app: Flask) -> None:
    w = world()
    sale(w, shares="100000", value_on="2023-06-30")
    before = table_counts()
    with pytest.raises(ValidationError) as early:
        sale(w, shares="100000", value_on="2023-03-31")
    assert early.value.code == "exit_before_last_exit" and table_counts() == before
    sale(w, value_on="2023-07-31")
    before = table_counts()
    for kw in ({"value_on": "2023-08-31"}, {"value_on": "2023-07-31", "fraction": "0.5"}):
        with pytest.raises(ConflictError) as closed:
            sale(w, **kw)
        assert closed.value.code == "holding_closed"
    with pytest.raises(ConflictError):
        claims.open_claim(w.gp, w.fund.id, company_id=w.company.id, obligor_kind="company",
                          obligor_name="公司", trigger="other", triggered_on="2023-08-01")
    assert table_counts() == before


def test_two_concurrent_full_sales_post_once(app: Flask) -> None:
    w = world()
    gp, fund_id, company_id = w.gp, w.fund.id, w.company.id
    db.session.remove()

    def full_sale(i: int) -> None:
        services.record_trade_sale(gp, fund_id, company_id=company_id, kind="trade_sale",
                                   value_on="2023-03-31", consideration=f"{70000000 + i}")

    got = race(app, full_sale, [1, 2], ConflictError)
    assert sorted(got) == ["ok", "refused"]
    events = db.session.scalars(sa.select(ExitEvent).where(ExitEvent.fund_id == fund_id)).all()
    assert len(events) == 1 and events[0].closes_holding
    assert len(proceeds(fund_id)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BuybackClaim)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EscrowRelease)) == 0


def test_concurrent_escrow_releases_never_exceed_the_escrow(app: Flask) -> None:
    w = world()
    event = sale(w, shares="100000", consideration="8000000", escrow="1000000")
    gp, event_id = w.gp, event.id
    db.session.remove()

    def release(i: int) -> None:
        services.release_escrow(gp, event_id, value_on="2023-06-30", amount=f"{600000 + i}",
                                outcome="released")

    got = race(app, release, [1, 2], DomainError)
    assert sorted(got) == ["ok", "refused"]
    released = db.session.scalars(sa.select(EscrowRelease.amount).where(
        EscrowRelease.exit_event_id == event_id)).all()
    assert len(released) == 1 and released[0] <= Decimal("1000000.00")


def test_concurrent_settlements_of_one_claim_post_once(app: Flask) -> None:
    w = world()
    claim = claims.open_claim(w.gp, w.fund.id, company_id=w.company.id, obligor_kind="founders",
                              obligor_name="创始人", trigger="other", triggered_on="2023-03-31")
    gp, claim_id, fund_id = w.gp, claim.id, w.fund.id
    db.session.remove()

    def settle(i: int) -> None:
        claims.settle_claim(gp, claim_id, value_on="2023-06-30", amount=f"{60000000 + i}")

    got = race(app, settle, [1, 2], DomainError)
    assert sorted(got) == ["ok", "refused"]
    events = db.session.scalars(sa.select(ExitEvent).where(ExitEvent.fund_id == fund_id)).all()
    assert len(events) == 1 and events[0].kind == ExitKind.BUYBACK
    assert db.session.get(BuybackClaim, claim_id).status == ClaimStatus.SETTLED  # type: ignore[union-attr]


def exit_objects(w: World) -> dict[str, int]:
    """An exit with escrow (partly released) and an open buy-back claim on the holding of
    ``fund_with_activity(w)``: the ids the route walks need."""
    event = sale(w, shares="100000", consideration="8000000", escrow="1000000")
    release = services.release_escrow(w.gp, event.id, value_on="2023-06-30", amount="400000",
                                      outcome="released")
    claim = claims.open_claim(w.gp, w.fund.id, company_id=w.company.id,
                              obligor_kind="company", obligor_name="标的公司",
                              trigger="no_ipo_by_date", triggered_on="2023-07-31")
    return {"exit_id": event.id, "release_id": release.id, "claim_id": claim.id}


def test_a_reversed_investment_adds_no_shares(app: Flask) -> None:
    """Shares held count the live investments only: a reversed one (and its reversal)
    adds nothing, another fund's entries are not read."""
    w = world()
    wrong = ledger.record_investment(w.gp, w.fund.id, company_id=w.company.id, round_name="B",
                                     instrument="ordinary_equity", invested_on="2021-03-01",
                                     amount="9000000", shares="300000")
    ledger.reverse_entry(w.gp, w.fund.id, wrong.cash_flow_id, "wrong round")
    ledger.record_investment(w.gp, w.fund.id, company_id=w.company.id, round_name="B",
                             instrument="ordinary_equity", invested_on="2021-03-01",
                             amount="6000000", shares="200000")
    position = holding_position(w.fund.id, w.company.id, END)
    assert position.shares_held == D("1200000")
    assert position.invested == D("56000000.00")
