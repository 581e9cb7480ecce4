"""Pure leverage definitions: a worked example, government classification, n/a and identities."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fundops.calc.leverage import (
    DEFINITIONS,
    LpAmount,
    SubFundLeverageInput,
    leverage_report,
    ratio_4dp,
)

AS_OF = date(2024, 12, 31)
GOV = ("fiscal", "guidance_fund")


def sub(
    fund_id: int,
    lps: list[tuple[str, bool, str, str]],
    invested: str = "0",
    attributable: tuple[Fraction, Fraction] = (Fraction(0), Fraction(0)),
) -> SubFundLeverageInput:
    return SubFundLeverageInput(
        fund_id=fund_id, fund_code=f"S{fund_id}", fund_name=f"子基金{fund_id}",
        lps=tuple(LpAmount(t, g, Decimal(c), Decimal(p)) for t, g, c, p in lps),
        invested=Decimal(invested), attributable_subscribed=attributable[0],
        attributable_paid_in=attributable[1])


def test_worked_example() -> None:
    # S1: guidance 20, fiscal 10, SOE 30, private 40 (size 100); paid-in 10 / 5 / 15 / 20 (50)
    # S2: guidance 30, private 70 (size 100); paid-in 0 / 0 (nothing called)
    s1 = sub(1, [("guidance_fund", True, "20", "10"), ("fiscal", False, "10", "5"),
                 ("state_owned", False, "30", "15"), ("private", False, "40", "20")],
             invested="45", attributable=(Fraction(9), Fraction(20, 3)))
    s2 = sub(2, [("guidance_fund", True, "30", "0"), ("private", False, "70", "0")])
    rep = leverage_report(7, AS_OF, [s1, s2], GOV)
    got = {(r.definition, r.basis): (r.numerator, r.denominator, r.value) for r in rep.ratios}
    d = Decimal
    assert got == {
        ("fund_amplification", "subscribed"): (d("200"), d("50"), d("4.0000")),
        ("fund_amplification", "paid_in"): (d("50"), d("10"), d("5.0000")),
        # government: guidance 20 + 30 and fiscal 10 = 60 (subscribed); 10 + 5 = 15 (paid-in)
        ("social_capital_leverage", "subscribed"): (d("140"), d("50"), d("2.8000")),
        ("social_capital_leverage", "paid_in"): (d("35"), d("10"), d("3.5000")),
        ("narrow_leverage", "subscribed"): (d("150"), d("50"), d("3.0000")),
        ("narrow_leverage", "paid_in"): (d("40"), d("10"), d("4.0000")),
        ("project_leverage", "subscribed"): (d("45"), d("50"), d("0.9000")),
        ("project_leverage", "paid_in"): (d("45"), d("10"), d("4.5000")),
        ("lookthrough_leverage", "subscribed"): (d("9.00"), d("50"), d("0.1800")),
        # 20/3 = 6.666… rounded to 6.67 yuan first, then 6.67 / 10
        ("lookthrough_leverage", "paid_in"): (d("6.67"), d("10"), d("0.6670")),
    }
    s2_row = rep.sub_funds[1]
    assert all(r.value is None for r in s2_row.ratios if r.basis == "paid_in")
    assert s2_row.attributable_paid_in == Decimal("0.00")
    soe = leverage_report(7, AS_OF, [s1, s2], (*GOV, "state_owned"))
    assert soe.get("social_capital_leverage", "subscribed").value == Decimal("2.2000")  # 110 / 50
    assert soe.government_types == ("fiscal", "guidance_fund", "state_owned")


def test_guidance_records_always_count_as_government() -> None:
    s = sub(1, [("corporate", True, "25", "0"), ("private", False, "75", "0")])
    rep = leverage_report(1, AS_OF, [s], ())
    assert rep.get("social_capital_leverage", "subscribed").value == Decimal("3.0000")  # 75 / 25


def test_labels_and_lookup() -> None:
    rep = leverage_report(1, AS_OF, [], GOV)
    assert [r.definition for r in rep.ratios[::2]] == list(DEFINITIONS)
    assert all(r.value is None for r in rep.ratios)
    with pytest.raises(KeyError):
        rep.get("loan_leverage", "paid_in")


def test_ratio_4dp() -> None:
    assert ratio_4dp(Decimal(1), Decimal(3)) == Decimal("0.3333")
    assert ratio_4dp(Decimal("0.00005"), Decimal(1)) == Decimal("0.0000")  # half to even
    assert ratio_4dp(Decimal("0.00015"), Decimal(1)) == Decimal("0.0002")
    assert ratio_4dp(Decimal(5), Decimal(0)) is None


amounts = st.decimals(min_value=0, max_value=10**12, places=2)


@given(st.lists(st.tuples(amounts, amounts, amounts, amounts), min_size=1, max_size=5))
def test_amplification_is_narrow_plus_one(rows: list[tuple[Decimal, ...]]) -> None:
    subs = [sub(i, [("guidance_fund", True, str(g), str(min(gp, g))),
                    ("private", False, str(o), str(min(op, o)))])
            for i, (g, gp, o, op) in enumerate(rows)]
    rep = leverage_report(1, AS_OF, subs, GOV)
    for basis in ("subscribed", "paid_in"):
        amp, narrow = rep.get("fund_amplification", basis), rep.get("narrow_leverage", basis)
        assert amp.numerator - narrow.numerator == amp.denominator  # exact identity
        social = rep.get("social_capital_leverage", basis)
        assert social.numerator == narrow.numerator  # only the guidance fund is government here
        if amp.denominator == 0:
            assert amp.value is None and narrow.value is None
        else:
            assert abs(amp.value - narrow.value - 1) <= Decimal("0.0001")
