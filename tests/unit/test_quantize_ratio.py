"""quantize_ratio: exact half-even rounding of a ratio of integers, digits and exponent."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from hypothesis import given
from hypothesis import strategies as st

from fundops.calc.lookthrough import quantize_ratio

big = st.integers(-(10**60), 10**60)


@given(big, st.integers(1, 10**40), st.integers(0, 12))
def test_quantize_ratio_is_decimal_half_even_quantize(num: int, den: int, places: int) -> None:
    with localcontext() as ctx:
        ctx.prec = 200  # 1e-139 absolute: far below any distance to a tie (≥ 5e-53)
        exact = Decimal(num) / Decimal(den)
        expected = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    got = quantize_ratio(num, den, places)
    assert got == expected and got.as_tuple().exponent == -places
    assert got.is_signed() == (expected < 0)  # never a negative zero


def test_small_context_precision_does_not_round_the_result() -> None:
    with localcontext() as ctx:
        ctx.prec = 3
        assert str(quantize_ratio(10**30 + 1, 3, 2)) == "333333333333333333333333333333.67"
