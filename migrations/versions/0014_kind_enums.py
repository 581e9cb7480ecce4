"""Kinds become enum columns: ``warrant.status``, the pool parties' and claim shares'
``role``, ``risk_pool_claim.binding``, ``policy_rule.rule_type`` / ``basis``,
``api_token.scope``; ``policy_rule.params`` becomes a JSON column.

Stored values do not change: the enum columns hold the same strings as before (a
VARCHAR(32) without a native type, like every other enum column), and ``params`` keeps
its JSON text (PostgreSQL: ``USING params::json``; SQLite stores JSON as text). Before
anything is altered every existing value is checked; an unknown kind or a ``params`` that
is not JSON stops the upgrade with the offending rows named, nothing changed.

On SQLite the tables are rebuilt (batch mode): foreign-key enforcement is off during the
rebuild (``risk_pool_claim`` is referenced) and checked afterwards, and the append-only
triggers of ``risk_pool_claim`` and ``risk_pool_claim_share``, dropped with the old
tables, are created again.

Revision ID: 0014_kind_enums
Revises: 0009_form_submissions
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "0014_kind_enums"
down_revision = "0009_form_submissions"
branch_labels = None
depends_on = None

POOL_ROLES = ("pool", "government", "guarantor", "re_guarantor", "tech_investment", "bank")
KINDS: dict[tuple[str, str], tuple[str, tuple[str, ...], int]] = {
    # (table, column): (enum name, values, former VARCHAR length)
    ("warrant", "status"): ("warrantstatus", ("open", "exercised", "expired"), 20),
    ("risk_pool_party", "role"): ("poolrole", POOL_ROLES, 20),
    ("risk_pool_claim", "binding"): (
        "claimlimit", ("", "balance", "per_loan", "per_company", "per_year", "party_cap"), 20),
    ("risk_pool_claim_share", "role"): ("poolrole", POOL_ROLES, 20),
    ("policy_rule", "rule_type"): ("ruletype", (
        "gov_share_cap", "reinvest_multiple", "early_stage_min_share",
        "small_company_min_share", "hard_tech_min_share", "single_deal_max",
        "deployment_min_ratio", "idle_max_ratio", "paid_in_min_ratio"), 40),
    ("policy_rule", "basis"): ("policybasis", ("subscribed", "paid_in"), 12),
    ("api_token", "scope"): ("tokenscope", ("read",), 100),
}
REBUILT_TRIGGER_TABLES = ("risk_pool_claim", "risk_pool_claim_share")


def _enum(table: str, column: str) -> sa.Enum:
    name, values, _ = KINDS[(table, column)]
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def _check_values() -> None:
    """Refuse to upgrade when a stored value is no member of its enum or bad JSON."""
    bind = op.get_bind()
    problems = []
    for (table, column), (_, values, _) in KINDS.items():
        rows = bind.execute(sa.text(f"SELECT id, {column} FROM {table}")).all()
        bad = [(row_id, value) for row_id, value in rows if value not in values]
        if bad:
            problems.append(f"{table}.{column}: {bad[:5]}")
    for row_id, params in bind.execute(sa.text("SELECT id, params FROM policy_rule")).all():
        try:
            json.loads(params)
        except (TypeError, ValueError):
            problems.append(f"policy_rule.params of row {row_id} is not JSON")
    if problems:
        raise RuntimeError("0014: unknown stored values, nothing changed: " + "; ".join(problems))


@contextmanager
def _sqlite_rebuild() -> Iterator[None]:
    """Foreign keys off around SQLite table rebuilds, checked afterwards; then the
    append-only triggers of the rebuilt tables again (no-op on other databases)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    raw = bind.connection.dbapi_connection
    raw.commit()
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
        raw.commit()
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign keys broken by the rebuild: {broken[:5]}")
    finally:
        raw.commit()
        raw.execute("PRAGMA foreign_keys=ON")
    for table in REBUILT_TRIGGER_TABLES:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action.lower()}")
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'append-only: {action} on {table} is not allowed'); "
                "END")


def _tables() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for table, column in KINDS:
        out.setdefault(table, []).append(column)
    return out


def upgrade() -> None:
    _check_values()
    postgresql = op.get_bind().dialect.name == "postgresql"
    with _sqlite_rebuild():
        for table, columns in _tables().items():
            with op.batch_alter_table(table, schema=None) as batch_op:
                for column in columns:
                    length = KINDS[(table, column)][2]
                    batch_op.alter_column(column, existing_type=sa.String(length=length),
                                          type_=_enum(table, column), existing_nullable=False)
                if table == "policy_rule":
                    batch_op.alter_column(
                        "params", existing_type=sa.Text(), type_=sa.JSON(),
                        existing_nullable=False,
                        **({"postgresql_using": "params::json"} if postgresql else {}))


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    with _sqlite_rebuild():
        for table, columns in _tables().items():
            with op.batch_alter_table(table, schema=None) as batch_op:
                for column in columns:
                    length = KINDS[(table, column)][2]
                    batch_op.alter_column(column, existing_type=_enum(table, column),
                                          type_=sa.String(length=length),
                                          existing_nullable=False)
                if table == "policy_rule":
                    batch_op.alter_column(
                        "params", existing_type=sa.JSON(), type_=sa.Text(),
                        existing_nullable=False,
                        **({"postgresql_using": "params::text"} if postgresql else {}))
