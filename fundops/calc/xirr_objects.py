"""Reading Python lists of dates and floats in compiled code (numba), private to
:mod:`fundops.calc.returns`.

:func:`read_series` reads lists or tuples of CPython ``date`` and ``float`` objects
directly (the layouts behind ``PyList_GET_ITEM``, ``PyTuple_GET_ITEM``,
``PyDateTime_GET_YEAR`` and ``PyFloat_AS_DOUBLE``), each object checked against its exact
type, on a layout verified at load on sample objects (:func:`object_layout`); it refuses
anything else, which then takes the general path (``date.toordinal``, ``float``). It runs
holding the GIL, so no other thread can change the objects while they are read.
"""

from __future__ import annotations

import struct
import sys
import sysconfig
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, TypeVar, cast

import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from fundops.calc.xirr_jit import compiled

__all__ = ["object_layout", "read_series"]

F = TypeVar("F", bound=Callable[..., Any])

(L_TYPE_AT, L_SIZE_AT, L_ITEMS_AT, L_DATE_AT, L_FLOAT_AT, L_LIST, L_TUPLE, L_DATE,
 L_DATETIME, L_FLOAT) = range(10)
"""Slots of the ``layout`` array :func:`read_series` reads objects with: byte offsets of
the type pointer, a list's or tuple's size, its items (a tuple's inline, a list's pointer),
a date's year-month-day bytes, a float's value; addresses of the types list, tuple, date,
datetime and float."""


def _inner(fn: F) -> F:
    """Compiled, for calls from :func:`read_series` only."""
    return compiled(fn)


def _reader(fn: F) -> F:
    """Compiled holding the GIL (unlike the solver): no other thread may change the
    objects while their memory is read."""
    return compiled(fn)


def _typer_i64(typingctx: Any, addr: Any) -> Any:
    """The int64 at a raw address."""
    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.load(builder.inttoptr(args[0], ir.IntType(64).as_pointer()))
    return types.int64(types.int64), codegen


def _typer_u8(typingctx: Any, addr: Any) -> Any:
    """The byte at a raw address, as int64."""
    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        byte = builder.load(builder.inttoptr(args[0], ir.IntType(8).as_pointer()))
        return builder.zext(byte, ir.IntType(64))
    return types.int64(types.int64), codegen


def _typer_f64(typingctx: Any, addr: Any) -> Any:
    """The float64 at a raw address."""
    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.load(builder.inttoptr(args[0], ir.DoubleType().as_pointer()))
    return types.float64(types.int64), codegen


_load_i64 = cast(Callable[[int], int], intrinsic(_typer_i64))
_load_u8 = cast(Callable[[int], int], intrinsic(_typer_u8))
_load_f64 = cast(Callable[[int], float], intrinsic(_typer_f64))


@_inner
def _ordinal(y: int, m: int, d: int) -> int:
    """date(y, m, d).toordinal() (proleptic Gregorian, 0001-01-01 is day 1; y >= 1)."""
    yy = y - 1
    days = yy * 365 + yy // 4 - yy // 100 + yy // 400 + (367 * m - 362) // 12 + d
    if m > 2:  # (367 m - 362) // 12 counts February as 30 days
        days -= 1 if y % 4 == 0 and (y % 100 != 0 or y % 400 == 0) else 2
    return days


@_inner
def _items(seq: int, layout: np.ndarray) -> tuple[int, int]:
    """Address of the item pointers and the length of a list or tuple, or (0, -1)."""
    tp = _load_i64(seq + layout[L_TYPE_AT])
    if tp == layout[L_LIST]:
        return _load_i64(seq + layout[L_ITEMS_AT]), _load_i64(seq + layout[L_SIZE_AT])
    if tp == layout[L_TUPLE]:
        return seq + layout[L_ITEMS_AT], _load_i64(seq + layout[L_SIZE_AT])
    return 0, -1


