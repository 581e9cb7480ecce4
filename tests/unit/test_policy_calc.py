"""Pure policy indicators: rules in force, parameter validation, breach boundaries."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fundops.calc.leverage import LpAmount
from fundops.calc.policy import (
    Deal,
    FundPolicyInputs,
    RuleSpec,
    fund_indicators,
    rule_in_force,
    rules_in_force,
    validate_params,
)
from fundops.errors import ValidationError

GOV = ("fiscal", "guidance_fund")


def rule(rule_type: str, params: dict[str, object], on: date, basis: str = "subscribed",
         rule_id: int = 1, fund_id: int = 1) -> RuleSpec:
    return RuleSpec(rule_id, fund_id, rule_type, json.dumps(params), basis, on)


def inputs(deals: list[Deal], **flows: str) -> FundPolicyInputs:
    lps = (LpAmount("guidance_fund", True, Decimal(30), Decimal(15)),
           LpAmount("private", False, Decimal(70), Decimal(35)))
    return FundPolicyInputs(2, "S", "子基金", "sub_fund", lps,
                            {k: Decimal(v) for k, v in flows.items()}, tuple(deals))


def deal(cid: int, amount: str, stage: str = "growth", sme: bool = False, hard: bool = False,
         region: str = "110000") -> Deal:
    return Deal(cid, Decimal(amount), stage, sme, hard, region)


def test_rule_in_force_is_latest_on_or_before() -> None:
    rules = [rule("gov_share_cap", {"max_share": "0.4"}, date(2021, 1, 1), rule_id=1),
             rule("gov_share_cap", {"max_share": "0.3"}, date(2023, 1, 1), rule_id=2),
             rule("gov_share_cap", {"max_share": "0.5"}, date(2023, 1, 1), rule_id=3)]
    assert rule_in_force(rules, "gov_share_cap", date(2020, 12, 31)) is None
    assert rule_in_force(rules, "gov_share_cap", date(2022, 12, 31)).rule_id == 1  # type: ignore[union-attr]
    assert rule_in_force(rules, "gov_share_cap", date(2023, 1, 1)).rule_id == 3  # type: ignore[union-attr]
    own = [rule("gov_share_cap", {"max_share": "0.2"}, date(2024, 1, 1), fund_id=2)]
    assert rules_in_force(own, rules, date(2023, 6, 30))["gov_share_cap"].rule_id == 3
    assert rules_in_force(own, rules, date(2024, 6, 30))["gov_share_cap"].fund_id == 2


def test_validate_params_normalises() -> None:
    assert validate_params("reinvest_multiple", {"region_prefix": " 4403", "multiple": 2}) == {
        "region_prefix": "4403", "multiple": "2"}
    assert validate_params("early_stage_min_share", {"min_share": "0.7", "stages": "seed"},
                           ["seed", "start_up"]) == {"min_share": "0.7", "stages": ["seed"]}
    with pytest.raises(ValidationError, match="fraction"):
        validate_params("idle_max_ratio", {"max_ratio": "1.5"})
    with pytest.raises(ValidationError) as err:
        validate_params("small_company_min_share", {"min_share": "0.5", "max_deal": "-1"})
    assert err.value.field == "params.max_deal"


def test_indicators_and_exact_breach_boundary() -> None:
    # invested 100 000: early (seed) 69 999.99 → 0.6999999 shows as 0.7000 but breaches 70 %
    deals = [deal(1, "69999.99", stage="seed", hard=True, region="440301"),
             deal(2, "30000.01", sme=True)]
    rules = {
        "early_stage_min_share": rule(
            "early_stage_min_share", {"min_share": "0.7"}, date(2020, 1, 1)
        ),
        "hard_tech_min_share": rule(
            "hard_tech_min_share", {"min_share": "0.6999"}, date(2020, 1, 1)
        ),
        "single_deal_max": rule(
            "single_deal_max", {"max_share": "0.5"}, date(2020, 1, 1), "paid_in"
        ),
    }
    out = fund_indicators(inputs(deals, capital_call="50", investment="100000"), rules, GOV)
    early = out.get("early_stage_share")
    assert early.value == Decimal("0.6999999000") and early.breach  # shown as 70.00 %
    assert not out.get("hard_tech_share").breach
    assert out.get("small_company_share").value == Decimal("0.3000001000")  # SME deal only
    assert out.get("single_deal_share", "paid_in").breach  # 69 999.99 / 50 paid-in
    assert out.get("single_deal_share", "subscribed").rule is None
    assert out.get("reinvestment_achievement", "paid_in").value is None  # no rule
    assert [i.code for i in out.breaches] == ["early_stage_share", "single_deal_share"]


def test_a_fund_with_no_rule_in_force_is_unchecked_not_compliant() -> None:
    deals = [deal(1, "100", stage="seed")]
    unruled = fund_indicators(inputs(deals, capital_call="50", investment="100"), {}, GOV)
    assert not unruled.checked and not unruled.breaches  # "no rules set", not "no breach"
    met = {"early_stage_min_share": rule("early_stage_min_share", {"min_share": "0.5"},
                                         date(2020, 1, 1))}
    ruled = fund_indicators(inputs(deals, capital_call="50", investment="100"), met, GOV)
    assert ruled.checked and not ruled.breaches


def test_not_applicable_never_breaches() -> None:
    rules = {
        "deployment_min_ratio": rule("deployment_min_ratio", {"min_ratio": "0.5"}, date(2020, 1, 1))
    }
    out = fund_indicators(inputs([]), rules, GOV)
    dep = out.get("deployment_ratio")
    assert dep.value is None and dep.rule is not None and not dep.breach
    assert out.get("early_stage_share").value is None


@given(st.lists(st.tuples(st.decimals(min_value="0.01", max_value=10**9, places=2),
                          st.sampled_from(["seed", "start_up", "growth", "mature"]),
                          st.booleans(), st.booleans()), max_size=8))
def test_shares_are_fractions_of_invested(rows: list[tuple[Decimal, str, bool, bool]]) -> None:
    deals = [
        Deal(i % 3, amt, stage, sme, hard, "440300")
        for i, (amt, stage, sme, hard) in enumerate(rows)
    ]
    out = fund_indicators(inputs(deals), {}, GOV)
    for code in ("early_stage_share", "small_company_share", "hard_tech_share"):
        ind = out.get(code)
        assert 0 <= ind.numerator <= ind.denominator
        assert (ind.value is None) == (ind.denominator == 0)
