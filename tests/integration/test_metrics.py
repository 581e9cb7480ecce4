"""Return metrics from the ledger: net, LP, gross and deal perspectives, as of any date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask import Flask

from fundops.calc.returns import xirr
from fundops.errors import NotFound
from fundops.metrics import perspectives as P
from fundops.portfolio import fof_services as fof
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from tests.factories import make_company, make_fund, make_user, make_world

D = Decimal


def _world_with_history():  # type: ignore[no-untyped-def]
    # LPs commit 300m / 200m / 100m (50 % / 33.3 % / 16.7 %).
    world = make_world()
    gp, fid = world.gp, world.fund.id
    ledger.record_capital_call(
        gp, fid, value_on="2020-06-30", amount="60000000", purpose="investment"
    )
    ledger.record_investment(gp, fid, company_id=world.company.id, round_name="A",
                             instrument="preferred_equity", invested_on="2020-07-15",
                             amount="50000000")
    ledger.record_valuation(gp, fid, as_of="2021-12-31", nav_amount="66000000")
    ledger.record_holding_valuation(gp, fid, company_id=world.company.id, as_of="2021-12-31",
                                    fair_value_amount="58000000")
    ledger.record_capital_call(
        gp, fid, value_on="2022-03-31", amount="30000000", purpose="investment"
    )
    ledger.record_distribution(gp, fid, value_on="2022-09-30", amount="12000000",
                               distribution_type="gain")
    ledger.record_fund_flow(gp, fid, kind="proceeds", value_on="2022-09-15", amount="12500000",
                            company_id=world.company.id)
    ledger.record_valuation(gp, fid, as_of="2022-12-31", nav_amount="95000000")
    return world


def test_fund_net_between_valuations_rolls_nav_forward(app: Flask) -> None:
    world = _world_with_history()
    report = P.fund_metrics(world.gp, world.fund.id, date(2022, 10, 31))
    net = report.net
    # NAV 66m at 2021-12-31, + call 30m (2022-03-31) − distribution 12m (2022-09-30) = 84m.
    assert net.value == D("84000000.00")
    assert net.value_on == date(2021, 12, 31) and net.value_age_days == 304
    assert (net.paid_in, net.distributed, net.committed) == (
        D("90000000.00"), D("12000000.00"), D("600000000.00"))
    assert net.dpi == D("0.1333333333") and net.rvpi == D("0.9333333333")
    assert net.tvpi == net.dpi + net.rvpi
    assert net.pic == D("0.1500000000")
    expected = xirr([date(2020, 6, 30), date(2022, 3, 31), date(2022, 9, 30), date(2022, 10, 31)],
                    [D(-60000000), D(-30000000), D(12000000), D(84000000)])
    assert net.irr == pytest.approx(expected, rel=1e-9)
    # A later as-of uses the newer NAV as is.
    later = P.fund_metrics(world.gp, world.fund.id, date(2022, 12, 31)).net
    assert later.value == D("95000000.00") and later.value_age_days == 0


def test_lp_positions_share_the_nav_exactly_and_sum_to_the_fund(app: Flask) -> None:
    world = _world_with_history()
    report = P.fund_metrics(world.gp, world.fund.id, date(2022, 12, 31))
    assert len(report.lps) == 3
    assert sum((line.position.value for line in report.lps), D(0)) == report.net.value
    assert sum((line.position.paid_in for line in report.lps), D(0)) == report.net.paid_in
    assert sum((line.position.distributed for line in report.lps), D(0)) == report.net.distributed
    first = report.lps[0].position  # 50 % of everything: its IRR equals the fund's
    assert first.value == D("47500000.00") and first.paid_in == D("45000000.00")
    assert first.irr == pytest.approx(report.net.irr, rel=1e-9)
    assert first.tvpi == first.dpi + first.rvpi


def test_gross_and_deal_metrics(app: Flask) -> None:
    world = _world_with_history()
    report = P.fund_metrics(world.gp, world.fund.id, date(2022, 12, 31))
    [deal] = report.deals
    pos = deal.position
    # Fair value 58m at 2021-12-31, less 12.5m proceeds afterwards = 45.5m.
    assert pos.value == D("45500000.00") and pos.value_on == date(2021, 12, 31)
    assert (pos.paid_in, pos.distributed) == (D("50000000.00"), D("12500000.00"))
    assert pos.tvpi == D("1.1600000000")  # (12.5 + 45.5) / 50
    expected = xirr([date(2020, 7, 15), date(2022, 9, 15), date(2022, 12, 31)],
                    [D(-50000000), D(12500000), D(45500000)])
    assert pos.irr == pytest.approx(expected, rel=1e-9)
    assert report.gross is not None and report.gross.irr == pytest.approx(expected, rel=1e-9)


def test_no_paid_in_means_not_available_never_zero(app: Flask) -> None:
    world = make_world()
    net = P.fund_metrics(world.gp, world.fund.id, date(2021, 1, 1)).net
    assert net.paid_in == D("0.00")
    assert (net.irr, net.dpi, net.rvpi, net.tvpi) == (None, None, None, None)
    assert net.pic == D("0E-10")


def test_parent_gross_includes_its_share_of_sub_fund_nav(app: Flask) -> None:
    world = _world_with_history()
    _, guidance = make_user("引导基金", kind="guidance_fund_manager")
    parent = make_fund(guidance, kind="parent_fund", registration_no="P-9",
                       inception_on="2019-01-01")
    gov = services.create_investor(guidance, "财政", "fiscal")
    services.add_commitment(guidance, parent.id, gov.id, "1000000000", "2019-01-01")
    lp = services.create_investor(world.gp, "母基金", "guidance_fund", fund_registration_no="P-9")
    services.add_commitment(world.gp, world.fund.id, lp.id, "400000000", "2020-03-01")
    call = ledger.record_capital_call(world.gp, world.fund.id, value_on="2022-06-30",
                                      amount="100000000", purpose="investment")
    share = next(a.amount for a in call.allocations if a.investor_id == lp.id)
    ledger.record_capital_call(guidance, parent.id, value_on="2022-06-29", amount=share,
                               purpose="investment")
    fof.record_sub_fund_flow(guidance, parent.id, kind="fund_contribution",
                             target_fund_id=world.fund.id, value_on="2022-06-30", amount=share)
    as_of = date(2022, 12, 31)
    sub = P.fund_metrics(world.gp, world.fund.id, as_of)
    parent_lp = next(line for line in sub.lps if line.investor_id == lp.id)
    report = P.fund_metrics(guidance, parent.id, as_of)
    assert report.gross is not None
    assert report.gross.value == parent_lp.position.value
    assert report.gross.paid_in == share
    # The guidance manager sees the sub-fund with its own LP line only.
    seen = P.fund_metrics(guidance, world.fund.id, as_of)
    assert [line.investor_id for line in seen.lps] == [lp.id]
    with pytest.raises(NotFound):
        P.lp_position(guidance, world.fund.id, world.lps[0].id, as_of)


def test_quarterly_history_ends_with_the_as_of_figures(app: Flask) -> None:
    world = _world_with_history()
    as_of = date(2022, 11, 15)
    points = P.quarterly_history(world.gp, world.fund.id, as_of)
    assert points[0].on == date(2020, 3, 31) and points[-1].on == as_of
    assert [p.on for p in points[:3]] == [date(2020, 3, 31), date(2020, 6, 30), date(2020, 9, 30)]
    now = P.fund_metrics(world.gp, world.fund.id, as_of).net
    assert points[-1].net.irr == pytest.approx(now.irr, rel=1e-12)
    assert points[-1].net.tvpi == now.tvpi
    assert points[0].net.irr is None  # nothing paid in yet


def test_other_organisations_get_not_found(app: Flask) -> None:
    world = _world_with_history()
    with pytest.raises(NotFound):
        P.fund_metrics(world.other, world.fund.id, date(2022, 12, 31))
    with pytest.raises(NotFound):
        P.quarterly_history(world.other, world.fund.id, date(2022, 12, 31))
    assert P.portfolio_metrics(world.other, date(2022, 12, 31)).fund_net == {}


def test_portfolio_metrics_equal_single_fund_metrics(app: Flask) -> None:
    world = _world_with_history()
    second = make_fund(world.gp)
    lp = services.create_investor(world.gp, "solo LP", "corporate")
    services.add_commitment(world.gp, second.id, lp.id, "1000", "2020-02-01")
    ledger.record_capital_call(world.gp, second.id, value_on="2020-03-01", amount="1000",
                               purpose="investment")
    make_company(world.gp)
    everything = P.portfolio_metrics(world.gp, date(2022, 12, 31))
    for fund_id in (world.fund.id, second.id):
        single = P.fund_metrics(world.gp, fund_id, date(2022, 12, 31))
        assert everything.fund_net[fund_id] == single.net
        for line in single.lps:
            assert everything.lp_net[(fund_id, line.investor_id)] == line.position


def test_a_reversed_call_counts_neither_as_paid_in_nor_as_a_distribution(app: Flask) -> None:
    world = make_world()
    gp, fid = world.gp, world.fund.id
    wrong = ledger.record_capital_call(gp, fid, value_on="2021-03-31", amount="5200000",
                                       purpose="investment")
    ledger.reverse_entry(gp, fid, wrong.id, "keyed 5.2m instead of 52m")
    ledger.record_capital_call(gp, fid, value_on="2021-03-31", amount="52000000",
                               purpose="investment")
    ledger.record_distribution(gp, fid, value_on="2022-03-31", amount="1000000",
                               distribution_type="income")
    net = P.fund_metrics(gp, fid, date(2022, 12, 31)).net
    assert (net.paid_in, net.distributed) == (D("52000000.00"), D("1000000.00"))
    lps = P.fund_metrics(gp, fid, date(2022, 12, 31)).lps
    assert sum((line.position.paid_in for line in lps), D(0)) == D("52000000.00")
    assert sum((line.position.distributed for line in lps), D(0)) == D("1000000.00")


def test_fund_report_is_the_two_perspectives_from_one_load(app) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from fundops.metrics.perspectives import fund_metrics, fund_report, quarterly_history
    from tests.factories import fund_with_activity, make_world

    world = make_world()
    fund_with_activity(world)
    report, history = fund_report(world.gp, world.fund.id, date(2023, 6, 30))
    assert report.net == fund_metrics(world.gp, world.fund.id, date(2023, 6, 30)).net
    assert history == quarterly_history(world.gp, world.fund.id, date(2023, 6, 30))
