"""The compiled (numba) batch XIRR kernel against the numpy kernel and the single solver,
its direct reading of Python lists of dates and floats, and its threads."""

from __future__ import annotations

import importlib.util
import math
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fundops.calc import xirr_compiled
from fundops.calc.returns import compiled_kernel, xirr, xirr_flat, xirr_many

D = date

if importlib.util.find_spec("numba") is None:
    pytest.skip("numba is not installed", allow_module_level=True)


def numpy_kernel(fn):
    """``fn()`` run with the numpy kernel, then back to the compiled one."""
    compiled_kernel(False)
    try:
        return fn()
    finally:
        compiled_kernel(True)


def test_the_compiled_kernel_loads_here():
    assert compiled_kernel() is True
    assert xirr_compiled.object_reader() is not None  # lists of dates and floats read directly


@st.composite
def float_series(draw):
    """Fund-like float flows (some with later calls, some odd): 0 to 40 distinct dates."""
    n = draw(st.integers(0, 40))
    start = draw(st.dates(D(1990, 1, 1), D(2040, 1, 1)))
    gaps = draw(st.lists(st.integers(1, 400), min_size=n, max_size=n))
    dates, day = [], start
    for g in gaps:
        dates.append(day)
        day += timedelta(days=g)
    amounts = draw(st.lists(st.one_of(
        st.floats(-1e9, -1.0), st.floats(1.0, 1e9), st.just(0.0)), min_size=n, max_size=n))
    if draw(st.booleans()):  # make it fund-like: calls first, then distributions
        amounts = sorted(amounts)
    return dates, amounts


def _same(got, want):
    assert len(got) == len(want)
    for x, y in zip(got, want, strict=True):
        if y is None or (isinstance(y, float) and math.isnan(y)):
            assert x is None or math.isnan(x), (x, y)
        else:
            assert x == pytest.approx(y, rel=1e-10, abs=1e-12)


@settings(max_examples=80, deadline=None)
@given(st.lists(float_series(), min_size=1, max_size=30))
def test_property_compiled_equals_numpy_and_single(many):
    compiled = xirr_many(many)
    _same(compiled, numpy_kernel(lambda: xirr_many(many)))
    _same(compiled, [xirr(d, a) for d, a in many])
    groups = np.repeat(np.arange(len(many)), [len(d) for d, _ in many])
    days = np.array([x.toordinal() for d, _ in many for x in d], dtype=np.int64)
    amounts = np.array([x for _, a in many for x in a], dtype=np.float64)
    flat = xirr_flat(groups, days, amounts, len(many))
    _same(flat.tolist(), numpy_kernel(lambda: xirr_flat(groups, days, amounts,
                                                         len(many))).tolist())
    _same(flat.tolist(), compiled)


def test_lists_and_tuples_of_dates_datetimes_and_floats_are_read_directly():
    dates = [D(2020, 2, 29), datetime(2021, 3, 1, 12, tzinfo=UTC), D(2022, 12, 31)]
    amounts = [-100.0, -5.5, 130.0]
    want = xirr(dates, amounts)
    series = [(dates, amounts), [tuple(dates), tuple(amounts)], (dates, tuple(amounts))]
    reader, layout = xirr_compiled.object_reader()
    status, lengths, days, values = reader.read_series(id(series), layout)
    assert status == 1 and lengths.tolist() == [3, 3, 3]
    assert days.tolist() == [d.toordinal() for d in dates] * 3
    assert values.tolist() == amounts * 3
    assert xirr_many(series) == [pytest.approx(want, rel=1e-12)] * 3


class _Day(date):
    """A date subclass: not read directly, converted one by one."""


@pytest.mark.parametrize("change", ["decimal", "int", "bool", "subclass", "numpy_array",
                                    "unsorted", "same_day", "generator"])
def test_other_inputs_take_the_general_path_with_the_same_answer(change):
    dates = [D(2019, 1, 1), D(2020, 6, 30), D(2021, 12, 31)]
    amounts: list = [-1000.0, 200.0, 1000.0]
    want = xirr(dates, amounts)
    if change == "decimal":
        amounts = [Decimal("-1000"), Decimal("200.00"), Decimal("1000")]
    elif change == "int":
        amounts = [-1000, 200, 1000]
    elif change == "bool":
        amounts = [-1000.0, True, 1000.0]
        want = xirr(dates, [-1000.0, 1.0, 1000.0])
    elif change == "subclass":
        dates = [_Day(d.year, d.month, d.day) for d in dates]
    elif change == "numpy_array":
        amounts = np.array(amounts)
    elif change == "unsorted":
        dates, amounts = dates[::-1], amounts[::-1]
    elif change == "same_day":
        dates = [dates[0], dates[0], *dates[1:]]
        amounts = [-400.0, -600.0, *amounts[1:]]
    series = [(dates, amounts), ([D(2021, 1, 1), D(2022, 1, 1)], [-100.0, 110.0])]
    got = xirr_many(iter(series) if change == "generator" else series)
    assert got[0] == pytest.approx(want, rel=1e-12)
    assert got[1] == pytest.approx(0.1, rel=1e-12)


@pytest.mark.parametrize("bad", [
    ([D(2020, 1, 1), "2021-01-01"], [-1.0, 2.0]),
    ([D(2020, 1, 1), D(2021, 1, 1)], [-1.0]),
    ([D(2020, 1, 1), D(2021, 1, 1)], [-1.0, math.inf]),
])
def test_bad_input_is_refused_as_before(bad):
    with pytest.raises((TypeError, ValueError)):
        xirr_many([([D(2019, 1, 1), D(2020, 1, 1)], [-1.0, 2.0]), bad])


def test_series_left_to_the_single_solver_give_its_answers():
    """Several roots, first and last flow of one sign, amounts needing scaling."""
    two_roots = ([D(2020, 1, 1), D(2021, 1, 1), D(2022, 1, 1)], [-100.0, 230.0, -132.0])
    same_ends = ([D(2020, 1, 1), D(2021, 1, 1), D(2022, 1, 1)], [100.0, -250.0, 120.0])
    huge = ([D(2020, 1, 1), D(2021, 1, 1)], [-1e300, 1.1e300])
    series = [two_roots, same_ends, huge]
    assert xirr_many(series) == [xirr(*s) for s in series]


def test_large_batches_split_over_threads_give_the_same_answers(monkeypatch):
    start = D(2010, 1, 1)
    series = [([start + timedelta(days=91 * q + i % 7) for q in range(12)],
               [-100.0 - i] * 4 + [10.0 + (i % 50)] * 8) for i in range(600)]
    one = xirr_many(series)
    monkeypatch.setattr(xirr_compiled, "PER_THREAD", 100)
    compiled_kernel(threads=4)
    try:
        assert xirr_many(series) == one
    finally:
        compiled_kernel(threads=1)


def test_concurrent_calls_from_threads_agree():
    start = D(2012, 3, 31)
    series = [([start + timedelta(days=30 * q) for q in range(20)],
               [-50.0 - i] * 8 + [9.0 + i % 13] * 12) for i in range(300)]
    want = xirr_many(series)
    results: list[list[float | None]] = []
    errors: list[BaseException] = []

    def work():
        try:
            for _ in range(5):
                results.append(xirr_many(series))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 20 and all(r == want for r in results)
