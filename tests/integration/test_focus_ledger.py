"""The focus loader: a parent fund's metrics from its own ledger plus its sub-funds' NAVs
and LP weights only, identical to the metrics from the full ledger of the fund tree."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest
import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundops.clock import business_today
from fundops.errors import DomainError
from fundops.exits import transfers
from fundops.extensions import db
from fundops.metrics.engine import Metrics, compute
from fundops.metrics.frames import K, load_focus_ledger, load_ledger, to_day
from fundops.metrics.snapshots import cut, sub_fund_ids
from fundops.models import CashFlow, Fund
from fundops.portfolio import fof_services as fof
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from fundops.portfolio.enums import CashFlowKind, FundKind
from fundops.uow import Actor
from tests.factories import make_company, make_fund, make_user, next_n

D = Decimal
START = date(2020, 3, 1)


def same_positions(a: Metrics, b: Metrics) -> None:
    assert a.as_of == b.as_of
    assert a.fund_net == b.fund_net
    assert a.lp_net == b.lp_net
    assert a.gross == b.gross
    assert a.deals == b.deals


def check(on: date, focus: Sequence[int], support: Sequence[int]) -> None:
    """Both loaders give the same positions of the focus funds at ``on``, also with the
    focus funds' ledger loaded at a later date and cut to ``on`` (a quarterly history)."""
    full = compute(load_ledger(on, [*focus, *support]), focus=set(focus))
    same_positions(compute(load_focus_ledger(on, focus, support), focus=set(focus)), full)
    own = cut(load_ledger(date(9999, 12, 31), focus), on)
    same_positions(compute(load_focus_ledger(on, focus, support, focus_ledger=own),
                           focus=set(focus)), full)


@dataclass
class Tree:
    """A parent fund P, sub-funds S1..S3 (P an LP of each, S1 also an LP of S3)."""

    gp: Actor
    funds: list[Fund]
    lps: dict[int, list[int]]  # fund id -> its private LPs' investor ids
    records: dict[int, int]  # sub-fund id -> P's LP record in it
    companies: list[int]


def build_tree() -> Tree:
    _, gp = make_user(f"GP focus {next_n()}")
    parent = make_fund(gp, kind="parent_fund", inception_on="2019-01-01")
    gov = services.create_investor(gp, f"财政 {next_n()}", "fiscal")
    services.add_commitment(gp, parent.id, gov.id, "10000000000", "2019-01-01")
    subs = [make_fund(gp) for _ in range(3)]
    shared = services.create_investor(gp, f"母基金 {next_n()}", "guidance_fund",
                                      fund_id=parent.id)
    own = services.create_investor(gp, f"母基金二 {next_n()}", "guidance_fund",
                                   fund_id=parent.id)
    records = {subs[0].id: shared.id, subs[1].id: shared.id, subs[2].id: own.id}
    lps: dict[int, list[int]] = {parent.id: [gov.id]}
    for i, sub in enumerate(subs):
        services.add_commitment(gp, sub.id, records[sub.id], "400000000", "2020-03-01")
        ids = []
        for j, (amount, on) in enumerate((("300000000", "2020-03-01"),
                                          ("200000000", "2021-06-01"))):
            lp = services.create_investor(gp, f"LP {i}{j} {next_n()}", "private")
            services.add_commitment(gp, sub.id, lp.id, amount, on)
            ids.append(lp.id)
        lps[sub.id] = ids
    s1_record = services.create_investor(gp, f"子基金 {next_n()}", "corporate",
                                         fund_id=subs[0].id)
    services.add_commitment(gp, subs[2].id, s1_record.id, "100000000", "2020-06-01")
    companies = [make_company(gp).id for _ in range(2)]
    return Tree(gp, [parent, *subs], lps, records, companies)


def _call(tree: Tree, fund: Fund, on: date, amount: str, fen: int) -> None:
    call = ledger.record_capital_call(tree.gp, fund.id, value_on=on, amount=amount,
                                      purpose="investment")
    record = tree.records.get(fund.id)
    share = next((a.amount for a in call.allocations if a.investor_id == record), None)
    if share and fen % 3:  # the parent pays its share (not always: a missed payment)
        fof.record_sub_fund_flow(tree.gp, tree.funds[0].id, kind="fund_contribution",
                                 target_fund_id=fund.id, value_on=on, amount=share)


def _transfer(tree: Tree, fund: Fund, on: date, amount: str, fen: int) -> None:
    if fund.id not in tree.records:
        return
    seller, buyer = tree.lps[fund.id] if fen % 2 else [tree.records[fund.id],
                                                       tree.lps[fund.id][0]]
    transfers.record_transfer(tree.gp, fund.id, seller_id=seller, buyer_id=buyer,
                              transfer_on=on, commitment_amount=D(fen % 50 + 1) * 10**6,
                              reference_on=START, reference_nav="1000000",
                              discount_rate=D(fen % 40).scaleb(-2), appraisal_ref="评估-1",
                              platform="beijing")


