"""Declarative base, exact money/rate column types and SQLite connection pragmas.

Money is stored as a signed integer count of minor units (BIGINT) on every backend, so
values are exact in SQLite and PostgreSQL alike and SQL ``SUM`` stays exact; Python
always sees :class:`decimal.Decimal`. The currency lives in its own column.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base for every model; constraint names follow :data:`NAMING_CONVENTION`."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class ScaledDecimal(sa.types.TypeDecorator[Decimal]):
    """A Decimal stored as ``round(value * 10**scale)`` in a BIGINT.

    Binding a value with more than ``scale`` decimal places raises ``ValueError``:
    rounding is the service layer's decision, never the column's.
    """

    impl = sa.BigInteger
    cache_ok = True

    def __init__(self, scale: int = 2) -> None:
        super().__init__()
        self.scale = scale

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if isinstance(value, (bool, float)):
            raise TypeError(f"exact column refuses {type(value).__name__} {value!r}")
        dec = value if isinstance(value, Decimal) else Decimal(value)
        if not dec.is_finite():
            raise ValueError(f"non-finite amount {dec!r}")
        scaled = dec.scaleb(self.scale)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{dec} has more than {self.scale} decimal places")
        return int(scaled)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(int(value)).scaleb(-self.scale)

    def coerce_compared_value(self, op: Any, value: Any) -> sa.types.TypeEngine[Any]:
        return self


def Money() -> ScaledDecimal:  # named like a type: reads as one in column declarations
    """Money amount in yuan (or the row's currency) with 2 decimal places (fen)."""
    return ScaledDecimal(2)


def Rate() -> ScaledDecimal:  # named like a type (see Money)
    """A fraction (0.25 = 25 %) with 8 decimal places."""
    return ScaledDecimal(8)


def Quantity() -> ScaledDecimal:  # named like a type (see Money)
    """A share count with 4 decimal places."""
    return ScaledDecimal(4)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Timezone-aware UTC timestamp; SQLite's naive values come back as UTC."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused; use datetime.now(UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    """Current time as an aware UTC datetime (a callable default for columns)."""
    return datetime.now(UTC)


def enum_column(enum_cls: type[enum.Enum]) -> sa.Enum:
    """Enum stored as its string value in a VARCHAR (no native type, portable)."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """Foreign keys on, WAL and a busy timeout for every SQLite connection."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
