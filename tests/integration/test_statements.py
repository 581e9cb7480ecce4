"""Capital account statements from the books (fundops.reports.statements), both databases:
a worked example line by line, a whole transfer of an LP interest, random portfolios
(every quarter closes, continues, equals the LP position, partners' lines sum to the
fund's), periods that compose, tenancy and bad input."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundops.calc.capital_account import Line
from fundops.calc.periods import Period, Quarter, quarters_between
from fundops.errors import NotFound, ValidationError
from fundops.exits import transfers
from fundops.metrics.perspectives import lp_positions
from fundops.models import Fund
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from fundops.reports.statements import FundStatement, capital_accounts
from fundops.uow import Actor
from tests.factories import make_fund, make_user, next_n

D = Decimal


def lines(statement: FundStatement, name: str) -> dict[str, Decimal]:
    lp = next(s for s in statement.lps if s.investor.name.startswith(name))
    out = {line.value: lp.amount(line) for line in Line if lp.account.lines[line]}
    return {"opening": lp.opening, **out, "closing": lp.closing}


def check_closes(actor: Actor, fund: Fund, until: date,
                 pro_rata: bool = False) -> list[FundStatement]:
    """Every quarter's statement from inception: each LP closes (opening + lines = closing)
    and continues (opening = last quarter's closing); closing = the LP position's NAV
    share; carry, transfers and reallocation sum to zero over the partners; the fund's
    allocated lines add up to its NAV change. With ``pro_rata`` (one closing, every call
    and distribution pro rata), the reallocation is rounding only (≤ 10 fen)."""
    previous: dict[int, int] = {}
    out = []
    for q in quarters_between(fund.inception_on, until):
        period = Period(max(q.start, fund.inception_on), min(q.end, until))
        st_ = capital_accounts(actor, fund.id, period)
        positions = lp_positions(actor, fund.id, period.end)
        for lp in st_.lps:
            a = lp.account
            assert a.opening + sum(a.lines.values()) == a.closing, (q, lp.investor.name)
            assert a.opening == previous.get(lp.investor.id, 0), (q, lp.investor.name)
            assert lp.closing == (positions[lp.investor.id].value
                                  if lp.investor.id in positions else 0)
            previous[lp.investor.id] = a.closing
            if pro_rata:
                assert abs(a.lines[Line.REALLOCATION]) <= 10, (q, a.lines)
        total = st_.total
        for line in (Line.CARRY, Line.TRANSFERS, Line.REALLOCATION):
            assert total.lines[line] == 0, (q, line)
        assert total.opening + sum(total.lines.values()) == total.closing
        assert st_.unallocated == 0 or total.closing == 0
        out.append(st_)
    return out


def two_lps(gp: Actor, second_on: str = "2020-01-01") -> tuple[Fund, list[int]]:
    fund = make_fund(gp)
    ids = []
    for name, amount, on in (("甲", "60000000", "2020-01-01"), ("乙", "40000000", second_on)):
        lp = services.create_investor(gp, f"{name} LP {next_n()}", "private")
        services.add_commitment(gp, fund.id, lp.id, amount, on)
        ids.append(lp.id)
    return fund, ids


def test_worked_example_line_by_line(app: Flask) -> None:
    """Q1 2020: call 10 m (6 / 4), a fee of 0.5 m, expenses 0.1 m, NAV 10.4 m at the
    quarter end: the fund's result is 10.4 − 10 + 0.5 + 0.1 = 1.0 m unrealised, split 60/40.
    Q2: a distribution of 2 m (1.2 / 0.8) and NAV 9.0 m: unrealised 0.6 m (0.36 / 0.24)."""
    _, gp = make_user(f"GP {next_n()}")
    fund, _ = two_lps(gp)
    ledger.record_capital_call(gp, fund.id, value_on="2020-01-15", amount="10000000",
                               purpose="investment")
    ledger.record_fund_flow(gp, fund.id, kind="management_fee", value_on="2020-02-01",
                            amount="500000")
    ledger.record_fund_flow(gp, fund.id, kind="expense", value_on="2020-02-01",
                            amount="100000")
    ledger.record_valuation(gp, fund.id, as_of="2020-03-31", nav_amount="10400000")
    ledger.record_distribution(gp, fund.id, value_on="2020-05-01", amount="2000000",
                               distribution_type="gain")
    ledger.record_valuation(gp, fund.id, as_of="2020-06-30", nav_amount="9000000")
    q1 = capital_accounts(gp, fund.id, Period(date(2020, 1, 1), date(2020, 3, 31)))
    assert lines(q1, "甲") == {
        "opening": D("0.00"), "contributions": D("6000000.00"),
        "management_fees": D("-300000.00"), "fund_expenses": D("-60000.00"),
        "unrealised": D("600000.00"), "closing": D("6240000.00")}
    assert lines(q1, "乙")["closing"] == D("4160000.00")
    q2 = capital_accounts(gp, fund.id, Period(date(2020, 4, 1), date(2020, 6, 30)))
    assert lines(q2, "乙") == {
        "opening": D("4160000.00"), "unrealised": D("240000.00"),
        "distributions": D("-800000.00"), "closing": D("3600000.00")}
    assert q2.lps[0].distributions_by and q1.lps[0].contributions_by
    since = capital_accounts(gp, fund.id, Period(date(2020, 1, 1), date(2020, 6, 30)))
    assert lines(since, "甲") == {
        "opening": D("0.00"), "contributions": D("6000000.00"),
        "management_fees": D("-300000.00"), "fund_expenses": D("-60000.00"),
        "unrealised": D("960000.00"), "distributions": D("-1200000.00"),
        "closing": D("5400000.00")}
    reg = next(s for s in since.lps if s.investor.name.startswith("甲")).register
    assert (reg.committed, reg.paid_in, reg.unfunded) == (
        D("60000000.00"), D("6000000.00"), D("54000000.00"))
    assert (since.nav_opening, since.nav_closing) == (D("0.00"), D("9000000.00"))


def test_a_later_closer_shows_its_dilution_as_reallocation(app: Flask) -> None:
    """乙 joins after a loss: its 4 m buys a NAV share pro rata to paid-in, so the partners'
    reallocation moves value to 甲 — the same amount, opposite signs."""
    _, gp = make_user(f"GP {next_n()}")
    fund, (a, b) = two_lps(gp, second_on="2020-04-01")
    ledger.record_capital_call(gp, fund.id, value_on="2020-01-15", amount="6000000",
                               purpose="investment", split={a: "6000000"})
    ledger.record_valuation(gp, fund.id, as_of="2020-03-31", nav_amount="3000000")
    ledger.record_capital_call(gp, fund.id, value_on="2020-05-01", amount="4000000",
                               purpose="investment", split={b: "4000000"})
    ledger.record_valuation(gp, fund.id, as_of="2020-06-30", nav_amount="7000000")
    [_, q2] = check_closes(gp, fund, date(2020, 6, 30))
    first, second = lines(q2, "甲"), lines(q2, "乙")
    assert second["closing"] == D("2800000.00") and first["closing"] == D("4200000.00")
    assert first["reallocation"] == -second["reallocation"] != 0


def test_a_transfer_moves_the_nav_share_to_the_buyer(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, (_, b) = two_lps(gp)
    ledger.record_capital_call(gp, fund.id, value_on="2020-01-15", amount="10000000",
                               purpose="investment")
    ledger.record_valuation(gp, fund.id, as_of="2020-03-31", nav_amount="12000000")
    transfer = transfers.record_transfer(
        gp, fund.id, seller_id=b, new_buyer=transfers.NewBuyer(f"丙 S基金 {next_n()}",
                                                               "private"),
        transfer_on="2020-05-15", reference_on="2020-03-31", reference_nav="4800000",
        discount_rate="0.1")
    statements = check_closes(gp, fund, date(2020, 6, 30))
    q2 = statements[-1]
    seller = next(s for s in q2.lps if s.investor.id == b)
    buyer = next(s for s in q2.lps if s.investor.id == transfer.buyer_id)
    assert seller.amount(Line.TRANSFERS) == D("-4800000.00")
    assert buyer.amount(Line.TRANSFERS) == D("4800000.00")
    assert seller.closing == 0 and buyer.closing == D("4800000.00")


def test_periods_compose_and_bad_periods_are_refused(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    fund, _ = two_lps(gp)
    ledger.record_capital_call(gp, fund.id, value_on="2020-02-01", amount="3000000",
                               purpose="investment")
    ledger.record_valuation(gp, fund.id, as_of="2020-09-30", nav_amount="3300000")
    ledger.record_fund_flow(gp, fund.id, kind="management_fee", value_on="2020-11-01",
                            amount="12345.67")
    quarters = check_closes(gp, fund, date(2020, 12, 31), pro_rata=True)
    year = capital_accounts(gp, fund.id, Period(date(2020, 1, 1), date(2020, 12, 31)))
    for lp in year.lps:
        for line in Line:
            assert lp.account.lines[line] == sum(
                next(s for s in q.lps if s.investor.id == lp.investor.id).account.lines[line]
                for q in quarters)
    with pytest.raises(ValidationError):
        Period.checked(date(2020, 12, 31), date(2020, 1, 1))


def test_another_organisation_gets_404(app: Flask) -> None:
    _, gp = make_user(f"GP {next_n()}")
    _, other = make_user(f"GP other {next_n()}")
    fund, _ = two_lps(gp)
    with pytest.raises(NotFound):
        capital_accounts(other, fund.id, Period(date(2020, 1, 1), date(2020, 3, 31)))


def cents(amount: Decimal) -> str:
    return str(max(amount.quantize(D("0.01")), D("0.01")))


step = st.tuples(
    st.sampled_from(["call", "call_split", "dist", "fee", "expense", "nav"]),
    st.integers(1, 360), st.integers(1, 5_000_000_00))


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=14), late=st.booleans())
def test_random_portfolios_close_every_quarter(app: Flask, steps: list[tuple[str, int, int]],
                                               late: bool) -> None:
    _, gp = make_user(f"GP prop {next_n()}")
    fund, ids = two_lps(gp, second_on="2020-07-01" if late else "2020-01-01")
    called = D(0)
    pro_rata = not late
    for kind, day, fen in sorted(steps, key=lambda s: s[1]):
        on = date.fromordinal(date(2020, 1, 1).toordinal() + day * 2)
        amount = D(fen) / 100
        if kind.startswith("call"):  # whole hundreds of yuan: 60/40 splits exactly
            amount = max((amount / 100).quantize(D(1)), D(1)) * 100
        if kind.startswith("call") and called + amount <= D("60000000"):
            active = ids if (not late or on >= date(2020, 7, 1)) else ids[:1]
            split = None
            if kind == "call_split" or len(active) == 1:
                pro_rata = pro_rata and len(active) == 2 and kind == "call"
                split = {active[0]: str(amount)} if len(active) == 1 else {
                    ids[0]: str(amount), ids[1]: "0"}
            ledger.record_capital_call(gp, fund.id, value_on=on, amount=str(amount),
                                       purpose="investment", split=split)
            called += amount
        elif kind == "dist" and called:
            ledger.record_distribution(gp, fund.id, value_on=on, amount=cents(amount / 10),
                                       distribution_type="gain")
        elif kind in ("fee", "expense"):
            ledger.record_fund_flow(gp, fund.id, kind="management_fee" if kind == "fee"
                                    else "expense", value_on=on, amount=cents(amount / 50))
        elif kind == "nav":
            ledger.record_valuation(gp, fund.id, as_of=on, nav_amount=str(amount))
    check_closes(gp, fund, Quarter(2022, 1).end, pro_rata=pro_rata)