@_inner
def _pair(obj: int, layout: np.ndarray) -> tuple[int, int, int]:
    """Item addresses of a (dates, amounts) pair, a list or tuple of two lists or tuples
    of equal length, and that length; length -1 if it is not one."""
    items, size = _items(obj, layout)
    if size != 2:
        return 0, 0, -1
    d_items, n = _items(_load_i64(items), layout)
    a_items, m = _items(_load_i64(items + 8), layout)
    return d_items, a_items, n if n == m else -1


@_reader
def read_series(series: int, layout: np.ndarray) -> tuple[int, np.ndarray, np.ndarray,
                                                           np.ndarray]:
    """The flows of a list of ``(dates, amounts)`` series (address ``id(series)``):
    status (1 read, each series' days ascending and distinct; 2 read, not so ordered;
    0 not readable), series lengths, day numbers (``toordinal``) and amounts,
    concatenated. Only exact lists and tuples of exact ``date`` or ``datetime`` and
    exact ``float`` objects are read (``layout``: see :data:`L_TYPE_AT`)."""
    none = np.zeros(0, np.int64)
    outer, count = _items(series, layout)
    lengths = np.empty(max(count, 0), np.int64)
    total = 0
    for j in range(count):
        lengths[j] = _pair(_load_i64(outer + 8 * j), layout)[2]
        if lengths[j] < 0:
            return 0, none, none, np.zeros(0)
        total += lengths[j]
    days, amounts = np.empty(total, np.int64), np.empty(total)
    type_at, data_at, value_at = layout[L_TYPE_AT], layout[L_DATE_AT], layout[L_FLOAT_AT]
    at, ordered = 0, True
    for j in range(count):
        d_items, a_items, n = _pair(_load_i64(outer + 8 * j), layout)
        if n != lengths[j]:
            return 0, none, none, np.zeros(0)
        for i in range(n):
            obj = _load_i64(d_items + 8 * i)
            tp = _load_i64(obj + type_at)
            if tp != layout[L_DATE] and tp != layout[L_DATETIME]:
                return 0, none, none, np.zeros(0)
            p = obj + data_at
            days[at + i] = _ordinal(_load_u8(p) * 256 + _load_u8(p + 1), _load_u8(p + 2),
                                    _load_u8(p + 3))
            ordered = ordered and (i == 0 or days[at + i] > days[at + i - 1])
            obj = _load_i64(a_items + 8 * i)
            if _load_i64(obj + type_at) != layout[L_FLOAT]:
                return 0, none, none, np.zeros(0)
            amounts[at + i] = _load_f64(obj + value_at)
        at += n
    return (1 if ordered else 2), lengths, days, amounts


def object_layout() -> np.ndarray | None:
    """The ``layout`` for :func:`read_series` on this interpreter, checked on sample
    objects (every date field and float bit read back); ``None`` where objects cannot be
    read so (not a 64-bit CPython with the GIL, or the check fails)."""
    if (sys.implementation.name != "cpython" or struct.calcsize("P") != 8
            or sysconfig.get_config_var("Py_GIL_DISABLED")):
        return None
    layout = np.array([8, 16, 24, 25, 16, id(list), id(tuple), id(date), id(datetime),
                       id(float)], np.int64)
    dates = [date(1, 1, 1), date(9999, 12, 31), date(2024, 2, 29), date(1900, 3, 1),
             datetime(2000, 3, 1, 23, 59, tzinfo=UTC), date(2100, 12, 31)]
    amounts = [0.0, -0.0, 1.5e308, -2.5, 5e-324, 0.1]
    sample = [(dates, amounts), [tuple(dates), tuple(amounts)]]
    status, lengths, days, values = read_series(id(sample), layout)
    want = np.array([d.toordinal() for d in dates] * 2)
    if (status != 2 or lengths.tolist() != [6, 6] or (days != want).any()
            or values.tobytes() != np.array(amounts * 2).tobytes()):
        return None
    return layout
