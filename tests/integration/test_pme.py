"""PME against a loaded index: the load-index command, fund_pme and the performance page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask

from fundops.calc import pme
from fundops.errors import ValidationError
from fundops.metrics.benchmark import fund_pme
from fundops.metrics.policy import list_index_levels
from fundops.portfolio import ledger_services as ledger
from tests.conftest import Browser
from tests.factories import PASSWORD, make_world


def test_load_index_then_pme_of_a_fund(app: Flask, tmp_path: Path) -> None:
    world = make_world()
    gp, fid = world.gp, world.fund.id
    ledger.record_capital_call(
        gp, fid, value_on="2020-06-30", amount="60000000", purpose="investment"
    )
    ledger.record_distribution(gp, fid, value_on="2022-06-30", amount="20000000",
                               distribution_type="gain")
    ledger.record_valuation(gp, fid, as_of="2022-12-31", nav_amount="55000000")
    csv = tmp_path / "csi300.csv"
    csv.write_text("date,level\n2020-01-02,4000\n2020-06-30,4100.5\n2022-06-30,4300\n"
                   "2022-12-30,3900\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["load-index", "CSI300", str(csv)])
    assert result.exit_code == 0, result.output
    assert list_index_levels("CSI300")[1] == (date(2020, 6, 30), Decimal("4100.500000"))
    bad = tmp_path / "bad.csv"
    bad.write_text("date,level\n2023-01-03,-5\n", encoding="utf-8")
    refused = app.test_cli_runner().invoke(args=["load-index", "CSI300", str(bad)])
    assert refused.exit_code != 0 and len(list_index_levels("CSI300")) == 4

    got = fund_pme(gp, fid, date(2022, 12, 31), "CSI300")
    dates = [date(2020, 6, 30), date(2022, 6, 30)]
    levels = [(date(2020, 1, 2), 4000), (date(2020, 6, 30), 4100.5), (date(2022, 6, 30), 4300),
              (date(2022, 12, 30), 3900)]
    expected = pme.ks_pme(dates, [-60000000.0, 20000000.0], Decimal("55000000.00"), levels,
                          valuation_date=date(2022, 12, 31))
    # By hand: (20m × 3900/4300 + 55m) / (60m × 3900/4100.5) = 73.1395m / 57.0662m.
    assert got.ks_pme == pytest.approx(expected, rel=1e-12)
    assert got.ks_pme == pytest.approx((20e6 * 3900 / 4300 + 55e6) / (60e6 * 3900 / 4100.5))
    assert got.direct_alpha is not None and got.flows == 2
    with pytest.raises(ValidationError) as err:
        fund_pme(gp, fid, date(2022, 12, 31), "NOPE")
    assert err.value.field == "index"

    browser = Browser(app.test_client())
    browser.login(world.gp_user.email, PASSWORD)
    html = browser.client.get(f"/funds/{fid}/performance?as_of=2022-12-31&index=CSI300").get_data(
        as_text=True)
    assert 'id="pme-ks"' in html and f"{got.ks_pme:.4f}" in html
