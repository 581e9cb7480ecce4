"""Fast pickling of the calculation records (fundops.calc.pickling)."""

from __future__ import annotations

import copyreg
import pickle
import pickletools
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from fundops.calc import leverage, lookthrough_records, pickling, policy
from fundops.calc.lookthrough_records import CompanyInfo, ExposurePart, ExposureRow
from fundops.metrics import engine


@dataclass(frozen=True, slots=True)
class Slotted:
    a: int
    b: str = "x"


@dataclass(frozen=True, slots=True)
class Derived:
    a: int
    b: int = field(init=False, default=0)


@dataclass(frozen=True, slots=True, kw_only=True)
class KeywordOnly:
    a: int


@dataclass(frozen=True)
class WithDict:
    a: int


def test_only_slotted_dataclasses_with_positional_init_fields_are_registered() -> None:
    assert pickling.fast_pickling(Slotted)
    assert not pickling.fast_pickling(Derived)
    assert not pickling.fast_pickling(KeywordOnly)
    assert not pickling.fast_pickling(WithDict)
    assert not pickling.fast_pickling(int)
    assert Slotted in copyreg.dispatch_table
    assert Derived not in copyreg.dispatch_table


def test_a_registered_record_pickles_as_its_constructor_call() -> None:
    """No per-object ``__setstate__`` (which calls dataclasses.fields each time)."""
    data = pickle.dumps(Slotted(7, "y"), protocol=pickle.HIGHEST_PROTOCOL)
    opcodes = {op.name for op, _arg, _pos in pickletools.genops(data)}
    assert "BUILD" not in opcodes and "REDUCE" in opcodes
    assert pickle.loads(data) == Slotted(7, "y")


def test_the_cached_records_of_the_calculations_are_registered() -> None:
    for module in (lookthrough_records, policy, leverage, engine):
        registered = pickling.register(module)
        assert registered, module.__name__
        assert all(cls in copyreg.dispatch_table for cls in registered)
    assert {CompanyInfo, ExposurePart, ExposureRow} <= set(copyreg.dispatch_table)


def test_look_through_records_round_trip_equal() -> None:
    part = ExposurePart(3, Fraction(1, 3), 1, Decimal("1000.00"), "fair_value",
                        date(2024, 12, 31))
    row = ExposureRow(9, "甲公司", "半导体", "early", "510100", ("专精特新",), True,
                      Decimal("333.33"), 1, "fair_value", (part,), 1000, 3)
    info = CompanyInfo(9, "甲公司", "半导体", "early", "510100", True, ("专精特新",))
    for value in (part, row, info, [row, row]):
        again = pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        assert again == value
    assert again[0] is again[1]  # shared objects stay shared (pickle memo)
