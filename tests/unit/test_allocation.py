"""Unit and property tests for fundops.calc.allocation (exact pro-rata splitting)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fundops.calc.allocation import allocate_pro_rata, allocate_units, check_explicit_split
from fundops.errors import ValidationError

CENT = Fraction(1, 100)

weight_strategy = st.one_of(
    st.just(Decimal(0)),
    st.integers(min_value=1, max_value=10**9).map(Decimal),
    st.decimals(
        min_value=Decimal("0.0001"),
        max_value=Decimal("1000000"),
        places=4,
        allow_nan=False,
        allow_infinity=False,
    ),
    # a few repeated values so that ties in the remainders are common
    st.sampled_from([Decimal(1), Decimal(2), Decimal(3), Decimal("0.5")]),
)
total_strategy = st.integers(min_value=-(10**17), max_value=10**17).map(
    lambda fen: Decimal(fen).scaleb(-2)
)


@st.composite
def weight_lists(draw: st.DrawFn) -> list[tuple[int, Decimal]]:
    """1-500 parties keyed 0..n-1 with zero/positive weights, at least one positive."""
    # draw the size first: st.lists on its own rarely produces long lists
    size = draw(st.one_of(st.integers(min_value=1, max_value=10), st.integers(1, 500)))
    weights = draw(st.lists(weight_strategy, min_size=size, max_size=size))
    if all(w == 0 for w in weights):
        index = draw(st.integers(min_value=0, max_value=len(weights) - 1))
        weights[index] = draw(st.integers(min_value=1, max_value=1000).map(Decimal))
    return list(enumerate(weights))


# --- worked examples -----------------------------------------------------------


def test_three_way_split_gives_extra_fen_to_first_party() -> None:
    equal = [("a", Decimal(1)), ("b", Decimal(1)), ("c", Decimal(1))]
    result = allocate_pro_rata(Decimal("100.00"), equal)
    assert result == {"a": Decimal("33.34"), "b": Decimal("33.33"), "c": Decimal("33.33")}
    assert list(result) == ["a", "b", "c"]


def test_negative_total_mirrors_the_sign() -> None:
    equal = [("a", Decimal(1)), ("b", Decimal(1)), ("c", Decimal(1))]
    result = allocate_pro_rata(Decimal("-100.00"), equal)
    assert result == {"a": Decimal("-33.34"), "b": Decimal("-33.33"), "c": Decimal("-33.33")}


def test_largest_remainder_wins() -> None:
    # exact shares in fen: 10 * (1, 2, 4) / 7 = 1.428.., 2.857.., 5.714..
    # truncated 1 + 2 + 5 = 8, two fen left: largest fractions are .857 (b) and .714 (c)
    weights = [("a", Decimal(1)), ("b", Decimal(2)), ("c", Decimal(4))]
    result = allocate_pro_rata(Decimal("0.10"), weights)
    assert result == {"a": Decimal("0.01"), "b": Decimal("0.03"), "c": Decimal("0.06")}


def test_tie_goes_to_larger_weight_then_earlier_position() -> None:
    # exact shares 0.5 fen and 1.5 fen: equal remainders, larger weight gets the fen
    assert allocate_pro_rata(Decimal("0.02"), [("a", Decimal(1)), ("b", Decimal(3))]) == {
        "a": Decimal("0.00"),
        "b": Decimal("0.02"),
    }
    assert allocate_pro_rata(Decimal("0.02"), [("b", Decimal(3)), ("a", Decimal(1))]) == {
        "b": Decimal("0.02"),
        "a": Decimal("0.00"),
    }
    # equal weights: earlier position wins
    assert allocate_pro_rata(Decimal("0.01"), [("x", Decimal(5)), ("y", Decimal(5))]) == {
        "x": Decimal("0.01"),
        "y": Decimal("0.00"),
    }
    assert allocate_pro_rata(Decimal("0.01"), [("y", Decimal(5)), ("x", Decimal(5))]) == {
        "y": Decimal("0.01"),
        "x": Decimal("0.00"),
    }


def test_zero_weight_party_gets_exactly_zero() -> None:
    weights = [("z", Decimal(0)), ("a", Decimal(1)), ("b", Decimal(1)), ("c", Decimal(1))]
    result = allocate_pro_rata(Decimal("0.05"), weights)
    assert result["z"] == 0
    assert str(result["z"]) == "0.00"
    assert sum(result.values()) == Decimal("0.05")


def test_results_have_exactly_places_decimals() -> None:
    result = allocate_pro_rata(Decimal("7"), [(1, Decimal("0.3")), (2, Decimal("0.7"))])
    assert [str(v) for v in result.values()] == ["2.10", "4.90"]
    whole = allocate_pro_rata(Decimal("10"), [(1, Decimal(1)), (2, Decimal(2))], places=0)
    assert [str(v) for v in whole.values()] == ["3", "7"]
    fine = allocate_pro_rata(Decimal("1.0000"), [(1, Decimal(1)), (2, Decimal(2))], places=4)
    assert [str(v) for v in fine.values()] == ["0.3333", "0.6667"]


def test_zero_total_gives_zero_parts() -> None:
    result = allocate_pro_rata(Decimal("-0.00"), [("a", Decimal(1)), ("b", Decimal(2))])
    assert [str(v) for v in result.values()] == ["0.00", "0.00"]


def test_five_hundred_parties() -> None:
    weights = [(i, Decimal(i % 7)) for i in range(500)]
    result = allocate_pro_rata(Decimal("1000000.01"), weights)
    assert sum(result.values()) == Decimal("1000000.01")
    assert all(result[i] == 0 for i in range(0, 500, 7))


@pytest.mark.parametrize(
    ("total", "weights", "message"),
    [
        (Decimal("1.00"), [], "empty"),
        (Decimal("1.00"), [("a", Decimal(1)), ("b", Decimal(-1))], "negative"),
        (Decimal("1.00"), [("a", Decimal(0)), ("b", Decimal(0))], "all weights are zero"),
        (Decimal("1.001"), [("a", Decimal(1))], "more than 2 decimal places"),
        (Decimal("1.00"), [("a", Decimal(1)), ("a", Decimal(2))], "more than once"),
        (Decimal("NaN"), [("a", Decimal(1))], "finite"),
        (Decimal("1.00"), [("a", Decimal("Infinity"))], "finite"),
    ],
)
def test_invalid_inputs_raise_value_error(
    total: Decimal, weights: list[tuple[str, Decimal]], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        allocate_pro_rata(total, weights)


def test_float_inputs_raise_type_error() -> None:
    with pytest.raises(TypeError):
        allocate_pro_rata(1.0, [("a", Decimal(1))])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        allocate_pro_rata(Decimal(1), [("a", 0.5)])  # type: ignore[list-item]


def test_trailing_zeros_in_total_are_not_extra_places() -> None:
    assert allocate_pro_rata(Decimal("1.0000"), [("a", Decimal(1))]) == {"a": Decimal("1.00")}


# --- properties ------------------------------------------------------------------


@settings(max_examples=300)
@given(total=total_strategy, weights=weight_lists())
def test_allocation_properties(total: Decimal, weights: list[tuple[int, Decimal]]) -> None:
    result = allocate_pro_rata(total, weights)

    assert list(result) == [key for key, _ in weights]
    assert sum(result.values(), Decimal(0)) == total

    weight_sum = sum((Fraction(w) for _, w in weights), Fraction(0))
    got_extra: list[Fraction] = []
    no_extra: list[Fraction] = []
    for key, weight in weights:
        part = result[key]
        assert part.as_tuple().exponent == -2
        exact = Fraction(total) * Fraction(weight) / weight_sum
        assert abs(Fraction(part) - exact) < CENT
        if weight == 0:
            assert part == 0
        if part != 0:
            assert (part > 0) == (total > 0)
        # fen handed out beyond truncation toward zero, and the truncated-away fraction
        truncated = int(exact / CENT)  # int() truncates a Fraction toward zero
        remainder = abs(exact / CENT - truncated)
        extra = abs(Fraction(part) / CENT - truncated)
        assert extra in (0, 1)
        (got_extra if extra else no_extra).append(remainder)
    # largest-remainder rule: nobody without an extra fen had a larger remainder
    if got_extra and no_extra:
        assert min(got_extra) >= max(no_extra)

    assert allocate_pro_rata(total, weights) == result  # deterministic


@settings(max_examples=100)
@given(
    total=total_strategy,
    weights=weight_lists(),
    factor=st.integers(min_value=2, max_value=10**6),
)
def test_scaling_weights_leaves_allocation_unchanged(
    total: Decimal, weights: list[tuple[int, Decimal]], factor: int
) -> None:
    scaled = [(key, weight * factor) for key, weight in weights]
    assert allocate_pro_rata(total, scaled) == allocate_pro_rata(total, weights)


@given(total=total_strategy, weights=weight_lists())
def test_negating_total_negates_every_part(
    total: Decimal, weights: list[tuple[int, Decimal]]
) -> None:
    positive = allocate_pro_rata(total, weights)
    negative = allocate_pro_rata(-total, weights)
    assert negative == {key: -value for key, value in positive.items()}


@given(total=total_strategy, weights=weight_lists())
def test_allocation_passes_explicit_split_check(
    total: Decimal, weights: list[tuple[int, Decimal]]
) -> None:
    check_explicit_split(total, allocate_pro_rata(total, weights))


# --- check_explicit_split -------------------------------------------------------


def test_explicit_split_accepts_exact_parts() -> None:
    check_explicit_split(Decimal("100.00"), {"a": Decimal("60.00"), "b": Decimal("40")})
    check_explicit_split(
        Decimal("-10"), {"a": Decimal("-7.5"), "b": Decimal("-2.50"), "c": Decimal(0)}
    )
    check_explicit_split(Decimal("0"), {"a": Decimal("0.00")})


def test_explicit_split_reports_sum_and_total() -> None:
    with pytest.raises(ValidationError) as info:
        check_explicit_split(
            Decimal("100.00"), {"a": Decimal("60"), "b": Decimal("30.5")}, "capital_call"
        )
    assert info.value.field == "capital_call"
    assert "90.50" in info.value.message
    assert "100.00" in info.value.message
    assert str(info.value) == (
        "capital_call: parts sum to 90.50 CNY but the total is 100.00 CNY (difference 9.50 CNY)"
    )


def test_explicit_split_rejects_empty_parts_for_nonzero_total() -> None:
    with pytest.raises(ValidationError, match=r"parts sum to 0\.00 CNY but the total is 5\.00 CNY"):
        check_explicit_split(Decimal("5"), {})


def test_explicit_split_rejects_extra_places() -> None:
    with pytest.raises(ValidationError, match="more than 2 decimal places"):
        check_explicit_split(Decimal("1.00"), {"a": Decimal("0.995"), "b": Decimal("0.005")})
    with pytest.raises(ValidationError, match="more than 2 decimal places"):
        check_explicit_split(Decimal("1.001"), {"a": Decimal("1.001")})


@pytest.mark.parametrize(
    ("total", "parts"),
    [
        (Decimal("100"), {"a": Decimal("110"), "b": Decimal("-10")}),
        (Decimal("-100"), {"a": Decimal("-110"), "b": Decimal("10")}),
        (Decimal("0"), {"a": Decimal("5"), "b": Decimal("-5")}),
    ],
)
def test_explicit_split_rejects_opposite_signs(total: Decimal, parts: dict[str, Decimal]) -> None:
    with pytest.raises(ValidationError) as info:
        check_explicit_split(total, parts)
    assert "'a'" in info.value.message or "'b'" in info.value.message


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-10**15, max_value=10**15),
       st.lists(st.integers(min_value=0, max_value=10**13), min_size=1, max_size=30))
def test_integer_allocation_equals_the_decimal_one(total: int, weights: list[int]) -> None:
    assume(any(weights))
    parts = allocate_units(total, weights)
    reference = allocate_pro_rata(Decimal(total), [(i, Decimal(w)) for i, w in enumerate(weights)],
                                  places=0)
    assert parts == [int(reference[i]) for i in range(len(weights))]
    assert sum(parts) == total
