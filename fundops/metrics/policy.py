"""Policy rules (per fund, with effective dates), the indicators checked against them, and
index levels (reference data for PME).

Rule precedence for a sub-fund S of a guidance fund G at a date: S's own rule of a type
in force (recorded by S's manager from its agreement), else G's rule of that type in
force (G's policy for all its sub-funds). G's own indicators are reported unchecked.
Indicator definitions, units and rounding: :mod:`fundops.calc.policy`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from fundops.audit import record, record_by
from fundops.calc.leverage import LpAmount
from fundops.calc.policy import (
    Deal,
    FundIndicators,
    FundPolicyInputs,
    PolicyBasis,
    PolicyReport,
    RuleSpec,
    RuleType,
    fund_indicators,
    rules_in_force,
    validate_params,
)
from fundops.errors import ValidationError
from fundops.extensions import db
from fundops.metrics.leverage import government_investor_types, load_fund_labels, load_lp_amounts
from fundops.metrics.lookthrough import direct_sub_fund_ids, raw_rows
from fundops.metrics.models import IndexLevel, PolicyRule
from fundops.money import D
from fundops.portfolio.access import get_fund
from fundops.portfolio.enums import CashFlowKind, CompanyStage
from fundops.portfolio.ledger import CashFlow
from fundops.portfolio.models import Company, Fund
from fundops.uow import Actor, lock_row, unit_of_work
from fundops.validation import parse_enum, require_date

__all__ = [
    "build_policy",
    "list_index_levels",
    "list_policy_breaches",
    "list_policy_rules",
    "load_deals",
    "load_flows",
    "load_index_levels",
    "load_specs",
    "policy_indicators",
    "set_policy_rule",
    "sub_fund_indicators",
]


def set_policy_rule(actor: Actor, fund_id: int, rule_type: str, params: dict[str, Any],
                    basis: str, effective_from: object, source_citation: str = "") -> PolicyRule:
    """Record a policy parameter of a fund from ``effective_from`` on (manager + writer role).

    ``params`` per rule type: see :data:`fundops.calc.policy.RULE_PARAMS` (fractions as
    decimal text, 0.40 = 40 %). ``basis`` is ``"subscribed"`` (认缴) or ``"paid_in"`` (实缴).
    A rule for the same fund, type and effective date is replaced. Raises NotFound /
    Forbidden for scoping and ValidationError naming the field (``params.<key>`` for
    parameters); writes nothing on error.
    """
    fund, _ = get_fund(actor, fund_id, write=True)
    clean = validate_params(str(rule_type), params, [s.value for s in CompanyStage])
    kind = RuleType(str(rule_type))
    base = parse_enum(PolicyBasis, basis, "basis")
    when = require_date(effective_from, "effective_from")
    citation = str(source_citation or "").strip()
    if len(citation) > 300:
        raise ValidationError("source_citation", "too_long", max_len=300)
    with unit_of_work():
        lock_row(Fund, fund.id)  # a concurrent set of the same rule replaces, not collides
        rule = db.session.scalar(sa.select(PolicyRule).where(
            PolicyRule.fund_id == fund.id, PolicyRule.rule_type == kind,
            PolicyRule.effective_from == when))
        action = "policy_rule.replace" if rule is not None else "policy_rule.create"
        if rule is None:
            rule = PolicyRule(fund_id=fund.id, rule_type=kind, effective_from=when)
            db.session.add(rule)
        rule.params, rule.basis, rule.source_citation = clean, base, citation
        rule.recorded_by_id = actor.user_id
        db.session.flush()
        record_by(actor, action, "policy_rule", rule.id, {
            "fund_id": fund.id, "rule_type": kind, "params": clean, "basis": base,
            "effective_from": when, "source_citation": citation})
    return rule


def list_policy_rules(actor: Actor, fund_id: int) -> list[PolicyRule]:
    """Every rule recorded on the fund (all effective dates), by type then date."""
    fund, _ = get_fund(actor, fund_id)
    return list(db.session.scalars(
        sa.select(PolicyRule).where(PolicyRule.fund_id == fund.id)
        .order_by(PolicyRule.rule_type, PolicyRule.effective_from, PolicyRule.id)))


def load_specs(fund_ids: list[int]) -> dict[int, list[RuleSpec]]:
    """Every policy rule recorded on each fund (all effective dates)."""
    out: dict[int, list[RuleSpec]] = {f: [] for f in fund_ids}
    for r in db.session.scalars(sa.select(PolicyRule).where(PolicyRule.fund_id.in_(fund_ids))):
        params_json = json.dumps(r.params, sort_keys=True, ensure_ascii=False)
        out[r.fund_id].append(RuleSpec(r.id, r.fund_id, r.rule_type, params_json, r.basis,
                                       r.effective_from, r.source_citation))
    return out


def load_flows(fund_ids: list[int], as_of: date) -> dict[int, dict[str, Decimal]]:
    """Per fund, the sum of its entries of each kind on or before ``as_of`` (yuan)."""
    out: dict[int, dict[str, Decimal]] = {f: {} for f in fund_ids}
    for fund_id, kind, total in db.session.execute(
        sa.select(CashFlow.fund_id, CashFlow.kind, sa.func.sum(CashFlow.amount))
        .where(CashFlow.fund_id.in_(fund_ids), CashFlow.value_on <= as_of)
        .group_by(CashFlow.fund_id, CashFlow.kind)
    ):
        out[fund_id][kind.value] = total
    return out


def load_deals(fund_ids: list[int], as_of: date) -> dict[int, list[Deal]]:
    """Investment entries on or before ``as_of`` that are neither reversals nor reversed."""
    rows = raw_rows(
        sa.select(CashFlow.id, CashFlow.fund_id, CashFlow.reverses_id,
                  sa.type_coerce(CashFlow.amount, sa.BigInteger), Company.id, Company.stage,
                  Company.is_sme, Company.is_hard_tech, Company.region_code)
        .join(Company, Company.id == CashFlow.company_id)
        .where(CashFlow.fund_id.in_(fund_ids), CashFlow.kind == CashFlowKind.INVESTMENT,
               CashFlow.value_on <= as_of)
        .order_by(CashFlow.id)
    )
    reversed_ids = {r[2] for r in rows if r[2] is not None}
    out: dict[int, list[Deal]] = {f: [] for f in fund_ids}
    for entry_id, fund_id, reverses, fen, cid, stage, sme, hard, region in rows:
        if reverses is None and entry_id not in reversed_ids:
            out[fund_id].append(Deal(cid, Decimal(fen).scaleb(-2), str(stage), bool(sme),
                                     bool(hard), region))
    return out


def build_policy(root_fund_id: int, when: date, subs: list[int],
                 lps: dict[int, tuple[LpAmount, ...]], flows: dict[int, dict[str, Decimal]],
                 deals: dict[int, list[Deal]], labels: dict[int, tuple[str, str]],
                 specs: dict[int, list[RuleSpec]], government_types: tuple[str, ...],
                 sub_rows: tuple[FundIndicators, ...] | None = None) -> PolicyReport:
    """The report from loaded facts (shared with the parent-fund overview); no queries.

    Every mapping is keyed by fund id and covers ``root_fund_id`` and each of ``subs``;
    ``sub_rows`` is :func:`sub_fund_indicators` of the same facts when the caller has it.
    """
    guidance = fund_indicators(
        _policy_inputs(root_fund_id, "guidance", lps, flows, deals, labels), {},
        government_types)
    rows = sub_rows if sub_rows is not None else sub_fund_indicators(
        root_fund_id, when, subs, lps, flows, deals, labels, specs, government_types)
    return PolicyReport(root_fund_id, when, government_types, guidance, rows)


def sub_fund_indicators(root_fund_id: int, when: date, subs: list[int],
                        lps: dict[int, tuple[LpAmount, ...]],
                        flows: dict[int, dict[str, Decimal]], deals: dict[int, list[Deal]],
                        labels: dict[int, tuple[str, str]], specs: dict[int, list[RuleSpec]],
                        government_types: tuple[str, ...]) -> tuple[FundIndicators, ...]:
    """Each direct sub-fund's indicators against the rules in force at ``when`` (its own
    and the root's); reads only the sub-funds' facts and the root's rules."""
    return tuple(
        fund_indicators(_policy_inputs(s, "sub_fund", lps, flows, deals, labels),
                        rules_in_force(specs[s], specs[root_fund_id], when), government_types)
        for s in subs)