def _reverse(tree: Tree, fund: Fund, on: date, amount: str, fen: int) -> None:
    last = db.session.scalar(
        sa.select(CashFlow.id).where(CashFlow.fund_id == fund.id,
                                     CashFlow.reverses_id.is_(None),
                                     CashFlow.kind != CashFlowKind.LP_TRANSFER)
        .order_by(CashFlow.id.desc()).limit(1))
    if last is not None:
        ledger.reverse_entry(tree.gp, fund.id, last, "keyed wrongly")


def _return(tree: Tree, fund: Fund, on: date, amount: str, fen: int) -> None:
    if fund.id in tree.records:
        fof.record_sub_fund_flow(tree.gp, tree.funds[0].id, kind="fund_return",
                                 target_fund_id=fund.id, value_on=on, amount=amount)


def _flow(kind: str) -> Callable[[Tree, Fund, date, str, int], None]:
    def post(tree: Tree, fund: Fund, on: date, amount: str, fen: int) -> None:
        company = tree.companies[fen % 2] if kind == "proceeds" else None
        ledger.record_fund_flow(tree.gp, fund.id, kind=kind, value_on=on, amount=amount,
                                company_id=company)
    return post


def _nav(tree: Tree, fund: Fund, on: date, amount: str, fen: int) -> None:
    ledger.record_valuation(tree.gp, fund.id, as_of=on, nav_amount=D(fen).scaleb(-2))


def _invest(tree: Tree, fund: Fund, on: date, amount: str, fen: int) -> None:
    ledger.record_investment(tree.gp, fund.id, company_id=tree.companies[fen % 2],
                             round_name="A", instrument="preferred_equity", invested_on=on,
                             amount=amount)


def _holding_value(tree: Tree, fund: Fund, on: date, amount: str, fen: int) -> None:
    ledger.record_holding_valuation(tree.gp, fund.id, company_id=tree.companies[fen % 2],
                                    as_of=on, fair_value_amount=D(fen).scaleb(-2))


def _distribute(tree: Tree, fund: Fund, on: date, amount: str, fen: int) -> None:
    ledger.record_distribution(tree.gp, fund.id, value_on=on, amount=amount,
                               distribution_type="gain")


APPLY: dict[str, Callable[[Tree, Fund, date, str, int], None]] = {
    "call": _call, "dist": _distribute, "fee": _flow("management_fee"),
    "expense": _flow("expense"), "proceeds": _flow("proceeds"), "nav": _nav,
    "invest": _invest, "hval": _holding_value, "transfer": _transfer, "reverse": _reverse,
    "return": _return}
# Quarterly steps over two and a half years: flows often fall on a valuation's date.
op = st.tuples(st.sampled_from([*APPLY, "call", "nav", "nav", "transfer"]),
               st.integers(0, 3), st.integers(0, 10), st.integers(0, 3_000_000_00))


def run(tree: Tree, ops: list[tuple[str, int, int, int]]) -> set[date]:
    """Post ``ops`` in date order (quarterly steps from START); the dates posted on."""
    days = set()
    for kind, which, step, fen in sorted(ops, key=lambda o: o[2]):
        on = START + timedelta(days=91 * step)
        try:
            APPLY[kind](tree, tree.funds[which], on, str(max(D(fen).scaleb(-2), D("0.01"))),
                        fen)
        except DomainError:
            continue  # refused (over the commitment, nothing to distribute …): nothing written
        days.add(on)
    return days


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(op, min_size=10, max_size=40),
       focus=st.sets(st.integers(0, 3), min_size=1), support=st.sets(st.integers(0, 3)))
def test_random_fund_trees_give_the_same_positions(
        app: Flask, ops: list[tuple[str, int, int, int]], focus: set[int],
        support: set[int]) -> None:
    tree = build_tree()
    days = run(tree, ops)
    ids = [f.id for f in tree.funds]
    parent, subs = ids[0], ids[1:]
    assert sorted(sub_fund_ids(parent)) == subs
    dates = sorted(days | {on + timedelta(days=1) for on in days} | {date(2019, 6, 30),
                                                                    date(2024, 6, 30)})
    for on in dates:
        check(on, [parent], subs)
        check(on, [ids[i] for i in sorted(focus)], [ids[i] for i in sorted(support)])


