"""S-fund transfers of an LP interest (份额转让): the register, the LP returns, the fund's
metrics unchanged, refusals, reversal and a real-thread race, on both databases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundops.calc.allocation import allocate_pro_rata
from fundops.calc.returns import xirr
from fundops.errors import ConflictError, DomainError, NotFound, ValidationError
from fundops.exits import transfers
from fundops.exits.models import InterestTransfer
from fundops.exits.transfer_register import interests_on
from fundops.extensions import db
from fundops.metrics.perspectives import fund_metrics, lp_position
from fundops.models import CashFlow, Commitment, Fund, Investor
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from fundops.portfolio.queries import get_fund_totals
from fundops.uow import Actor
from tests.factories import make_fund, make_user, next_n
from tests.integration.test_ledger_races import outcomes

AS_OF = date(2024, 6, 30)
D = Decimal


def build(actor: Actor, fund: Fund | None = None) -> tuple[Fund, list[Investor]]:
    """A fund with LPs 300 / 200 / 100 million, a call of 60 m, a distribution of 12 m,
    a NAV at 2022-12-31 and a call of 30 m after it (2023-03-31)."""
    fund = fund or make_fund(actor)
    lps = []
    for i, amount in enumerate(("300000000", "200000000", "100000000")):
        lp = services.create_investor(actor, f"LP {i} {next_n()}", "private")
        services.add_commitment(actor, fund.id, lp.id, amount, "2020-03-01")
        lps.append(lp)
    ledger.record_capital_call(actor, fund.id, value_on="2020-06-30", amount="60000000",
                               purpose="investment")
    ledger.record_distribution(actor, fund.id, value_on="2022-06-30", amount="12000000",
                               distribution_type="gain")
    ledger.record_valuation(actor, fund.id, as_of="2022-12-31", nav_amount="80000000")
    ledger.record_capital_call(actor, fund.id, value_on="2023-03-31", amount="30000000",
                               purpose="investment")
    return fund, lps


def finish(actor: Actor, fund: Fund) -> None:
    """After the transfer date: one more call and a NAV on the as-of date."""
    ledger.record_capital_call(actor, fund.id, value_on="2023-09-30", amount="12000000",
                               purpose="investment")
    ledger.record_valuation(actor, fund.id, as_of=AS_OF, nav_amount="99000000.01")


def test_sfund_transfer_worked_example(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, (seller, lp1, lp2) = build(gp)
    # Seller's reference NAV at 2022-12-31: half the fund's 80 m = 40 m; 15 % discount;
    # after the reference date it paid its 15 m share of the 30 m call (nothing received).
    transfer = transfers.record_transfer(
        gp, fund.id, seller_id=seller.id, new_buyer=transfers.NewBuyer("S基金 甲", "private"),
        transfer_on="2023-06-30", reference_on="2022-12-31", reference_nav="40000000",
        discount_rate="0.15", memo="S fund")
    assert transfer.price_amount == D("49000000.00")  # 40m × 0.85 + 15m − 0
    assert (transfer.calls_after_amount, transfer.distributions_after_amount) == (
        D("15000000.00"), D("0.00"))
    assert (transfer.commitment_amount, transfer.paid_in_amount) == (
        D("300000000.00"), D("45000000.00"))
    buyer = transfer.buyer
    before = interests_on(fund.id, [seller.id, buyer.id], date(2023, 6, 29))
    after = interests_on(fund.id, [seller.id, buyer.id], date(2023, 6, 30))
    assert before[seller.id].committed == D("300000000.00") and before[buyer.id].committed == 0
    assert after[seller.id].committed == 0 and after[seller.id].paid_in == 0
    assert after[buyer.id].committed == D("300000000.00")
    assert after[buyer.id].paid_in == D("45000000.00")
    finish(gp, fund)
    # the next call is allocated to the buyer, never to the seller
    call = db.session.scalars(sa.select(CashFlow).where(
        CashFlow.fund_id == fund.id, CashFlow.value_on == date(2023, 9, 30))).one()
    split = {a.investor_id: a.amount for a in call.allocations}
    assert split == {buyer.id: D("6000000.00"), lp1.id: D("4000000.00"),
                     lp2.id: D("2000000.00"), seller.id: D("0.00")}

    # Seller: its calls and distribution, then the price as its last inflow; nothing left.
    seller_irr = xirr([date(2020, 6, 30), date(2022, 6, 30), date(2023, 3, 31),
                       date(2023, 6, 30)], [D(-30000000), D(6000000), D(-15000000),
                                            D(49000000)])
    sold = lp_position(gp, fund.id, seller.id, AS_OF).position
    assert sold.value == 0 and sold.irr == pytest.approx(seller_irr, abs=1e-9)
    assert (sold.paid_in, sold.distributed) == (D("45000000.00"), D("55000000.00"))
    # Buyer: the price as its first outflow, its call, and its NAV share (pro rata to
    # paid-in in the register: 45m + 6m of 102m).
    nav_share = allocate_pro_rata(D("99000000.01"), [
        (buyer.id, D(51000000)), (lp1.id, D(34000000)), (lp2.id, D(17000000))])[buyer.id]
    buyer_irr = xirr([date(2023, 6, 30), date(2023, 9, 30), AS_OF],
                     [D(-49000000), D(-6000000), nav_share])
    bought = lp_position(gp, fund.id, buyer.id, AS_OF).position
    assert bought.value == nav_share == D("49500000.01")
    assert bought.irr == pytest.approx(buyer_irr, abs=1e-9)
    assert (bought.paid_in, bought.distributed) == (D("55000000.00"), D("0.00"))
    # the register on the LP positions: commitments moved
    assert (sold.committed, bought.committed) == (D("0.00"), D("300000000.00"))

    # The fund's own metrics are those of a twin fund with the same flows and no transfer.
    twin, _ = build(gp)
    finish(gp, twin)
    mine, theirs = fund_metrics(gp, fund.id, AS_OF), fund_metrics(gp, twin.id, AS_OF)
    for attr in ("paid_in", "distributed", "value", "irr", "committed", "dpi", "tvpi"):
        assert getattr(mine.net, attr) == getattr(theirs.net, attr), attr
    assert mine.gross == theirs.gross or (mine.gross.irr, mine.gross.value) == (
        theirs.gross.irr, theirs.gross.value)
    assert get_fund_totals(fund).paid_in_amount == get_fund_totals(twin).paid_in_amount


def test_partial_transfer_at_a_premium_and_typed_price(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, (seller, lp1, _lp2) = build(gp)
    t = transfers.record_transfer(
        gp, fund.id, seller_id=seller.id, buyer_id=lp1.id, transfer_on="2023-06-30",
        commitment_amount="100000000", reference_on="2022-12-31", reference_nav="13333333.33",
        discount_rate="-0.05", price="18000000")
    assert t.fraction == D("0.33333333") and t.paid_in_amount == D("15000000.00")
    # formula: 13,333,333.33 × 1.05 = 14,000,000.00 (half-up) + ⅓ of 15m call = 19m
    assert t.formula_price_amount == D("19000000.00") and t.price_amount == D("18000000.00")
    assert t.price_basis.value == "negotiated"
    held = interests_on(fund.id, [seller.id, lp1.id], date(2023, 7, 1))
    assert held[seller.id].committed == D("200000000.00")
    assert held[lp1.id].committed == D("300000000.00")
    assert held[seller.id].paid_in + held[lp1.id].paid_in == D("75000000.00")


def _count(model: type) -> int:
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def test_bad_transfers_are_refused_and_write_nothing(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    _, other = make_user(f"Other {next_n()}")
    fund, (seller, lp1, _lp2) = build(gp)
    stranger = services.create_investor(other, f"Stranger {next_n()}", "private")
    state = services.create_investor(gp, f"国资 {next_n()}", "state_owned")
    services.add_commitment(gp, fund.id, state.id, "50000000", "2021-01-01")
    base = {"seller_id": seller.id, "buyer_id": lp1.id, "transfer_on": "2023-06-30",
            "reference_on": "2022-12-31", "reference_nav": "40000000", "discount_rate": "0.1"}
    cases: list[tuple[dict[str, object], type[DomainError], str]] = [
        ({"commitment_amount": "300000000.01"}, ValidationError, "transfer_exceeds_interest"),
        ({"buyer_id": seller.id}, ValidationError, "transfer_to_self"),
        ({"transfer_on": "2020-02-29"}, ValidationError, "transfer_before_commitment"),
        ({"transfer_on": "2999-01-01"}, ValidationError, "outside_fund_life"),
        ({"buyer_id": stranger.id}, ValidationError, "buyer_unknown"),
        ({"buyer_id": 999999}, ValidationError, "buyer_unknown"),
        ({"price": "-1"}, ValidationError, "amount_negative"),
        ({"transfer_on": "2023-03-31"}, ConflictError, "transfer_before_later_entries"),
        ({"seller_id": state.id}, ValidationError, "appraisal_required"),
        ({"seller_id": state.id, "appraisal_ref": "京评报字[2023]第1号"}, ValidationError,
         "platform_required"),
        ({"reference_on": "2023-07-01"}, ValidationError, "reference_after_transfer"),
    ]
    before = (_count(InterestTransfer), _count(Commitment), _count(CashFlow))
    for change, error, code in cases:
        with pytest.raises(error) as caught:
            transfers.record_transfer(gp, fund.id, **{**base, **change})  # type: ignore[arg-type]
        assert caught.value.code == code, (change, caught.value.code)
    # A distribution after the reference date larger than the discounted NAV and calls.
    ledger.record_distribution(gp, fund.id, value_on="2023-04-30", amount="90000000",
                               distribution_type="gain")
    with pytest.raises(ValidationError) as caught:
        transfers.record_transfer(gp, fund.id, **{**base, "transfer_on": "2023-06-30",
                                                  "discount_rate": "0.9"})
    assert caught.value.code == "negative_price"
    with pytest.raises(NotFound):
        transfers.record_transfer(other, fund.id, **base)  # type: ignore[arg-type]
    assert (_count(InterestTransfer), _count(Commitment), _count(CashFlow)) == (
        before[0], before[1], before[2] + 1)


def test_reversal_restores_the_register_unless_used(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, (seller, lp1, _lp2) = build(gp)
    t = transfers.record_transfer(gp, fund.id, seller_id=seller.id, buyer_id=lp1.id,
                                  transfer_on="2023-06-30", reference_on="2022-12-31",
                                  reference_nav="40000000", discount_rate="0.1")
    with pytest.raises(ValidationError) as caught:
        ledger.reverse_entry(gp, fund.id, t.cash_flow_id, "not this way")
    assert caught.value.code == "reverse_the_transfer"
    back = transfers.reverse_transfer(gp, fund.id, t.id, "typo in the buyer")
    assert back.reverses_id == t.id
    held = interests_on(fund.id, [seller.id, lp1.id], AS_OF)
    assert held[seller.id].committed == D("300000000.00")
    assert held[seller.id].paid_in == D("45000000.00")
    assert held[lp1.id].committed == D("200000000.00")
    with pytest.raises(ConflictError):
        transfers.reverse_transfer(gp, fund.id, t.id, "again")
    assert lp_position(gp, fund.id, seller.id, AS_OF).position.distributed == D("6000000.00")
    # a transfer whose register a later call used cannot be reversed
    t2 = transfers.record_transfer(gp, fund.id, seller_id=seller.id, buyer_id=lp1.id,
                                   transfer_on="2023-07-31", reference_on="2022-12-31",
                                   reference_nav="40000000", discount_rate="0.1")
    finish(gp, fund)
    with pytest.raises(ConflictError) as used:
        transfers.reverse_transfer(gp, fund.id, t2.id, "too late")
    assert used.value.code == "transfer_register_used"


def test_two_racing_transfers_of_sixty_percent_one_refused(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, (seller, lp1, lp2) = build(gp)
    fund_id, seller_id, buyers = fund.id, seller.id, [lp1.id, lp2.id]
    db.session.commit()

    def sell(i: int) -> None:
        transfers.record_transfer(gp, fund_id, seller_id=seller_id, buyer_id=buyers[i],
                                  transfer_on="2023-06-30", commitment_amount="180000000",
                                  reference_on="2022-12-31", reference_nav="24000000",
                                  discount_rate="0.1")

    got = outcomes(app, sell, [0, 1])
    assert got == {"ok": 1, "ValidationError:transfer_exceeds_interest": 1}, got
    held = interests_on(fund_id, [seller_id], AS_OF)[seller_id]
    assert held.committed == D("120000000.00") and held.paid_in == D("18000000.00")


DB_SETTINGS = settings(max_examples=6, deadline=None,
                       suppress_health_check=[HealthCheck.function_scoped_fixture,
                                              HealthCheck.too_slow])


@DB_SETTINGS
@given(part=st.integers(1, 300), discount=st.integers(-50, 90),
       day=st.integers(0, 80))
def test_a_transfer_leaves_the_fund_metrics_unchanged(app: Flask, part: int, discount: int,
                                                      day: int) -> None:
    _, gp = make_user(f"GP prop {next_n()}")
    fund, (seller, lp1, _) = build(gp)
    twin, _ = build(gp)
    on = date(2023, 4, 1).toordinal() + day
    before = fund_metrics(gp, fund.id, AS_OF)
    transfers.record_transfer(
        gp, fund.id, seller_id=seller.id, buyer_id=lp1.id, transfer_on=date.fromordinal(on),
        commitment_amount=D(part * 1000000), reference_on="2022-12-31",
        reference_nav="40000000", discount_rate=D(discount).scaleb(-2))
    finish(gp, fund)
    finish(gp, twin)
    mine, theirs = fund_metrics(gp, fund.id, AS_OF), fund_metrics(gp, twin.id, AS_OF)
    for attr in ("paid_in", "distributed", "value", "irr", "committed"):
        assert getattr(mine.net, attr) == getattr(theirs.net, attr)
    assert (mine.gross is None) == (theirs.gross is None)
    assert sum((line.position.value for line in mine.lps), D(0)) == mine.net.value
    assert before.net.committed == mine.net.committed
