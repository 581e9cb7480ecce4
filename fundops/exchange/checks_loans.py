"""Cross-row checks of policy rules, index levels, term sheets, loans and risk pools.

The denormalised counters are checked, not recomputed: a file whose
``term_sheet.reserved_amount`` or ``risk_pool.enrolled_amount`` disagrees with its rows
is refused, naming the sheet, row and field, so an import never silently changes a
figure that was exported.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import MAX_PREC, Decimal, localcontext
from typing import TYPE_CHECKING

from fundops.exchange.parse import Row
from fundops.exchange.schema_loans import LIVE_LOAN_STATUSES
from fundops.syndication.enums import FundingSource

if TYPE_CHECKING:
    from fundops.exchange.checks_ledger import Checker

_MAX_ROWS_SHOWN = 10


def check_loan_natural_keys(c: Checker) -> None:
    c.unique("policy_rule", ("fund_id", "rule_type", "effective_from"),
             "fund, rule type and effective date")
    c.unique("index_level", ("index_code", "on"), "index and date")
    c.unique("term_sheet_tranche", ("term_sheet_id", "seq"), "term sheet and seq")
    c.unique("term_sheet_funding", ("cash_flow_id",), "ledger entry")
    c.unique("loan_share", ("loan_id", "bank_id"), "loan and bank")
    c.unique("loan_entry", ("reverses_id",), "reversed entry")
    c.unique("loan_schedule_row", ("loan_id", "period"), "loan and period")
    c.unique("risk_pool", ("organisation_id", "name"), "organisation and name")
    c.unique("risk_pool_party", ("pool_id", "name"), "pool and name")
    c.unique("risk_pool_bank", ("pool_id", "bank_id"), "pool and bank")
    c.unique("risk_pool_enrolment", ("loan_id",), "loan")
    c.unique("risk_pool_claim", ("loan_id",), "loan")


def _sum_rule(c: Checker, parent_sheet: str, parent_field: str, child_sheet: str,
              ref_field: str, child_field: str) -> None:
    """``parent_field`` of each parent row equals the sum of ``child_field`` of the child
    rows referring to it (for loans: live ones only); parents with a child whose
    reference or amount failed are skipped (already reported)."""
    children: dict[str, list[Row]] = defaultdict(list)
    unsure: set[str] = set()
    for row in c.data[child_sheet]:
        parent = row.get(ref_field)
        if parent is None:
            continue
        if not row.ok(child_field, "status") or row.get(child_field) is None:
            unsure.add(parent)
            continue
        status = row.values.get("status") if child_sheet == "loan" else None
        if child_sheet == "loan" and status not in LIVE_LOAN_STATUSES:
            continue
        children[parent].append(row)
    for parent in c.data[parent_sheet]:
        total = parent.get(parent_field)
        if parent.key is None or parent.key in unsure or total is None:
            continue
        rows = children.get(parent.key, [])
        with localcontext() as ctx:
            ctx.prec = MAX_PREC
            counted = sum((r.get(child_field) for r in rows), Decimal("0.00"))
        if counted != total:
            shown = ", ".join(str(r.number) for r in rows[:_MAX_ROWS_SHOWN])
            more = " …" if len(rows) > _MAX_ROWS_SHOWN else ""
            which = f"rows {shown}{more}" if rows else "no rows"
            live = " live" if child_sheet == "loan" else ""
            c.bad(parent, parent_field,
                  f"is {total}, but the{live} {child_field} of sheet '{child_sheet}' "
                  f"({which}) sum to {counted}")


def check_term_sheets(c: Checker) -> None:
    for row in c.data["term_sheet"]:
        reserved, size = row.get("reserved_amount"), row.get("round_size")
        if reserved is not None and size is not None and reserved > size:
            c.bad(row, "reserved_amount", f"{reserved} exceeds the round size {size}")
    _sum_rule(c, "term_sheet", "reserved_amount", "loan", "term_sheet_id", "reserved_amount")
    for row in c.data["term_sheet_funding"]:
        source = row.get("source")
        if source is None or not row.ok("cash_flow_id"):
            continue
        linked = row.get("cash_flow_id") is not None
        if source == FundingSource.LEDGER and not linked:
            c.bad(row, "cash_flow_id", "is required for ledger funding")
        elif source == FundingSource.EVIDENCE and linked:
            c.bad(row, "cash_flow_id", "must be empty for evidence funding")


def check_loan_entries(c: Checker) -> None:
    for row in c.data["loan_entry"]:
        amount = row.get("amount")
        if row.get("reverses_id") is None:
            if amount is not None and amount < 0 and row.ok("reverses_id"):
                c.bad(row, "amount", f"{amount} is negative; only a reversal "
                                     "(reverses_id set) holds a negative amount")
            continue
        original = c.ref(row, "reverses_id")
        if original is None:
            continue
        if original.get("reverses_id") is not None:
            c.bad(row, "reverses_id", "a reversal cannot be reversed")
        if original.get("loan_id") != row.get("loan_id"):
            c.bad(row, "reverses_id", "the reversed entry belongs to another loan")
        orig_amount = original.get("amount")
        if amount is not None and orig_amount is not None and amount != -orig_amount:
            c.bad(row, "amount", f"{amount} is not the negation of the reversed entry's "
                                 f"amount {orig_amount} (row {original.number})")


def check_pools(c: Checker) -> None:
    _sum_rule(c, "risk_pool", "enrolled_amount", "risk_pool_enrolment", "pool_id", "amount")


def check_loans(c: Checker) -> None:
    """Every check of this module, in order."""
    check_loan_natural_keys(c)
    check_term_sheets(c)
    check_loan_entries(c)
    check_pools(c)
