"""Fast pickling of the calculation records (frozen, slotted dataclasses).

A slotted dataclass pickles through the ``__getstate__``/``__setstate__`` pair that
:mod:`dataclasses` generates; unpickling calls ``dataclasses.fields()`` once per object,
which made up 90 % of the time to load a national parent's cached figures (70,000 records:
0.9 s of 1.0 s). :func:`register` gives such classes a reducer that pickles an object as
its class and its field values in order, so unpickling is one call of the generated
``__init__`` per object. Only classes whose every field is an ``__init__`` argument are
registered; the pickled form of the others is unchanged. Registration is process-wide
(:data:`copyreg.dispatch_table`, which the pickle module consults by default) and is
needed only where objects are pickled: the result unpickles anywhere the class imports.
"""

from __future__ import annotations

import copyreg
import dataclasses
import inspect
from collections.abc import Callable
from types import ModuleType
from typing import Any


def _reducer(names: tuple[str, ...]) -> Callable[[Any], tuple[type, tuple[Any, ...]]]:
    def reduce(obj: Any) -> tuple[type, tuple[Any, ...]]:
        return type(obj), tuple([getattr(obj, name) for name in names])
    return reduce


def fast_pickling(cls: type) -> bool:
    """Register ``cls`` (a slotted dataclass whose fields are all ``__init__`` arguments,
    none keyword-only); False (nothing registered) for any other class — a dataclass with
    a ``__dict__`` already pickles at C speed."""
    if not dataclasses.is_dataclass(cls) or "__slots__" not in cls.__dict__:
        return False
    fields = dataclasses.fields(cls)
    if any(not f.init or f.kw_only for f in fields):
        return False
    copyreg.pickle(cls, _reducer(tuple(f.name for f in fields)))
    return True


def register(*modules: ModuleType) -> list[type]:
    """Register every eligible dataclass defined in ``modules``; returns them."""
    done = []
    for module in modules:
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and fast_pickling(cls):
                done.append(cls)
    return done
