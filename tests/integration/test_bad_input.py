"""Every kind of bad input gets an error naming the field and writes nothing at all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.errors import ValidationError
from fundops.extensions import db
from fundops.portfolio import ledger_services as ledger
from fundops.portfolio import services
from tests.factories import World, fund_with_activity, make_fund, make_world


def table_counts() -> dict[str, int]:
    return {t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t))
            for t in db.metadata.sorted_tables}


def _call(**kw: Any) -> Callable[[World], Any]:
    def run(w: World) -> Any:
        args = {"value_on": "2021-03-31", "amount": "1000000", "purpose": "investment"} | kw
        return ledger.record_capital_call(w.gp, w.fund.id, **args)
    return run


CASES: dict[str, tuple[Callable[[World], Any], str]] = {
    "negative amount": (_call(amount="-5"), "amount"),
    "zero amount": (_call(amount="0"), "amount"),
    "malformed amount": (_call(amount="12,34x"), "amount"),
    "too many decimals": (_call(amount="10.001"), "amount"),
    "float amount": (_call(amount=1.5), "amount"),
    "unknown currency": (_call(currency="XYZ"), "currency"),
    "other currency than the fund": (_call(currency="USD"), "currency"),
    "date before inception": (_call(value_on="2019-12-31"), "value_on"),
    "date after the fund's life": (_call(value_on="2030-01-01"), "value_on"),
    "malformed date": (_call(value_on="31/03/2021"), "value_on"),
    "unknown purpose": (_call(purpose="party"), "purpose"),
    "allocation that does not sum": (
        lambda w: _call(split={w.lps[0].id: "1", w.lps[1].id: "2"})(w), "allocation"),
    "allocation to a stranger": (_call(split={999999: "1000000"}), "allocation"),
    "call beyond commitments": (_call(amount="600000000.01"), "amount"),
    "commitment to itself": (
        lambda w: services.add_commitment(
            w.gp, w.fund.id,
            services.create_investor(w.gp, "self", "guidance_fund", fund_id=w.fund.id).id,
            "1", "2020-06-01"), "investor_id"),
    "invalid credit code": (
        lambda w: services.create_company(w.gp, name="坏代码公司", uscc="91440300MA5F00000X",
                                          sector="AI", stage="seed", region_code="440300"),
        "uscc"),
    "bad region code": (
        lambda w: services.create_company(w.gp, name="x", uscc="91350100M000100Y43",
                                          sector="AI", stage="seed", region_code="44030"),
        "region_code"),
    "negative commitment": (
        lambda w: services.add_commitment(w.gp, w.fund.id, w.lps[0].id, "-1", "2020-06-01"),
        "amount"),
    "commitment outside the fund's life": (
        lambda w: services.add_commitment(w.gp, w.fund.id, w.lps[0].id, "1", "2031-01-01"),
        "committed_on"),
    "fund term before investment period": (
        lambda w: make_fund(w.gp, term_end_on="2021-01-01"), "term_end_on"),
    "fund with unknown kind": (lambda w: make_fund(w.gp, kind="hedge"), "kind"),
    "valuation with decimals": (
        lambda w: ledger.record_valuation(w.gp, w.fund.id, as_of="2021-01-01",
                                          nav_amount="1.234"), "nav_amount"),
    "holding valuation of a company not held": (
        lambda w: ledger.record_holding_valuation(
            w.gp, w.fund.id, company_id=services.create_company(
                w.gp, name="未投公司", uscc="91350100M000100Y43", sector="AI", stage="seed",
                region_code="440300").id,
            as_of="2021-01-01", fair_value_amount="1"), "company_id"),
    "ownership above 100%": (
        lambda w: ledger.record_investment(
            w.gp, w.fund.id, company_id=w.company.id, round_name="B", instrument="ordinary_equity",
            invested_on="2021-01-01", amount="1000", ownership_rate="1.5"), "ownership_rate"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_names_the_field_and_writes_nothing(app: Flask, case: str) -> None:
    world = make_world()
    fund_with_activity(world)
    action, field = CASES[case]
    before: dict[str, int] | None = None

    def counted(w: World) -> Any:
        nonlocal before
        db.session.commit()
        before = table_counts()
        return action(w)

    # (a commitment cycle and a duplicate source reference conflict with the state: 409,
    # tests/integration/test_ledger_races.py)
    if case in ("holding valuation of a company not held", "commitment to itself"):
        # These set up extra valid rows first; compare against the state after the setup.
        with pytest.raises(ValidationError) as err:
            action(world)
        db.session.rollback()
        assert err.value.field == field, str(err.value)
        return _assert_last_step_wrote_nothing(world, case)
    with pytest.raises(ValidationError) as err:
        counted(world)
    db.session.rollback()
    assert err.value.field == field, str(err.value)
    assert err.value.message
    assert table_counts() == before


def _assert_last_step_wrote_nothing(world: World, case: str) -> None:
    """Replays the failing step alone, counting rows around it."""
    before = table_counts()
    if case == "commitment to itself":
        self_lp = db.session.scalar(sa.text("SELECT id FROM investor WHERE name='self'"))
        with pytest.raises(ValidationError):
            services.add_commitment(world.gp, world.fund.id, self_lp, "1", "2020-06-01")
    else:
        company = db.session.scalar(sa.text("SELECT id FROM company WHERE name='未投公司'"))
        with pytest.raises(ValidationError):
            ledger.record_holding_valuation(world.gp, world.fund.id, company_id=company,
                                            as_of="2021-01-01", fair_value_amount="1")
    db.session.rollback()
    assert table_counts() == before