def _policy_inputs(fid: int, role: str, lps: dict[int, tuple[LpAmount, ...]],
                   flows: dict[int, dict[str, Decimal]], deals: dict[int, list[Deal]],
                   labels: dict[int, tuple[str, str]]) -> FundPolicyInputs:
    return FundPolicyInputs(fid, labels[fid][0], labels[fid][1], role, lps[fid], flows[fid],
                            tuple(deals[fid]))


def policy_indicators(actor: Actor, fund_id: int, as_of: object) -> PolicyReport:
    """Indicators of the guidance fund and of each direct sub-fund at ``as_of``.

    Sub-funds are checked against the rules in force at ``as_of`` (see the module
    docstring); a rule whose ``effective_from`` is after ``as_of`` is ignored. LP access
    to the fund is enough. Raises NotFound / ValidationError.
    """
    fund, _ = get_fund(actor, fund_id)
    when = require_date(as_of, "as_of")
    subs = direct_sub_fund_ids(fund.id, when)
    ids = [fund.id, *subs]
    return build_policy(fund.id, when, subs, load_lp_amounts(ids, fund.id, when),
                        load_flows(ids, when), load_deals(ids, when), load_fund_labels(ids),
                        load_specs(ids), government_investor_types())


def list_policy_breaches(actor: Actor, fund_id: int, as_of: object) -> list[FundIndicators]:
    """The sub-funds of ``fund_id`` that break any rule in force at ``as_of``, with all their
    figures (each item's ``breaches`` lists the failing indicators)."""
    return list(policy_indicators(actor, fund_id, as_of).breaches)


