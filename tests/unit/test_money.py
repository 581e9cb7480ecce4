"""Unit tests for fundops.money and fundops.errors (pure, no app or database)."""

from __future__ import annotations

import copy
import pickle
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fundops.errors import (
    ConflictError,
    DomainError,
    Forbidden,
    NotFound,
    ValidationError,
    ValidationErrors,
)
from fundops.money import (
    CURRENCIES,
    DEFAULT_CURRENCY,
    MINOR_PLACES,
    D,
    Money,
    decimal_places,
    parse_amount,
    quantize_exact,
    validate_currency,
)

# Amounts with at most two decimals, within the default max_abs, as integer fen.
fen = st.integers(min_value=-(10**17), max_value=10**17)


def from_fen(n: int) -> Decimal:
    return Decimal(n).scaleb(-2)


# --- errors -----------------------------------------------------------------


def test_validation_error_str_and_attributes() -> None:
    err = ValidationError("amount", "is required")
    assert err.field == "amount"
    assert err.message == "is required"
    assert str(err) == "amount: is required"
    assert isinstance(err, DomainError)


def test_validation_errors_join_and_group() -> None:
    errs = ValidationErrors(
        [
            ValidationError("a", "is required"),
            ValidationError("b", "must not be zero"),
            ValidationError("a", "is too long"),
        ]
    )
    assert str(errs) == "a: is required; b: must not be zero; a: is too long"
    assert [e.field for e in errs.errors] == ["a", "b", "a"]
    assert errs.by_field() == {"a": ["is required", "is too long"], "b": ["must not be zero"]}
    assert isinstance(errs, DomainError)


def test_validation_errors_rejects_empty_list() -> None:
    with pytest.raises(ValueError, match="needs at least one ValidationError"):
        ValidationErrors([])


@pytest.mark.parametrize("cls", [NotFound, Forbidden, ConflictError, DomainError])
def test_domain_errors_have_message(cls: type[DomainError]) -> None:
    default = cls()
    assert default.message and str(default) == default.message
    custom = cls("fund 7 does not exist")
    assert custom.message == "fund 7 does not exist"
    assert str(custom) == "fund 7 does not exist"
    assert issubclass(cls, DomainError)


def test_errors_survive_pickle_and_copy() -> None:
    err = ValidationError("currency", "bad")
    clone = pickle.loads(pickle.dumps(err))
    assert (clone.field, clone.message, str(clone)) == ("currency", "bad", "currency: bad")
    many = copy.copy(ValidationErrors([err]))
    assert str(many) == "currency: bad"
    assert pickle.loads(pickle.dumps(NotFound("gone"))).message == "gone"


# --- D ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.50", Decimal("1.50")),
        ("  -2 ", Decimal("-2")),
        ("1,234,567.89", Decimal("1234567.89")),
        ("-12,345", Decimal("-12345")),
        (7, Decimal(7)),
        (Decimal("0.001"), Decimal("0.001")),
    ],
)
def test_D_builds_exact_decimals(raw: str | int | Decimal, expected: Decimal) -> None:
    result = D(raw)
    assert result == expected
    assert result.as_tuple() == expected.as_tuple()


@pytest.mark.parametrize("raw", [1.5, True, False, None, [1]])
def test_D_rejects_wrong_types(raw: object) -> None:
    with pytest.raises(TypeError):
        D(raw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "raw", ["NaN", "sNaN", "Infinity", "-inf", "", "  ", "abc", "1.2.3", "1,50", "12,34,567", ","]
)
def test_D_rejects_unparsable_or_non_finite(raw: str) -> None:
    unparsable = r"not a decimal number|not a finite number|misplaced thousands separator"
    with pytest.raises(ValueError, match=unparsable):
        D(raw)


def test_D_rejects_non_finite_decimal() -> None:
    with pytest.raises(ValueError, match="not a finite number"):
        D(Decimal("NaN"))
    with pytest.raises(ValueError, match="not a finite number"):
        D(Decimal("-Infinity"))


