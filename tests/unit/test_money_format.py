"""The pages' amount text: :func:`fundops.i18n.format_money` against Babel's pattern."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from babel import Locale
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from fundops.i18n import UNITS, format_money

amounts = st.decimals(min_value=Decimal("-1e15"), max_value=Decimal("1e15"), places=2,
                      allow_nan=False, allow_infinity=False)


@given(amount=amounts, unit=st.sampled_from(sorted(UNITS)))
def test_equals_babel_western_grouping(amount: Decimal, unit: str) -> None:
    """The fast text is Babel's ``#,##0.00…`` in the ``en`` locale, for every unit."""
    divisor, places = UNITS[unit]
    shown = (amount / divisor).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    expected = format_decimal(shown, format="#,##0." + "0" * places, locale=Locale.parse("en"))
    assert format_money(amount, "CNY", unit) == expected


@pytest.mark.parametrize(("amount", "unit", "text"), [
    (Decimal("12345678.90"), "yuan", "12,345,678.90"),
    (Decimal("12345678.90"), "wan", "1,234.57"),
    (Decimal("-50000"), "wan", "-5.00"),
    (Decimal("149999999.99"), "yi", "1.5000"),
    (Decimal("0.004"), "yuan", "0.00"),
    (Decimal("0.005"), "yuan", "0.01"),
    (None, "wan", "—"),
])
def test_examples(amount: Decimal | None, unit: str, text: str) -> None:
    """Half-up to the unit's places, grouped by thousands, a dash for no amount."""
    assert format_money(amount, "CNY", unit) == text