_MAX_LEVEL = Decimal("1e12")


def _level_row(i: int, row: object) -> tuple[date, Decimal]:
    field = f"rows[{i}]"
    if not isinstance(row, Sequence) or isinstance(row, str) or len(row) != 2:
        raise ValidationError(field, "level_row_shape")
    when = require_date(row[0], field)
    if isinstance(row[1], float):
        raise ValidationError(field, "level_binary_float", level=repr(row[1]))
    try:
        level = D(row[1])
    except (TypeError, ValueError):
        raise ValidationError(field, "level_not_number", level=repr(row[1])) from None
    if level <= 0:
        raise ValidationError(field, "level_not_positive", level=level, on=when)
    if level != level.quantize(Decimal("1e-6")) or level >= _MAX_LEVEL:
        raise ValidationError(field, "level_precision", level=level)
    return when, level


def load_index_levels(code: str, rows: Iterable[object], *, actor: Actor | None = None,
                      replace: bool = False) -> int:
    """Load an index series (all rows or none) and return the number of rows written.

    ``rows`` are ``(date, level)`` pairs; levels are exact decimals (text, int or
    Decimal; no floats), strictly positive, at most 6 decimal places. A date repeated in
    ``rows``, or already loaded for ``code`` (unless ``replace``), is refused with a
    ValidationError naming the row (``rows[i]``).
    """
    index_code = str(code or "").strip()
    if not index_code or len(index_code) > 40:
        raise ValidationError("code", "index_code_shape")
    parsed: list[tuple[date, Decimal]] = []
    seen: dict[date, int] = {}
    for i, row in enumerate(rows):
        when, level = _level_row(i, row)
        if when in seen:
            raise ValidationError(f"rows[{i}]", "level_duplicate_date", on=when,
                                  other=f"rows[{seen[when]}]")
        seen[when] = i
        parsed.append((when, level))
    if not parsed:
        raise ValidationError("rows", "no_rows")
    existing = {r.on: r for r in db.session.scalars(
        sa.select(IndexLevel).where(IndexLevel.index_code == index_code,
                                    IndexLevel.on.in_(list(seen))))}
    if existing and not replace:
        first = min(existing)
        raise ValidationError(f"rows[{seen[first]}]", "level_exists", index=index_code, on=first)
    with unit_of_work():
        for when, level in parsed:
            if when in existing:
                existing[when].level = level
            else:
                db.session.add(IndexLevel(index_code=index_code, on=when, level=level))
        changes = {"rows": len(parsed), "first": min(seen), "last": max(seen),
                   "replaced": len(existing)}
        if actor is not None:
            record_by(actor, "index_level.load", "index_level", index_code, changes)
        else:
            record(organisation_id=None, user_id=None, action="index_level.load",
                   object_type="index_level", object_id=index_code, changes=changes,
                   auth_method="system")
    return len(parsed)


def list_index_levels(code: str, start: date | None = None,
                      end: date | None = None) -> list[tuple[date, Decimal]]:
    """(date, level) of one index between ``start`` and ``end`` inclusive, ascending."""
    query = sa.select(IndexLevel.on, IndexLevel.level).where(IndexLevel.index_code == code)
    if start is not None:
        query = query.where(IndexLevel.on >= start)
    if end is not None:
        query = query.where(IndexLevel.on <= end)
    return [(on, level) for on, level in db.session.execute(query.order_by(IndexLevel.on))]
