"""Unit and property tests for fundops.identifiers (unified social credit code)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fundops.errors import ValidationError
from fundops.identifiers import (
    USCC_ALPHABET,
    USCC_WEIGHTS,
    is_valid_uscc,
    make_uscc,
    uscc_check_char,
    validate_uscc,
)

first17_strategy = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17)


def test_alphabet_and_weights() -> None:
    assert len(USCC_ALPHABET) == 31
    assert not set("IOZSV") & set(USCC_ALPHABET)
    assert tuple(pow(3, i, 31) for i in range(17)) == USCC_WEIGHTS


def test_hand_computed_check_character() -> None:
    # first 17 = 9 1 3 5 0 2 1 1 M A 2 X X X X X X  (M = 21, A = 10, X = 29)
    # sum = 9*1 + 1*3 + 3*9 + 5*27 + 0*19 + 2*26 + 1*16 + 1*17 + 21*20 + 10*29 + 2*25
    #       + 29*13 + 29*8 + 29*24 + 29*10 + 29*30 + 29*28
    #     = 9 + 3 + 27 + 135 + 0 + 52 + 16 + 17 + 420 + 290 + 50
    #       + 377 + 232 + 696 + 290 + 870 + 812 = 4296
    # 4296 = 31 * 138 + 18, so check value = 31 - 18 = 13 -> alphabet[13] = "D"
    assert uscc_check_char("91350211MA2XXXXXX") == "D"
    assert make_uscc("91350211MA2XXXXXX") == "91350211MA2XXXXXXD"
    assert validate_uscc("91350211MA2XXXXXXD") == "91350211MA2XXXXXXD"


def test_second_hand_computed_code() -> None:
    # 9*1 + 1*3 + 3*9 + 5*27 + 0*19 + 1*26 + 0*16 + 0*17 + 21*20 + 0*29 + 0*25 + 0*13
    # + 1*8 + 0*24 + 0*10 + 30*30 + 4*28 = 1640 = 31 * 52 + 28 -> 31 - 28 = 3 -> "3"
    assert uscc_check_char("91350100M000100Y4") == "3"
    assert is_valid_uscc("91350100M000100Y43")


def test_check_value_31_maps_to_zero() -> None:
    # all zeros: weighted sum 0, 0 mod 31 = 0, 31 - 0 = 31 -> check value 0 -> "0"
    assert uscc_check_char("0" * 17) == "0"
    assert is_valid_uscc("0" * 18)


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L"])
def test_checksum_consistent_examples_validate(code: str) -> None:
    assert validate_uscc(code) == code


def test_normalisation() -> None:
    assert validate_uscc("  91350211ma2xxxxxxd\n") == "91350211MA2XXXXXXD"
    # full-width characters typed with a Chinese input method
    assert validate_uscc("９１３５０２１１ＭＡ２ＸＸＸＸＸＸＤ") == "91350211MA2XXXXXXD"


@pytest.mark.parametrize("code", [None, "", "   "])
def test_required(code: object) -> None:
    with pytest.raises(ValidationError) as info:
        validate_uscc(code, field="credit_code")
    assert info.value.field == "credit_code"
    assert info.value.message == "is required"


def test_wrong_type() -> None:
    with pytest.raises(ValidationError, match="must be text"):
        validate_uscc(913501001234567890)


@pytest.mark.parametrize(
    ("code", "length"), [("91350211MA2XXXXXX", 17), ("91350211MA2XXXXXXD0", 19)]
)
def test_wrong_length(code: str, length: int) -> None:
    with pytest.raises(ValidationError) as info:
        validate_uscc(code)
    assert info.value.field == "uscc"
    assert info.value.message == f"must be 18 characters long, got {length}"


@pytest.mark.parametrize(
    ("code", "char", "position"),
    [
        ("91350211MA2XXXXXXI", "I", 18),
        ("O1350211MA2XXXXXXD", "O", 1),
        ("9135021SMA2XXXXXXD", "S", 8),
        ("91350211MA2XXXVXXD", "V", 15),
        ("91350211MA2XZXXXXD", "Z", 13),
        ("91350211MA2XX-XXXD", "-", 14),
    ],
)
def test_invalid_character_is_named_with_position(code: str, char: str, position: int) -> None:
    with pytest.raises(ValidationError) as info:
        validate_uscc(code)
    assert f"invalid character {char!r} at position {position}" in info.value.message


def test_wrong_check_character_says_expected_and_got() -> None:
    with pytest.raises(ValidationError) as info:
        validate_uscc("91350211MA2XXXXXXE")
    assert info.value.message == "has the wrong check character: expected 'D', got 'E'"
    assert not is_valid_uscc("91350211MA2XXXXXXE")


@pytest.mark.parametrize("bad", ["9135021", "91350211MA2XXXXXXI", "", "a" * 17])
def test_uscc_check_char_rejects_bad_input(bad: str) -> None:
    with pytest.raises(ValueError, match=r"need exactly 17 characters|invalid character"):
        uscc_check_char(bad)


def test_is_valid_uscc_never_raises() -> None:
    assert is_valid_uscc(None) is False
    assert is_valid_uscc(12345) is False
    assert is_valid_uscc("nonsense") is False


@given(first17_strategy)
def test_make_uscc_always_validates(first17: str) -> None:
    code = make_uscc(first17)
    assert len(code) == 18
    assert code[:17] == first17
    assert validate_uscc(code) == code
    assert validate_uscc(code.lower()) == code


@given(
    first17_strategy,
    st.integers(min_value=0, max_value=17),
    st.integers(min_value=1, max_value=30),
)
def test_any_single_character_change_is_detected(first17: str, position: int, shift: int) -> None:
    code = make_uscc(first17)
    old = USCC_ALPHABET.index(code[position])
    replacement = USCC_ALPHABET[(old + shift) % 31]  # a different alphabet character
    changed = code[:position] + replacement + code[position + 1 :]
    assert changed != code
    assert not is_valid_uscc(changed)
    with pytest.raises(ValidationError, match="wrong check character"):
        validate_uscc(changed)
