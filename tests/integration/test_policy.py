"""Policy rules and indicators on the fixture of test_lookthrough, numbers by hand.

Ledgers at 2022-12-31 (m = million yuan):

    A: called 500 (P 150 / private 250 / SOE 100 of commitments 200 / 600 / 200);
       investments Y 100, Z 30 reversed, Z 25 → 125; contribution to C 40; fee 10;
       expense 2; proceeds 5; distribution 5
    B: called 300 (P 100 / fiscal 50 / private 150 of 100 / 100 / 300); investment X 50;
       contribution to C 10
    P: called 300 of 1,000 (fiscal); investment W 10; contributions to A 150, B 40 + 60

Rules: on P (for all its sub-funds) — 返投 region 4403*, multiple 0.3 on the subscribed basis
from 2021-01-01 and multiple 0.05 from 2023-01-01; 投小 ≥ 50 % with deals ≤ 30m; 投硬科技
≥ 20 %; gov share ≤ 30 %; idle ≤ 90 %. On B itself: gov share ≤ 35 % from 2021-01-01 and
≤ 50 % from 2023-01-01.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.audit import AuditEvent
from fundops.errors import Forbidden, NotFound, ValidationError
from fundops.extensions import db
from fundops.metrics.models import IndexLevel, PolicyRule
from fundops.metrics.policy import (
    list_index_levels,
    list_policy_breaches,
    list_policy_rules,
    load_index_levels,
    policy_indicators,
    set_policy_rule,
)
from fundops.models import Organisation
from tests.factories import make_user
from tests.integration.test_lookthrough import Fof, build_fof

M = 1_000_000
AS_OF = date(2022, 12, 31)


def _d(millions: str) -> Decimal:
    return (Decimal(millions) * M).quantize(Decimal("0.01"))


def with_rules() -> Fof:
    f = build_fof()
    g = f.guidance
    set_policy_rule(g, f.p.id, "reinvest_multiple", {"region_prefix": "4403", "multiple": "0.3"},
                    "subscribed", "2021-01-01", "深圳市引导基金管理办法 第十条")
    set_policy_rule(g, f.p.id, "reinvest_multiple", {"region_prefix": "4403", "multiple": "0.05"},
                    "subscribed", "2023-01-01")
    set_policy_rule(g, f.p.id, "small_company_min_share",
                    {"min_share": "0.5", "max_deal": "30000000"}, "subscribed", "2021-01-01")
    set_policy_rule(g, f.p.id, "hard_tech_min_share", {"min_share": "0.2"}, "subscribed",
                    "2021-01-01")
    set_policy_rule(g, f.p.id, "gov_share_cap", {"max_share": "0.3"}, "subscribed", "2021-01-01")
    set_policy_rule(g, f.p.id, "idle_max_ratio", {"max_ratio": "0.9"}, "paid_in", "2021-01-01")
    set_policy_rule(
        f.gp_b, f.b.id, "gov_share_cap", {"max_share": "0.35"}, "subscribed", "2021-01-01"
    )
    set_policy_rule(
        f.gp_b, f.b.id, "gov_share_cap", {"max_share": "0.5"}, "subscribed", "2023-01-01"
    )
    return f


def _figures(ind: object) -> tuple[Decimal, Decimal, Decimal | None]:
    return ind.numerator, ind.denominator, ind.value  # type: ignore[attr-defined]


def test_sub_fund_indicators_by_hand(app: Flask) -> None:
    f = with_rules()
    rep = policy_indicators(f.guidance, f.p.id, AS_OF)
    a, b = rep.sub_funds
    assert (a.fund_id, b.fund_id) == (f.a.id, f.b.id)
    assert _figures(a.get("paid_in_ratio")) == (_d("500"), _d("1000"), Decimal("0.5000"))
    # government LPs of A by default: only P's record (150 of 200); social: 350 of 800
    assert a.get("paid_in_ratio_government").value == Decimal("0.7500")
    assert a.get("paid_in_ratio_social").value == Decimal("0.4375")
    # deployment: (125 invested + 40 into C) / 500; idle: (500 − 125 − 40 − 10 − 2 + 5 − 5) / 500
    assert _figures(a.get("deployment_ratio")) == (_d("165"), _d("500"), Decimal("0.3300"))
    idle = a.get("idle_ratio")
    assert _figures(idle) == (_d("323"), _d("500"), Decimal("0.6460"))
    assert idle.rule is not None and idle.rule.threshold == Decimal("0.9") and not idle.breach
    assert a.get("gov_share", "subscribed").value == Decimal("0.2000")
    assert a.get("gov_share", "paid_in").value == Decimal("0.3000")
    # 返投: Z (440300) counts, Y (310000) does not; the reversed 30m deal is not a deal
    r = a.get("reinvestment_achievement", "subscribed")
    assert _figures(r) == (_d("25"), _d("60"), Decimal("0.4166666667"))  # 25 / (0.3 × 200)
    assert r.breach and r.rule is not None
    assert (r.rule.effective_from, r.rule.basis, r.rule.fund_id) == (
        date(2021, 1, 1),
        "subscribed",
        f.p.id,
    )
    assert r.rule.threshold == Decimal(1) and r.rule.source_citation.startswith("深圳")
    r_paid = a.get("reinvestment_achievement", "paid_in")
    assert _figures(r_paid) == (_d("25"), _d("45"), Decimal("0.5555555556"))  # 25 / (0.3 × 150)
    assert r_paid.rule is None and not r_paid.breach  # the rule applies on the subscribed basis
    # 投早 (seed / start-up): Z 25 of 125; 投小: Z's 25m deal ≤ 30m, Y neither small nor SME
    assert (
        a.get("early_stage_share").value == Decimal("0.2000")
        and a.get("early_stage_share").rule is None
    )
    assert (
        a.get("small_company_share").value == Decimal("0.2000")
        and a.get("small_company_share").breach
    )
    hard = a.get("hard_tech_share")
    assert (
        hard.value == Decimal("0.2000") and hard.rule is not None and not hard.breach
    )  # = minimum
    assert a.get("single_deal_share", "subscribed").value == Decimal("0.1000")  # Y 100 / 1000
    assert a.get("single_deal_share", "paid_in").value == Decimal("0.2000")
    assert {i.code for i in a.breaches} == {"reinvestment_achievement", "small_company_share"}

    assert _figures(b.get("deployment_ratio")) == (_d("60"), _d("300"), Decimal("0.2000"))
    assert b.get("idle_ratio").value == Decimal("0.8000")
    gov = b.get("gov_share", "subscribed")  # (P 100 + fiscal 100) / 500, B's own cap 35 %
    assert _figures(gov) == (_d("200"), _d("500"), Decimal("0.4000"))
    assert gov.breach and gov.rule is not None and gov.rule.fund_id == f.b.id
    assert gov.rule.threshold == Decimal("0.35")
    reinvest = b.get("reinvestment_achievement", "subscribed")
    assert reinvest.value == Decimal("1.6666666667")  # 50 / 30
    assert b.get("small_company_share").value == Decimal("1.0000")  # X is an SME
    assert {i.code for i in b.breaches} == {"gov_share"}


def test_guidance_fund_own_indicators_are_unchecked(app: Flask) -> None:
    f = with_rules()
    own = policy_indicators(f.guidance, f.p.id, AS_OF).guidance
    assert own.role == "guidance"
    assert own.get("paid_in_ratio").value == Decimal("0.3000")
    assert _figures(own.get("deployment_ratio")) == (_d("260"), _d("300"), Decimal("0.8666666667"))
    assert own.get("idle_ratio").value == Decimal("0.1333333333")  # (300 − 10 − 250) / 300
    assert own.get("gov_share", "subscribed").value == Decimal("1.0000")
    assert all(i.rule is None and not i.breach for i in own.indicators)
    assert not [i for i in own.indicators if i.code == "reinvestment_achievement"]


def test_breach_list_and_rules_effective_later_are_ignored(app: Flask) -> None:
    f = with_rules()
    listed = list_policy_breaches(f.guidance, f.p.id, AS_OF)
    assert [x.fund_id for x in listed] == [f.a.id, f.b.id]
    # from 2023-01-01: 返投 multiple 0.05 (A: 25 / (0.05 × 200) = 2.5) and B's cap 50 %
    later = list_policy_breaches(f.guidance, f.p.id, date(2023, 3, 31))
    assert [x.fund_id for x in later] == [f.a.id]
    assert {i.code for i in later[0].breaches} == {"small_company_share"}
    rep = policy_indicators(f.guidance, f.p.id, date(2023, 3, 31))
    assert rep.sub_funds[0].get("reinvestment_achievement", "subscribed").value == Decimal("2.5000")
    assert rep.sub_funds[1].get("gov_share", "subscribed").rule.threshold == Decimal("0.5")
    # before any rule: nothing checked
    assert list_policy_breaches(f.guidance, f.p.id, date(2020, 12, 31)) == []


def test_no_rules_means_no_breach(app: Flask) -> None:
    f = build_fof()
    rep = policy_indicators(f.guidance, f.p.id, AS_OF)
    assert rep.breaches == ()
    r = rep.sub_funds[0].get("reinvestment_achievement", "subscribed")
    assert r.value is None and r.rule is None and "no" in r.note


def test_set_policy_rule_validation_scoping_and_replacement(app: Flask) -> None:
    f = build_fof()
    bad = [
        ("target_irr", {"min": "0.08"}, "subscribed", "rule_type"),
        ("gov_share_cap", {"max_share": "40"}, "subscribed", "params.max_share"),
        ("gov_share_cap", {"max_share": 0.4}, "subscribed", "params.max_share"),
        ("gov_share_cap", {}, "subscribed", "params.max_share"),
        ("gov_share_cap", {"max_share": "0.4", "cap": "1"}, "subscribed", "params.cap"),
        (
            "reinvest_multiple",
            {"region_prefix": "44A3", "multiple": "1.5"},
            "paid_in",
            "params.region_prefix",
        ),
        (
            "reinvest_multiple",
            {"region_prefix": "4403", "multiple": "0"},
            "paid_in",
            "params.multiple",
        ),
        (
            "early_stage_min_share",
            {"min_share": "0.7", "stages": ["angel"]},
            "paid_in",
            "params.stages",
        ),
        ("gov_share_cap", {"max_share": "0.4"}, "committed", "basis"),
    ]
    for rule_type, params, basis, field in bad:
        with pytest.raises(ValidationError) as err:
            set_policy_rule(f.guidance, f.p.id, rule_type, params, basis, "2021-01-01")
        assert err.value.field == field, (rule_type, params)
    with pytest.raises(NotFound):  # LP access is not enough to write
        set_policy_rule(f.guidance, f.a.id, "gov_share_cap", {"max_share": "0.4"}, "subscribed",
                        "2021-01-01")
    org = db.session.get(Organisation, f.p.organisation_id)
    _, viewer = make_user(org.name, kind="guidance_fund_manager", role="viewer")
    with pytest.raises(Forbidden):
        set_policy_rule(
            viewer, f.p.id, "gov_share_cap", {"max_share": "0.4"}, "subscribed", "2021-01-01"
        )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PolicyRule)) == 0

    first = set_policy_rule(f.guidance, f.p.id, "early_stage_min_share",
                            {"min_share": "0.70", "stages": ["start_up", "seed"]}, "paid_in",
                            "2021-01-01", "国家创业投资引导基金")
    assert first.params_dict == {"min_share": "0.70", "stages": ["seed", "start_up"]}
    again = set_policy_rule(f.guidance, f.p.id, "early_stage_min_share", {"min_share": "0.5"},
                            "paid_in", "2021-01-01")
    assert first.id == again.id and again.params_dict == {"min_share": "0.5"}
    assert again.source_citation == ""
    assert [r.id for r in list_policy_rules(viewer, f.p.id)] == [first.id]  # reading is fine
    with pytest.raises(NotFound):
        list_policy_rules(f.outsider, f.p.id)
    actions = db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.object_type == "policy_rule").order_by(AuditEvent.id)).all()
    assert actions == ["policy_rule.create", "policy_rule.replace"]


def test_load_index_levels_all_or_nothing(app: Flask) -> None:
    rows = [
        (date(2024, 1, 2), "3000.123456"),
        ("2024-01-03", Decimal(3010)),
        (date(2024, 1, 4), 3020),
    ]
    assert load_index_levels("CSI300", rows) == 3
    assert list_index_levels("CSI300") == [
        (date(2024, 1, 2), Decimal("3000.123456")), (date(2024, 1, 3), Decimal("3010.000000")),
        (date(2024, 1, 4), Decimal("3020.000000"))]
    assert list_index_levels("CSI300", start=date(2024, 1, 3), end=date(2024, 1, 3)) == [
        (date(2024, 1, 3), Decimal("3010.000000"))]
    cases = [
        ([(date(2024, 2, 1), "1"), (date(2024, 2, 1), "2")], "rows[1]", "duplicate"),
        ([(date(2024, 2, 1), "1"), (date(2024, 2, 2), "0")], "rows[1]", "positive"),
        ([(date(2024, 2, 1), "-5")], "rows[0]", "positive"),
        ([(date(2024, 2, 1), 1.5)], "rows[0]", "float"),
        ([(date(2024, 2, 1), "1.0000001")], "rows[0]", "6 decimal"),
        ([(date(2024, 2, 1), "abc")], "rows[0]", "not a number"),
        ([("2024-13-01", "1")], "rows[0]", "not a date"),
        ([(date(2024, 2, 5), "1"), (date(2024, 1, 3), "1")], "rows[1]", "already has"),
    ]
    for bad, field, words in cases:
        with pytest.raises(ValidationError) as err:
            load_index_levels("CSI300", bad)
        assert err.value.field == field and words in err.value.message, bad
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IndexLevel)) == 3
    with pytest.raises(ValidationError):
        load_index_levels("", rows)
    assert load_index_levels("CSI300", [(date(2024, 1, 3), "3011.5")], replace=True) == 1
    assert list_index_levels("CSI300")[1] == (date(2024, 1, 3), Decimal("3011.500000"))
