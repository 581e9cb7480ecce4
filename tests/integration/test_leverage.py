"""Leverage of social capital on the three-level fixture of test_lookthrough, by hand.

At 2022-12-31 (m = million yuan; P is the guidance fund, A and B its sub-funds):

    subscribed: size A 1000 + B 500 = 1500; P's commitments 200 + 100 = 300
                government (fiscal, guidance_fund): A: P 200; B: P 100 + fiscal 100 → 400
                + state_owned: A's SOE 200 → 600
    paid-in:    size A 500 + B 300 = 800; P's paid-in 150 + 100 = 250
                government: A: P 150; B: P 100 + fiscal 50 → 300; + A's SOE 100 → 400
    company investments at cost: A 100 + 25 = 125 (the reversed 30 nets out), B 50 → 175
    look-through at cost, commitment shares: 1/5·125 + 1/5·50 + (1/5·3/10 + 1/5·1/10)·80 = 41.4
    look-through at cost, paid-in shares:    3/10·125 + 1/3·50 + 23/150·80 = 66,433,333.33
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask import Flask

from fundops.config import ConfigError
from fundops.errors import NotFound
from fundops.metrics.leverage import leverage
from tests.integration.test_lookthrough import build_fof

M = 1_000_000
AS_OF = date(2022, 12, 31)


def _d(millions: str) -> Decimal:
    return (Decimal(millions) * M).quantize(Decimal("0.01"))


def test_each_definition_on_both_bases(app: Flask) -> None:
    f = build_fof()
    rep = leverage(f.guidance, f.p.id, AS_OF)
    assert rep.government_types == ("fiscal", "guidance_fund")
    expected = {
        # (definition, basis): (numerator m, denominator m, value)
        ("fund_amplification", "subscribed"): ("1500", "300", "5.0000"),
        ("fund_amplification", "paid_in"): ("800", "250", "3.2000"),
        ("social_capital_leverage", "subscribed"): ("1100", "300", "3.6666666667"),  # 1100/300
        ("social_capital_leverage", "paid_in"): ("500", "250", "2.0000"),  # (800−300)/250
        ("narrow_leverage", "subscribed"): ("1200", "300", "4.0000"),
        ("narrow_leverage", "paid_in"): ("550", "250", "2.2000"),
        ("project_leverage", "subscribed"): ("175", "300", "0.5833333333"),
        ("project_leverage", "paid_in"): ("175", "250", "0.7000"),
        ("lookthrough_leverage", "subscribed"): ("41.4", "300", "0.1380"),
        ("lookthrough_leverage", "paid_in"): ("66.43333333", "250", "0.2657333333"),
    }
    for (definition, basis), (num, den, value) in expected.items():
        r = rep.get(definition, basis)
        assert (r.numerator, r.denominator, r.value) == (_d(num), _d(den), Decimal(value)), r
        assert r.label_zh and r.label_en and r.formula
    assert [(r.definition, r.basis) for r in rep.ratios] == list(expected)

    a, b = rep.sub_funds
    assert (a.fund_id, b.fund_id) == (f.a.id, f.b.id)
    assert (a.committed_total, a.paid_in_total) == (_d("1000"), _d("500"))
    assert (a.guidance_committed, a.guidance_paid_in) == (_d("200"), _d("150"))
    assert (b.government_committed, b.government_paid_in) == (_d("200"), _d("150"))
    assert (a.invested, b.invested) == (_d("125"), _d("50"))
    # A: 1/5·(125 + 3/10·80) = 29.8m; B: 1/3·(50 + 1/10·80) = 19,333,333.33
    assert a.attributable_subscribed == _d("29.8")
    assert b.attributable_paid_in == Decimal("19333333.33")
    amp = {(r.definition, r.basis): r.value for r in b.ratios}
    assert amp[("fund_amplification", "subscribed")] == Decimal("5.0000")  # 500 / 100
    assert amp[("social_capital_leverage", "paid_in")] == Decimal("1.5000")  # (300 − 150) / 100


def test_state_owned_counted_as_government(app: Flask) -> None:
    f = build_fof()
    app.config["GOVERNMENT_INVESTOR_TYPES"] = ["fiscal", "guidance_fund", "state_owned"]
    rep = leverage(f.guidance, f.p.id, AS_OF)
    sub, paid = (
        rep.get("social_capital_leverage", "subscribed"),
        rep.get("social_capital_leverage", "paid_in"),
    )
    assert (sub.numerator, sub.value) == (_d("900"), Decimal("3.0000"))  # (1500 − 600) / 300
    assert (paid.numerator, paid.value) == (_d("400"), Decimal("1.6000"))  # (800 − 400) / 250
    # the other definitions do not depend on the classification
    assert rep.get("fund_amplification", "subscribed").value == Decimal("5.0000")
    app.config["GOVERNMENT_INVESTOR_TYPES"] = ["fiscal", "municipal"]
    with pytest.raises(ConfigError, match="municipal"):
        leverage(f.guidance, f.p.id, AS_OF)


def test_zero_denominator_is_not_applicable_never_zero(app: Flask) -> None:
    f = build_fof()
    rep = leverage(f.guidance, f.p.id, date(2021, 4, 30))  # committed, nothing called yet
    for r in rep.ratios:
        if r.basis == "paid_in":
            assert r.denominator == 0 and r.value is None
        else:
            assert r.value is not None
    assert rep.get("fund_amplification", "subscribed").value == Decimal("5.0000")
    none = leverage(f.guidance, f.p.id, date(2021, 2, 1))  # no sub-fund commitment yet
    assert none.sub_funds == () and all(r.value is None for r in none.ratios)


def test_scoping(app: Flask) -> None:
    f = build_fof()
    with pytest.raises(NotFound):
        leverage(f.outsider, f.p.id, AS_OF)
