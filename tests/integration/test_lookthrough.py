"""Look-through of a guidance fund on a three-level fund-of-funds, numbers checked by hand.

The fixture (``build_fof``, also used by the leverage and policy tests), amounts in 万元
(10,000 yuan) written as m = million yuan:

    P (parent, guidance fund) ── LPs: 财政局 fiscal 1,000m; calls 300m
      ├─ A (GP A): LPs P 200m, private 600m, SOE 200m          → commitment share P/A = 1/5
      │    call 2021-06-30 500m split P 150 / private 250 / SOE 100 → paid-in share 3/10
      │    holds Y (cost 100m; fair value 90m from 2022-06-30), Z (30m reversed, then 25m)
      │    └─ C (GP C): LPs A 150m, B 50m, private 300m        → A/C = 3/10, B/C = 1/10
      │         call 2021-06-30 100m split A 40 / B 10 / private 50 → A/C 2/5, B/C 1/10
      │         holds X (cost 80m; fair value 120m at 2021-12-31, 200m at 2022-12-31)
      ├─ B (GP B): LPs P 100m, fiscal 100m, private 300m       → P/B = 1/5
      │    call 2021-06-30 200m pro rata (P 40 / fiscal 40 / private 120)
      │    call 2022-06-30 100m split P 60 / fiscal 10 / private 30
      │                                          → P/B paid-in 40/200, then 100/300
      │    holds X (cost 50m, never valued) and is an LP of C
      └─ P itself holds W (cost 10m)

X is reached by three paths: P→A→C→X, P→B→C→X and P→B→X.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.errors import NotFound, ValidationError
from fundops.extensions import db
from fundops.metrics.lookthrough import look_through, look_through_history
from fundops.models import Company, Fund
from fundops.portfolio import fof_services as fof
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from fundops.uow import Actor
from tests.factories import make_company, make_fund, make_user, next_n

M = 1_000_000


@dataclass
class Fof:
    guidance: Actor
    gp_a: Actor
    gp_b: Actor
    gp_c: Actor
    outsider: Actor
    p: Fund
    a: Fund
    b: Fund
    c: Fund
    x: Company
    y: Company
    z: Company
    w: Company


def _split(*pairs: tuple[int, int]) -> dict[int, str]:
    return {inv: str(amount * M) for inv, amount in pairs}


def build_fof() -> Fof:
    n = next_n()
    _, g = make_user(f"引导基金管理人{n}", kind="guidance_fund_manager")
    _, ga = make_user(f"GP A {n}")
    _, gb = make_user(f"GP B {n}")
    _, gc = make_user(f"GP C {n}")
    _, outsider = make_user(f"Outsider {n}")
    p = make_fund(g, kind="parent_fund", registration_no=f"P{n}", is_guidance_fund=True)
    a = make_fund(ga, registration_no=f"A{n}")
    b = make_fund(gb, registration_no=f"B{n}")
    c = make_fund(gc)

    fiscal = services.create_investor(g, "财政局", "fiscal")
    services.add_commitment(g, p.id, fiscal.id, str(1000 * M), "2021-01-15")
    ledger.record_capital_call(
        g, p.id, value_on="2021-06-01", amount=str(300 * M), purpose="investment"
    )

    p_in_a = services.create_investor(ga, "母基金P", "guidance_fund", fund_registration_no=f"P{n}")
    a_private = services.create_investor(ga, "民营甲", "private")
    a_soe = services.create_investor(ga, "国企甲", "state_owned")
    for inv, amount in ((p_in_a, 200), (a_private, 600), (a_soe, 200)):
        services.add_commitment(ga, a.id, inv.id, str(amount * M), "2021-03-01")

    p_in_b = services.create_investor(gb, "母基金P", "guidance_fund", fund_registration_no=f"P{n}")
    b_fiscal = services.create_investor(gb, "区财政", "fiscal")
    b_private = services.create_investor(gb, "民营乙", "private")
    for inv, amount in ((p_in_b, 100), (b_fiscal, 100), (b_private, 300)):
        services.add_commitment(gb, b.id, inv.id, str(amount * M), "2021-03-01")

    a_in_c = services.create_investor(gc, "子基金A", "corporate", fund_registration_no=f"A{n}")
    b_in_c = services.create_investor(gc, "子基金B", "corporate", fund_registration_no=f"B{n}")
    c_private = services.create_investor(gc, "民营丙", "private")
    for inv, amount in ((a_in_c, 150), (b_in_c, 50), (c_private, 300)):
        services.add_commitment(gc, c.id, inv.id, str(amount * M), "2021-03-01")

    ledger.record_capital_call(
        ga,
        a.id,
        value_on="2021-06-30",
        amount=str(500 * M),
        purpose="investment",
        split=_split((p_in_a.id, 150), (a_private.id, 250), (a_soe.id, 100)),
    )
    ledger.record_capital_call(
        gb, b.id, value_on="2021-06-30", amount=str(200 * M), purpose="investment"
    )
    ledger.record_capital_call(
        gb,
        b.id,
        value_on="2022-06-30",
        amount=str(100 * M),
        purpose="investment",
        split=_split((p_in_b.id, 60), (b_fiscal.id, 10), (b_private.id, 30)),
    )
    ledger.record_capital_call(
        gc,
        c.id,
        value_on="2021-06-30",
        amount=str(100 * M),
        purpose="investment",
        split=_split((a_in_c.id, 40), (b_in_c.id, 10), (c_private.id, 50)),
    )
    for actor, parent, target, on, amount in (
        (g, p, a, "2021-06-30", 150), (g, p, b, "2021-06-30", 40), (g, p, b, "2022-06-30", 60),
        (ga, a, c, "2021-06-30", 40), (gb, b, c, "2021-06-30", 10),
    ):
        fof.record_sub_fund_flow(
            actor,
            parent.id,
            kind="fund_contribution",
            target_fund_id=target.id,
            value_on=on,
            amount=str(amount * M),
        )

    x = make_company(gc, "X 芯片", sector="半导体", stage="seed", region_code="440305",
                     is_hard_tech=True, is_sme=True, tags=["srdi", "little_giant"])
    y = make_company(ga, "Y 医疗", sector="医疗", stage="growth", region_code="310000",
                     is_hard_tech=False, is_sme=False, tags=["high_tech"])
    z = make_company(ga, "Z 材料", sector="半导体", stage="start_up", region_code="440300",
                     is_hard_tech=True, is_sme=False, tags=[])
    w = make_company(g, "W 新能源", sector="新能源", stage="mature", region_code="440300",
                     is_hard_tech=False, is_sme=False, tags=[])

    def invest(actor: Actor, fund: Fund, company: Company, on: str, amount: int) -> int:
        return ledger.record_investment(actor, fund.id, company_id=company.id, round_name="A",
                                        instrument="ordinary_equity", invested_on=on,
                                        amount=str(amount * M)).cash_flow_id

    invest(gc, c, x, "2021-07-15", 80)
    invest(gb, b, x, "2021-08-01", 50)
    invest(ga, a, y, "2021-07-20", 100)
    wrong = invest(ga, a, z, "2021-09-01", 30)
    ledger.reverse_entry(ga, a.id, wrong, "wrong amount")
    invest(ga, a, z, "2021-09-01", 25)
    invest(g, p, w, "2021-10-01", 10)
    ledger.record_holding_valuation(gc, c.id, company_id=x.id, as_of="2021-12-31",
                                    fair_value_amount=str(120 * M))
    ledger.record_holding_valuation(gc, c.id, company_id=x.id, as_of="2022-12-31",
                                    fair_value_amount=str(200 * M))
    ledger.record_holding_valuation(ga, a.id, company_id=y.id, as_of="2022-06-30",
                                    fair_value_amount=str(90 * M))
    ledger.record_fund_flow(
        ga, a.id, kind="management_fee", value_on="2022-03-31", amount=str(10 * M)
    )
    ledger.record_fund_flow(ga, a.id, kind="expense", value_on="2022-03-31", amount=str(2 * M))
    ledger.record_fund_flow(ga, a.id, kind="proceeds", value_on="2022-09-30", amount=str(5 * M),
                            company_id=z.id)
    ledger.record_distribution(ga, a.id, value_on="2022-10-31", amount=str(5 * M),
                               distribution_type="gain")
    return Fof(g, ga, gb, gc, outsider, p, a, b, c, x, y, z, w)


def _rows(result: object) -> dict[int, object]:
    return {r.company_id: r for r in result.rows}  # type: ignore[attr-defined]


def test_commitment_basis_three_levels_by_hand(app: Flask) -> None:
    f = build_fof()
    res = look_through(f.guidance, f.p.id, date(2022, 3, 31), basis="commitment")
    rows = _rows(res)
    # weights: A = 200/1000 = 1/5, B = 100/500 = 1/5,
    #          C = 1/5·150/500 + 1/5·50/500 = 3/50 + 1/50 = 2/25
    # X = 2/25·120m (C's fair value at 2021-12-31) + 1/5·50m (B, at cost) = 9.6m + 10m = 19.6m
    assert rows[f.x.id].exposure_amount == Decimal("19600000.00")
    assert rows[f.x.id].paths == 3 and rows[f.x.id].value_basis == "mixed"
    # Y = 1/5·100m at cost (its valuation comes later) = 20m; Z = 1/5·(30 − 30 + 25)m = 5m; W = 10m
    assert (
        rows[f.y.id].exposure_amount == Decimal("20000000.00")
        and rows[f.y.id].value_basis == "cost"
    )
    assert rows[f.z.id].exposure_amount == Decimal("5000000.00")
    assert rows[f.w.id].exposure_amount == Decimal("10000000.00") and rows[f.w.id].paths == 1
    assert res.total_exact == 54_600_000 and res.total_amount == Decimal("54600000.00")
    # consistency: direct 10m + 1/5·A's own (125m + 3/10·120m = 161m)
    #              + 1/5·B's own (50m + 1/10·120m = 62m)
    subs = {s.sub_fund_id: s for s in res.sub_funds}
    assert subs[f.a.id].own_total_exact == 161 * M and subs[f.b.id].own_total_exact == 62 * M
    assert subs[f.a.id].share == Fraction(1, 5)
    assert subs[f.a.id].share_numerator == Decimal("200000000.00")
    assert (
        res.direct_total_exact + sum(s.attributed_exact for s in res.sub_funds) == res.total_exact
    )
    assert res.consistent
    # the sub-funds' own look-throughs (the guidance fund has LP access to A and B) agree
    for sub in (f.a, f.b):
        own = look_through(f.guidance, sub.id, date(2022, 3, 31), basis="commitment")
        assert own.total_exact == subs[sub.id].own_total_exact
    # depth 1: B's own total is share × C's holdings + its own holdings; C has no sub-funds
    c_own = look_through(f.gp_c, f.c.id, date(2022, 3, 31), basis="commitment")
    assert c_own.total_exact == 120 * M and c_own.sub_funds == ()


def test_paid_in_basis_rounding_and_aggregations(app: Flask) -> None:
    f = build_fof()
    res = look_through(f.guidance, f.p.id, "2022-12-31")  # paid-in is the default basis
    rows = _rows(res)
    # weights: A = 150/500 = 3/10, B = (40+60)/(200+100) = 1/3,
    #          C = 3/10·40/100 + 1/3·10/100 = 3/25 + 1/30 = 23/150
    # X = 23/150·200m (C's fair value at 2022-12-31) + 1/3·50m = 30,666,666.67 + 16,666,666.67
    assert rows[f.x.id].exposure_exact == Fraction(142_000_000, 3)
    assert rows[f.x.id].exposure_amount == Decimal("47333333.33")
    # Y = 3/10·90m (fair value 2022-06-30) = 27m; W = 10m;
    # Z = 3/10·(25m − 5m proceeds of 2022-09-30) = 6m (net cost: Z was never valued)
    assert rows[f.y.id].exposure_amount == Decimal("27000000.00")
    assert rows[f.y.id].value_basis == "fair_value"
    assert rows[f.z.id].exposure_amount == Decimal("6000000.00")
    assert res.total_exact == Fraction(142_000_000, 3) + 43_000_000
    assert res.total_amount == Decimal("90333333.33")
    sectors = {b.key: b for b in res.by_sector}
    assert (
        sectors["半导体"].exposure_amount == Decimal("53333333.33")
        and sectors["半导体"].companies == 2
    )
    assert sectors["医疗"].exposure_amount == Decimal("27000000.00")
    assert sectors["新能源"].exposure_amount == Decimal("10000000.00")
    assert {b.key: b.exposure_amount for b in res.by_stage} == {
        "seed": Decimal("47333333.33"), "growth": Decimal("27000000.00"),
        "start_up": Decimal("6000000.00"), "mature": Decimal("10000000.00")}
    assert {b.key: b.companies for b in res.by_region} == {"440305": 1, "310000": 1, "440300": 2}
    tags = {b.key: b.exposure_amount for b in res.by_tag}
    assert tags == {"srdi": Decimal("47333333.33"), "little_giant": Decimal("47333333.33"),
                    "high_tech": Decimal("27000000.00")}
    # consistency: 10m + 3/10·(90 + 20 + 2/5·200)m + 1/3·(50 + 1/10·200)m = 10 + 57 + 23.33…
    subs = {s.sub_fund_id: s for s in res.sub_funds}
    assert subs[f.a.id].attributed_exact == 57_000_000
    assert subs[f.b.id].attributed_exact == Fraction(70_000_000, 3)
    assert res.consistent


def test_paid_in_basis_between_valuations_and_before_calls(app: Flask) -> None:
    f = build_fof()
    res = look_through(f.guidance, f.p.id, date(2022, 3, 31), basis="paid_in")
    rows = _rows(res)
    # weights: A = 3/10, B = 40/200 = 1/5, C = 3/10·2/5 + 1/5·1/10 = 7/50
    # X = 7/50·120m + 1/5·50m = 16.8m + 10m; Y = 3/10·100m; Z = 3/10·25m; W = 10m → 74.3m
    assert rows[f.x.id].exposure_amount == Decimal("26800000.00")
    via_c = next(v for v in rows[f.x.id].via if v.fund_id == f.c.id)
    assert via_c.value_on == date(2021, 12, 31) and via_c.weight == Fraction(7, 50)
    assert res.total_amount == Decimal("74300000.00") and res.consistent
    # before any call: every paid-in share is 0, so only P's own (none yet) counts
    early = look_through(f.guidance, f.p.id, date(2021, 4, 30), basis="paid_in")
    assert early.total_exact == 0 and all(s.share == 0 for s in early.sub_funds)


def test_history_loads_once_and_matches_single_dates(app: Flask) -> None:
    f = build_fof()
    ends = [date(2021, 3, 31), date(2021, 6, 30), date(2021, 9, 30), date(2021, 12, 31),
            date(2022, 3, 31), date(2022, 6, 30), date(2022, 9, 30), date(2022, 12, 31)]
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    look_through_history(f.guidance, f.p.id, ends[:1])  # warm the session (fund, access)
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        look_through_history(f.guidance, f.p.id, ends[:2], basis="commitment")
        two = len(statements)
        statements.clear()
        hist = look_through_history(f.guidance, f.p.id, ends, basis="commitment")
        assert len(statements) == two  # a fixed number of SELECTs, whatever the number of dates
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert [pt.as_of for pt in hist.points] == ends
    for point in hist.points:
        single = look_through(f.guidance, f.p.id, point.as_of, basis="commitment")
        assert point.total_exact == single.total_exact
        by_sector = dict(point.by_sector)
        for b in single.by_sector:
            assert by_sector[b.key] == pytest.approx(float(b.exposure_exact), rel=1e-12)
    assert hist.points[4].total_amount == Decimal("54600000.00")


def test_scoping_and_bad_input(app: Flask) -> None:
    f = build_fof()
    with pytest.raises(NotFound):
        look_through(f.outsider, f.p.id, "2022-12-31")
    with pytest.raises(ValidationError) as err:
        look_through(f.guidance, f.p.id, "2022-12-31", basis="nav")
    assert err.value.field == "basis"
    with pytest.raises(ValidationError) as err:
        look_through(f.guidance, f.p.id, "31/12/2022")
    assert err.value.field == "as_of"
    assert look_through(f.guidance, f.p.id, "2022-12-31", basis="subscribed").basis == "commitment"