def test_a_sub_fund_loads_as_its_nav_and_weights(app: Flask) -> None:
    """Worked example: what the loader keeps of a sub-fund, and the same numbers."""
    tree = build_tree()
    gp, (parent, sub, _, _) = tree.gp, tree.funds
    ledger.record_capital_call(gp, sub.id, value_on="2020-06-30", amount="7000000",
                               purpose="investment")
    ledger.record_investment(gp, sub.id, company_id=tree.companies[0], round_name="A",
                             instrument="preferred_equity", invested_on="2020-07-15",
                             amount="5000000")
    ledger.record_fund_flow(gp, sub.id, kind="expense", value_on="2020-12-31", amount="1000")
    ledger.record_valuation(gp, sub.id, as_of="2020-12-31", nav_amount="6500000")
    ledger.record_holding_valuation(gp, sub.id, company_id=tree.companies[0],
                                    as_of="2020-12-31", fair_value_amount="5500000")
    ledger.record_fund_flow(gp, sub.id, kind="management_fee", value_on="2021-03-31",
                            amount="70000")
    ledger.record_fund_flow(gp, sub.id, kind="management_fee", value_on="2021-06-30",
                            amount="70000")
    ledger.record_capital_call(gp, sub.id, value_on="2021-09-30", amount="1000000",
                               purpose="investment")
    on = date(2021, 12, 31)
    led = load_focus_ledger(on, [parent.id], [sub.id])
    mine = led.flows[led.flows[:, 0] == sub.id]
    # Only the NAV roll after 2020-12-31 (the expense on that day is inside the NAV):
    # fees 140,000.00 dated on the last of them, the call 1,000,000.00.
    assert sorted(mine[:, :4].tolist()) == sorted([
        [sub.id, K[CashFlowKind.CAPITAL_CALL], to_day(date(2021, 9, 30)), 100000000],
        [sub.id, K[CashFlowKind.MANAGEMENT_FEE], to_day(date(2021, 6, 30)), 14000000]])
    assert led.navs[led.navs[:, 0] == sub.id].tolist() == [
        [sub.id, to_day(date(2020, 12, 31)), 650000000]]
    assert not np.isin(led.holdings[:, 0], [sub.id]).any()
    calls = led.allocations[(led.allocations[:, 0] == sub.id)]
    assert calls[:, 4].sum() == 800000000  # every LP's calls, one row per LP
    assert len(calls) == len(set(calls[:, 1].tolist()))
    check(on, [parent.id], [sub.id])
    with pytest.raises(ValueError, match="not at 2021-12-31"):
        load_focus_ledger(on, [parent.id], [sub.id],
                          focus_ledger=load_ledger(date(2022, 1, 1), [parent.id]))
    # NAV 6.5m − fees 140k + call 1m = 7.36m; the parent's record has 4/7 of the 5m of
    # 2020 call (the later LP joined 2021-06-01) and 4/9 of the 2021 call: 444,444.444…,
    # one more fen by the largest remainder (.44 against .33 and .22).
    sub_metrics = compute(load_ledger(on, [sub.id]), focus={sub.id})
    assert sub_metrics.fund_net[sub.id].value == D("7360000.00")
    record = sub_metrics.lp_net[(sub.id, tree.records[sub.id])]
    assert record.paid_in == D("4000000.00") + D("444444.45")


def test_a_sub_fund_without_valuation_rolls_from_inception(app: Flask) -> None:
    tree = build_tree()
    gp, (parent, sub, other, _) = tree.gp, tree.funds
    for day, amount in (("2020-06-30", "3000000"), ("2021-06-30", "2000000")):
        ledger.record_capital_call(gp, sub.id, value_on=day, amount=amount,
                                   purpose="investment")
    ledger.record_distribution(gp, sub.id, value_on="2021-12-31", amount="500000",
                               distribution_type="gain")
    fof.record_sub_fund_flow(gp, parent.id, kind="fund_contribution", target_fund_id=sub.id,
                             value_on="2020-06-30", amount="2000000")
    on = date(2022, 3, 31)
    led = load_focus_ledger(on, [parent.id], [sub.id, other.id])
    assert len(led.flows[led.flows[:, 0] == sub.id]) == 2  # calls, distributions
    check(on, [parent.id], [sub.id, other.id])
    check(on, [parent.id, sub.id], [sub.id, other.id])  # a fund both focus and support
    gross = compute(led, focus={parent.id}).gross[parent.id]
    assert gross.paid_in == D("2000000.00") and gross.value > 0


def test_the_demo_parent_funds(app: Flask) -> None:
    from fundops.demo import load_demo

    load_demo()
    parents = list(db.session.scalars(
        sa.select(Fund.id).where(Fund.kind == FundKind.PARENT_FUND).order_by(Fund.id)))
    assert parents
    for fund_id in parents:
        subs = sub_fund_ids(fund_id)
        for on in (date(2021, 12, 31), date(2023, 6, 30), date(2024, 12, 31), business_today()):
            check(on, [fund_id], subs)
