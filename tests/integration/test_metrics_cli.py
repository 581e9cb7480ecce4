"""``fundops metrics``: a fund, an LP position or a deal as a table or JSON, and its errors."""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from flask import Flask

from fundops.auth.accounts import issue_token
from fundops.metrics import perspectives as P
from fundops.metrics.cli import width
from tests.factories import World
from tests.web.test_metrics_pages import history_world

AS_OF = date(2022, 10, 31)


def run(app: Flask, world: World, *args: str, email: str | None = None) -> Any:
    base = ["metrics", "--fund", world.fund.code, "--user", email or world.gp_user.email]
    return app.test_cli_runner().invoke(args=[*base, *args])


def x4(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP)}x"


def block(output: str, title: str) -> list[str]:
    """The lines of the table that follows ``title``, up to the next blank line."""
    lines = output.split(title + "\n", 1)[1].split("\n\n", 1)[0].splitlines()
    return [line for line in lines if line.strip()]


def test_fund_table(app: Flask) -> None:
    world = history_world()
    result = run(app, world, "--as-of", "2022-10-31")
    assert result.exit_code == 0, result.output
    out = result.output
    report = P.fund_metrics(world.gp, world.fund.id, AS_OF)
    net = report.net
    assert f"{world.fund.code} 测试基金: fund metrics as of 2022-10-31" in out
    assert P.DEFINITIONS["fund_net"][1] in out and P.DEFINITIONS["fund_gross"][1] in out
    net_lines = block(out, "Fund net (all LPs)")
    tvpi = next(line for line in net_lines if line.strip().startswith("TVPI"))
    assert x4(net.tvpi) in tvpi and "(12,000,000.00 + 84,000,000.00) / 90,000,000.00" in tvpi
    assert any("valued 2021-12-31, 304 days old, STALE" in line for line in net_lines)
    assert any(f"{net.irr * 100:.2f}%" in line for line in net_lines)
    assert any("PIC" in line and "15.00%" in line for line in net_lines)
    # Aligned: every row of the LP table is as wide as its header (numbers right-aligned).
    lp_lines = block(out, "LP positions (LP net)")
    assert len(lp_lines) == 2 + len(report.lps)
    assert len({width(line) for line in lp_lines}) == 1
    for line in report.lps:
        assert line.investor_name in out
    deal_lines = block(out, "Deals")
    assert world.company.name in deal_lines[2] and world.company.uscc in deal_lines[2]
    assert x4(report.deals[0].position.tvpi) in deal_lines[2]


def test_fund_json_is_the_api_body(app: Flask) -> None:
    world = history_world()
    result = run(app, world, "--as-of", "2022-10-31", "--format", "json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    net = P.fund_metrics(world.gp, world.fund.id, AS_OF).net
    assert body["net"]["multiples"]["tvpi"]["value"] == str(net.tvpi)
    assert body["net"]["definition"]["zh"] == P.DEFINITIONS["fund_net"][0]
    token = issue_token(email=world.gp_user.email, label="cli-vs-api")
    api = app.test_client().get(f"/api/v1/funds/{world.fund.id}/metrics?as_of=2022-10-31",
                                headers={"Authorization": f"Bearer {token}"})
    assert body == api.get_json()


def test_lp_position_table_and_json(app: Flask) -> None:
    world = history_world()
    lp = world.lps[0]
    line = P.lp_position(world.gp, world.fund.id, lp.id, AS_OF)
    result = run(app, world, "--lp", lp.name, "--as-of", "2022-10-31")
    assert result.exit_code == 0, result.output
    assert f"LP {lp.name} as of 2022-10-31" in result.output
    assert "LP net" in result.output and x4(line.position.tvpi) in result.output
    assert f"{line.position.value:,.2f}" in result.output  # its share of the NAV
    result = run(app, world, "--lp", lp.name.upper(), "--as-of", "2022-10-31", "--format", "json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["lp"]["investor_id"] == lp.id and body["lp"]["value"] == str(line.position.value)
    assert body["lp"]["irr"] is not None and "lps" not in body


def test_deal_by_name_or_uscc(app: Flask) -> None:
    world = history_world()
    deal = P.deal_position(world.gp, world.fund.id, world.company.id, AS_OF).position
    result = run(app, world, "--deal", world.company.name, "--as-of", "2022-10-31")
    assert result.exit_code == 0, result.output
    assert "MOIC" in result.output and x4(deal.tvpi) in result.output
    assert "(realised + unrealised) / invested" in result.output
    result = run(app, world, "--deal", world.company.uscc.lower(), "--as-of", "2022-10-31",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["deal"]["company_id"] == world.company.id
    assert body["deal"]["multiples"]["moic"]["value"] == str(deal.tvpi)


@pytest.mark.parametrize(("args", "user", "message"), [
    (("--as-of", "2022-02-30"), None, "--as-of: '2022-02-30' is not a date"),
    (("--as-of", "2999-01-01"), None, "in the future"),
    (("--lp", "nobody"), None, "no LP 'nobody'"),
    (("--deal", "nothing"), None, "no deal 'nothing'"),
    (("--lp", "x", "--deal", "y"), None, "either --lp or --deal"),
    ((), "ghost@example.cn", "no user with the email 'ghost@example.cn'"),
    ((), "other", "no fund"),
    (("--format", "xml"), None, "Invalid value for '--format'"),
])
def test_errors_are_clear(app: Flask, args: tuple[str, ...], user: str | None,
                          message: str) -> None:
    world = history_world()
    email = world.other_user.email if user == "other" else user
    result = run(app, world, *args, email=email)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_unknown_fund_code(app: Flask) -> None:
    world = history_world()
    result = app.test_cli_runner().invoke(
        args=["metrics", "--fund", "NOPE", "--user", world.gp_user.email])
    assert result.exit_code == 1 and "no fund 'NOPE'" in result.output
    assert world.fund.code in result.output  # lists what the user can see