def test_decimal_places_ignores_trailing_zeros() -> None:
    assert decimal_places(Decimal("1.230")) == 2
    assert decimal_places(Decimal("1.00")) == 0
    assert decimal_places(Decimal("0.000")) == 0
    assert decimal_places(Decimal("1E+3")) == 0
    assert decimal_places(Decimal("-0.001")) == 3


def test_quantize_exact_never_rounds() -> None:
    assert str(quantize_exact(Decimal("5"), 2)) == "5.00"
    assert str(quantize_exact(Decimal("-0"), 2)) == "0.00"
    assert str(quantize_exact(Decimal("1E+30"), 2)) == "1" + "0" * 30 + ".00"
    with pytest.raises(ValueError, match="has more than 2 decimal places"):
        quantize_exact(Decimal("0.005"), 2)


# --- currencies ------------------------------------------------------------------


def test_currency_set_contents() -> None:
    assert DEFAULT_CURRENCY == "CNY"
    assert {"CNY", "USD", "EUR", "HKD", "JPY", "GBP"} <= CURRENCIES
    # withdrawn currencies and non-ISO codes are not active
    assert not {"DEM", "FRF", "ITL", "CNX", "CNH"} & CURRENCIES
    assert all(len(code) == 3 and code.isupper() for code in CURRENCIES)


@pytest.mark.parametrize(("raw", "expected"), [("cny", "CNY"), (" usd ", "USD"), ("HKD", "HKD")])
def test_validate_currency_normalises(raw: str, expected: str) -> None:
    assert validate_currency(raw) == expected


@pytest.mark.parametrize("raw", ["RMB", "DEM", "XYZ", "US", 156, "C N Y"])
def test_validate_currency_rejects_and_names_value(raw: object) -> None:
    with pytest.raises(ValidationError) as info:
        validate_currency(raw, field="fund_currency")
    assert info.value.field == "fund_currency"
    assert f"'{raw}'" in info.value.message


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_validate_currency_required(raw: object) -> None:
    with pytest.raises(ValidationError, match="is required"):
        validate_currency(raw)


# --- parse_amount -------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("100", "100.00"),
        ("1,000,000.5", "1000000.50"),
        ("0.01", "0.01"),
        ("1.230", "1.23"),
        (42, "42.00"),
        (Decimal("3.1"), "3.10"),
        (" 7 ", "7.00"),
    ],
)
def test_parse_amount_accepts_and_quantizes(raw: object, expected: str) -> None:
    result = parse_amount(raw, "amount")
    assert str(result) == expected
    assert result.as_tuple().exponent == -MINOR_PLACES


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_parse_amount_required(raw: object) -> None:
    with pytest.raises(ValidationError) as info:
        parse_amount(raw, "commitment")
    assert info.value.field == "commitment"
    assert info.value.message == "is required"


@pytest.mark.parametrize("raw", ["abc", "1.2.3", "NaN", "Infinity", "1,50", True, [1], object()])
def test_parse_amount_malformed(raw: object) -> None:
    with pytest.raises(ValidationError) as info:
        parse_amount(raw, "amount")
    assert info.value.message.startswith("is not a valid amount: '")


def test_parse_amount_malformed_message_quotes_the_input() -> None:
    with pytest.raises(ValidationError) as info:
        parse_amount("12x", "amount")
    assert str(info.value) == "amount: is not a valid amount: '12x'"


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_parse_amount_rejects_every_float(value: float) -> None:
    with pytest.raises(ValidationError, match="float"):
        parse_amount(value, "amount", allow_zero=True, allow_negative=True)


@given(fen, st.integers(min_value=1, max_value=6))
def test_parse_amount_rejects_extra_places(n: int, extra: int) -> None:
    # n fen followed by a non-zero digit in each extra position: never exactly 2 places
    text = f"{from_fen(n)}" + "7" * extra
    with pytest.raises(ValidationError, match="at most 2 decimal places"):
        parse_amount(text, "amount", allow_zero=True, allow_negative=True)


