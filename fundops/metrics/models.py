"""Metrics configuration and reference data: per-fund policy rules and public index levels."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from fundops.calc.policy import PolicyBasis, RuleType
from fundops.db import ScaledDecimal, UTCDateTime, enum_column, utcnow
from fundops.extensions import Model


class PolicyRule(Model):
    """One policy parameter of a fund (a cap, a minimum share, a 返投 multiple …).

    A rule is in force from ``effective_from`` until the next rule of the same type for
    the same fund: at a date the rule in force is the one with the latest
    ``effective_from`` on or before it. ``params`` is a JSON object (a JSON column) whose
    keys depend on ``rule_type`` (see :data:`fundops.calc.policy.RULE_PARAMS`); numbers
    are stored as decimal strings so they stay exact. One row per (fund, type, effective
    date): setting the same triple again replaces the parameters.
    """

    __tablename__ = "policy_rule"
    __table_args__ = (
        sa.UniqueConstraint("fund_id", "rule_type", "effective_from"),
        sa.CheckConstraint("basis IN ('subscribed', 'paid_in')", name="basis_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    rule_type: Mapped[RuleType] = mapped_column(enum_column(RuleType))
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    basis: Mapped[PolicyBasis] = mapped_column(enum_column(PolicyBasis))
    effective_from: Mapped[date] = mapped_column(sa.Date)
    source_citation: Mapped[str] = mapped_column(sa.String(300), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    @property
    def params_dict(self) -> dict[str, Any]:
        """``params`` as a dict (``{}`` if a stored value is not a JSON object)."""
        return self.params if isinstance(self.params, dict) else {}


class IndexLevel(Model):
    """The closing level of a public index (PME benchmark) on one day; global reference data.

    ``level`` is an exact Decimal with up to 6 decimal places, strictly positive.
    """

    __tablename__ = "index_level"
    __table_args__ = (
        sa.UniqueConstraint("index_code", "on"),
        sa.CheckConstraint("level > 0", name="level_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    index_code: Mapped[str] = mapped_column(sa.String(40))
    on: Mapped[date] = mapped_column("on", sa.Date)
    level: Mapped[Decimal] = mapped_column(ScaledDecimal(6))


class MetricCache(Model):
    """A computed figure shared by every server process (:mod:`fundops.metrics.cache`).

    One row per (kind, fund, parameters): ``payload`` is the pickled result signed with
    an HMAC of the application's secret key (a row another key signed is ignored);
    ``version`` is the global write counter read before the facts were; ``token`` names
    this computation (processes keep the unpickled object under it). A cache, not a
    record: rows are replaced, and deleting them only costs a recomputation.
    """

    __tablename__ = "metric_cache"
    __table_args__ = (sa.UniqueConstraint("kind", "fund_id", "params"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    fund_id: Mapped[int] = mapped_column(sa.Integer)
    params: Mapped[str] = mapped_column(sa.String(200))
    version: Mapped[int] = mapped_column(sa.BigInteger)
    token: Mapped[str] = mapped_column(sa.String(32))
    payload: Mapped[bytes] = mapped_column(sa.LargeBinary)
    computed_ms: Mapped[int] = mapped_column(sa.Integer)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