@given(fen.filter(lambda n: n != 0))
def test_parse_amount_round_trips_quantized_decimals(n: int) -> None:
    value = from_fen(n)
    for raw in (str(value), value, f"{value:,f}"):
        result = parse_amount(raw, "amount", allow_negative=True)
        assert result == value
        assert result.as_tuple() == value.as_tuple()


@given(st.integers(min_value=1, max_value=10**17))
def test_parse_amount_rejects_negative_unless_allowed(n: int) -> None:
    text = str(-from_fen(n))
    with pytest.raises(ValidationError, match="must not be negative"):
        parse_amount(text, "amount")
    assert parse_amount(text, "amount", allow_negative=True) == -from_fen(n)


@pytest.mark.parametrize("raw", ["0", "0.00", "-0", 0, Decimal("0E+3")])
def test_parse_amount_zero(raw: object) -> None:
    with pytest.raises(ValidationError, match="must not be zero"):
        parse_amount(raw, "amount")
    result = parse_amount(raw, "amount", allow_zero=True)
    assert str(result) == "0.00"


def test_parse_amount_max_abs_and_places() -> None:
    assert parse_amount("1000000000000000", "amount") == Decimal("1e15")
    with pytest.raises(ValidationError, match="must not exceed"):
        parse_amount("1000000000000000.01", "amount")
    with pytest.raises(ValidationError, match="must not exceed"):
        parse_amount("-2e15", "amount", allow_negative=True)
    with pytest.raises(ValidationError, match="must not exceed"):
        parse_amount("11", "amount", max_abs=Decimal(10))
    assert str(parse_amount("1.2345", "price", places=4)) == "1.2345"
    assert str(parse_amount("3", "units", places=0)) == "3"
    with pytest.raises(ValidationError, match="at most 0 decimal places"):
        parse_amount("3.5", "units", places=0)


# --- Money --------------------------------------------------------------------


def test_money_arithmetic() -> None:
    a = Money(Decimal("10.50"), "CNY")
    b = Money(Decimal("0.75"), "cny")
    assert b.currency == "CNY"
    assert a + b == Money(Decimal("11.25"), "CNY")
    assert a - b == Money(Decimal("9.75"), "CNY")
    assert -a == Money(Decimal("-10.50"), "CNY")
    assert (a - a).is_zero()
    assert not a.is_zero()
    zero = Money.zero("USD")
    assert zero.is_zero() and zero.currency == "USD" and str(zero.amount) == "0.00"


def test_money_addition_is_exact_for_large_values() -> None:
    big = Money(Decimal("1" + "0" * 40), "CNY")
    tiny = Money(Decimal("0.01"), "CNY")
    assert (big + tiny).amount == Decimal("1" + "0" * 40 + ".01")
    assert (big + tiny - big).amount == Decimal("0.01")


def test_money_rejects_mixed_currencies() -> None:
    with pytest.raises(ValueError, match="CNY"):
        Money(Decimal(1), "CNY") + Money(Decimal(1), "USD")
    with pytest.raises(ValueError, match="cannot combine CNY with USD"):
        Money(Decimal(1), "CNY") - Money(Decimal(1), "USD")


def test_money_rejects_bad_construction() -> None:
    with pytest.raises(TypeError):
        Money(1.5, "CNY")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not a finite number"):
        Money(Decimal("NaN"), "CNY")
    with pytest.raises(ValueError, match="not a currency code"):
        Money(Decimal(1), "yuan")
    with pytest.raises(TypeError):
        Money(Decimal(1), "CNY") + Decimal(1)  # type: ignore[operator]


def test_money_is_frozen_and_hashable() -> None:
    m = Money(Decimal("1.00"), "CNY")
    with pytest.raises(AttributeError):
        m.amount = Decimal(2)  # type: ignore[misc]
    assert {m, Money(Decimal("1.0"), "CNY")} == {m}


@given(fen, fen)
def test_money_add_sub_inverse(x: int, y: int) -> None:
    a, b = Money(from_fen(x), "CNY"), Money(from_fen(y), "CNY")
    assert (a + b) - b == a
    assert a + (-a) == Money.zero("CNY")
    assert (a + b).amount == from_fen(x + y)
