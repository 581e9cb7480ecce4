"""Cross-row checks of the distribution waterfall's record types (terms versions, their
GP-commitment parties, 让利 tiers and beneficiaries, runs, slices and run reversals).
Run by :mod:`fundops.exchange.checks` after the exit and transfer checks.

Each rule mirrors what :mod:`fundops.exits.waterfalls` writes or what
:class:`fundops.calc.waterfall_terms.WaterfallTerms` accepts: every party is an investor
committed to the fund; a run uses terms of its fund in force on its date and posted ONE
``distribution`` entry of the fund on that date for ``amount`` − ``escrow_amount``,
allocated exactly as its slices' payments; the entry of a run is reversed only by a
``waterfall_run_reversal`` row, whose entry is that reversal.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from fundops.calc.waterfall_terms import ConcessionTier, Structure
from fundops.calc.waterfall_terms import WaterfallTerms as Terms
from fundops.errors import ValidationError
from fundops.exchange.checks_ledger import Checker
from fundops.exchange.parse import Row
from fundops.portfolio.enums import CashFlowKind

_TERMS_FIELDS = {"carry": "carry_rate", "catch_up": "catch_up_rate",
                 "hurdle_rate": "hurdle_rate", "holdback": "holdback_rate"}
_EXIT_ENTRY_LINKS = (("exit_event", "cash_flow_id"), ("exit_event", "distribution_id"),
                     ("escrow_release", "cash_flow_id"), ("interest_transfer", "cash_flow_id"))


def _check_natural_keys(c: Checker) -> None:
    c.unique("waterfall_gp_party", ("terms_id", "investor_id"), "terms and investor")
    c.unique("waterfall_concession", ("terms_id", "position"), "terms and position")
    c.unique("waterfall_beneficiary", ("concession_id", "investor_id"), "tier and investor")
    c.unique("waterfall_run", ("cash_flow_id",), "cash flow")
    c.unique("waterfall_slice", ("run_id", "investor_id"), "run and investor")
    c.unique("waterfall_run_reversal", ("run_id",), "run")
    c.unique("waterfall_run_reversal", ("cash_flow_id",), "cash flow")


def _committed(c: Checker) -> set[tuple[Any, Any]]:
    return {(r.get("fund_id"), r.get("investor_id")) for r in c.data["commitment"]}


def _party(c: Checker, row: Row, field: str, fund: Any, committed: set[Any]) -> None:
    """``field`` names an investor committed to ``fund`` (a ``commitment`` row)."""
    investor = row.get(field)
    if None not in (investor, fund) and (fund, investor) not in committed:
        c.bad(row, field, f"investor {investor} has no commitment to fund {fund}")


def _fund_of(c: Checker, row: Row, field: str) -> Any:
    """The ``fund_id`` of the record ``field`` names, through the terms or the run."""
    parent = c.ref(row, field)
    if parent is None:
        return None
    if parent.sheet == "waterfall_concession":
        parent = c.ref(parent, "terms_id")
    return None if parent is None else parent.get("fund_id")


def _check_terms(c: Checker, committed: set[Any]) -> None:
    for row in c.data["waterfall_terms"]:
        c.fund_rules(row, "effective_on")
        _party(c, row, "carry_recipient_id", row.get("fund_id"), committed)
        names = ("structure", "carry_rate", "catch_up_rate", "hurdle", "hurdle_rate",
                 "holdback_rate")
        if not row.ok(*names) or None in (row.get(n) for n in names if n != "catch_up_rate"):
            continue
        try:
            Terms(structure=row.get("structure"), carry=row.get("carry_rate"),
                  catch_up=row.get("catch_up_rate"), hurdle=row.get("hurdle"),
                  hurdle_rate=row.get("hurdle_rate"), holdback=row.get("holdback_rate"))
        except ValidationError as exc:
            c.bad(row, _TERMS_FIELDS.get(exc.field, exc.field), exc.message)
    for row in c.data["waterfall_gp_party"]:
        terms = c.ref(row, "terms_id")
        _party(c, row, "investor_id", _fund_of(c, row, "terms_id"), committed)
        if terms is not None and row.get("investor_id") is not None and \
                row.get("investor_id") == terms.get("carry_recipient_id"):
            c.bad(row, "investor_id", "is the carry recipient of the terms (it takes no carry "
                                      "on itself already)")


def _check_concessions(c: Checker, committed: set[Any]) -> None:
    beneficiaries: dict[Any, list[Row]] = defaultdict(list)
    for row in c.data["waterfall_beneficiary"]:
        _party(c, row, "investor_id", _fund_of(c, row, "concession_id"), committed)
        beneficiaries[row.get("concession_id")].append(row)
    ceded: dict[tuple[Any, Any], Decimal] = defaultdict(Decimal)
    for row in c.data["waterfall_concession"]:
        _party(c, row, "government_id", _fund_of(c, row, "terms_id"), committed)
        position, gov = row.get("position"), row.get("government_id")
        if position is not None and position < 0:
            c.bad(row, "position", "must be 0 or more")
        mine = beneficiaries.get(row.key, [])
        if not mine:
            c.bad(row, "id", "the tier has no waterfall_beneficiary row")
        names = ("threshold_rate", "share_rate", "government_id")
        pairs = tuple((b.get("investor_id"), b.get("weight")) for b in mine
                      if None not in (b.get("investor_id"), b.get("weight")))
        if not pairs or not row.ok(*names) or None in (row.get(n) for n in names):
            continue
        try:
            ConcessionTier(gov, row.get("threshold_rate"), row.get("share_rate"), pairs)
        except ValidationError as exc:
            field = {"share": "share_rate"}.get(exc.field, exc.field)
            if field == "beneficiaries":
                c.bad(row, "government_id", exc.message)
            else:
                c.bad(row, field, exc.message)
            continue
        key = (row.get("terms_id"), gov)
        ceded[key] += row.get("share_rate")
        if ceded[key] > 1:
            c.bad(row, "share_rate", "the tiers of this government in these terms cede more "
                                     "than all of its excess (shares above 1 in all)")


def _allocations(c: Checker) -> dict[Any, dict[Any, Decimal | None]]:
    out: dict[Any, dict[Any, Decimal | None]] = {}
    for row in c.data["cash_flow_allocation"]:
        entry, investor = row.get("cash_flow_id"), row.get("investor_id")
        if entry is not None and investor is not None:
            out.setdefault(entry, {})[investor] = row.get("amount")
    return out


def _check_run_terms(c: Checker, row: Row, held: set[Any]) -> None:
    terms = c.ref(row, "terms_id")
    if terms is None:
        return
    if None not in (terms.get("fund_id"), row.get("fund_id")) and \
            terms.get("fund_id") != row.get("fund_id"):
        c.bad(row, "terms_id", f"sheet 'waterfall_terms', row {terms.number} belongs to "
                               "another fund")
        return
    since, when = terms.get("effective_on"), row.get("value_on")
    if None not in (since, when) and since > when:
        c.bad(row, "terms_id", f"the terms take effect on {since}, after the run")
    company, structure = row.get("company_id"), terms.get("structure")
    if structure is Structure.DEAL_BY_DEAL and company is None and row.ok("company_id"):
        c.bad(row, "company_id", "is required: the terms are deal by deal")
    elif structure is Structure.WHOLE_FUND and company is not None:
        c.bad(row, "company_id", "must be empty: the terms are whole-fund")
    elif company is not None and (row.get("fund_id"), company) not in held:
        c.bad(row, "company_id", "the fund holds no investment in this company")


def _check_run_entry(c: Checker, row: Row, payments: dict[Any, Decimal],
                     allocated: dict[Any, dict[Any, Decimal | None]]) -> None:
    entry = c.ref(row, "cash_flow_id")
    amount, escrow = row.get("amount"), row.get("escrow_amount")
    if entry is None or None in (amount, escrow):
        return
    expected = {"kind": CashFlowKind.DISTRIBUTION, "fund_id": row.get("fund_id"),
                "value_on": row.get("value_on"), "amount": amount - escrow,
                "currency": row.get("currency"), "reverses_id": None}
    for name, want in expected.items():
        have = entry.get(name)
        if name != "reverses_id" and (have is None or want is None):
            continue
        if have != want:
            c.bad(row, "cash_flow_id", f"sheet 'cash_flow', row {entry.number} has {name} "
                                       f"{getattr(have, 'value', have)}, not "
                                       f"{getattr(want, 'value', want)}")
            return
    lines = allocated.get(entry.key, {})
    if None in lines.values():
        return  # an unparsed allocation: reported on its row
    have_lines = {k: v for k, v in lines.items() if v}
    want_lines = {k: v for k, v in payments.items() if v}
    if have_lines != want_lines:
        shown = ", ".join(f"investor {k}: {v}" for k, v in sorted(have_lines.items()))
        c.bad(row, "cash_flow_id", f"the allocations of sheet 'cash_flow', row {entry.number} "
                                   f"are ({shown or 'none'}), not the slices' payments")


def _check_runs(c: Checker, committed: set[Any]) -> None:
    held = {(r.get("fund_id"), r.get("company_id")) for r in c.data["investment"]}
    allocated = _allocations(c)
    payments: dict[Any, dict[Any, Decimal]] = defaultdict(dict)
    for row in c.data["waterfall_slice"]:
        _party(c, row, "investor_id", _fund_of(c, row, "run_id"), committed)
        paid = row.get("payment_amount")
        if paid is not None and paid < 0:
            c.bad(row, "payment_amount", f"{paid} must not be negative")
        if row.get("investor_id") is not None and paid is not None:
            payments[row.get("run_id")][row.get("investor_id")] = paid
    for row in c.data["waterfall_run"]:
        c.fund_rules(row, "value_on")
        _check_run_terms(c, row, held)
        carry, escrow = row.get("carry_amount"), row.get("escrow_amount")
        if None not in (carry, escrow) and escrow > carry:
            c.bad(row, "escrow_amount", f"{escrow} exceeds the carry {carry}")
            continue
        _check_run_entry(c, row, payments.get(row.key, {}), allocated)


def _check_entry_owners(c: Checker) -> None:
    """A run's entry is linked by no exit row; it is reversed only by a run reversal,
    whose entry reverses the run's."""
    exit_owned = {r.get(field): r for sheet, field in _EXIT_ENTRY_LINKS
                  for r in c.data[sheet] if r.get(field) is not None}
    run_entries = {r.values.get("cash_flow_id") for r in c.data["waterfall_run"]} - {None}
    for row in c.data["waterfall_run"]:
        other = exit_owned.get(row.get("cash_flow_id"))
        if other is not None:
            c.bad(row, "cash_flow_id", f"the entry {row.get('cash_flow_id')} is already "
                                       f"linked by sheet '{other.sheet}', row {other.number}")
    reversal_entries = set()
    for row in c.data["waterfall_run_reversal"]:
        run, entry = c.ref(row, "run_id"), c.ref(row, "cash_flow_id")
        reversal_entries.add(row.values.get("cash_flow_id"))
        # raw values: a run whose entry was reported above still names it
        original = None if run is None else run.values.get("cash_flow_id")
        if original is None or entry is None:
            continue
        if entry.values.get("reverses_id") != original:
            c.bad(row, "cash_flow_id", f"sheet 'cash_flow', row {entry.number} does not "
                                       f"reverse the run's entry {original}")
    for row in c.data["cash_flow"]:
        if row.get("reverses_id") in run_entries and row.key not in reversal_entries:
            c.bad(row, "reverses_id", "reverses the entry of a waterfall run: only a "
                                      "waterfall_run_reversal row may name such a reversal")


def check_waterfalls(c: Checker) -> None:
    """Every waterfall rule (see the module)."""
    committed = _committed(c)
    _check_natural_keys(c)
    _check_terms(c, committed)
    _check_concessions(c, committed)
    _check_runs(c, committed)
    _check_entry_owners(c)


__all__ = ["check_waterfalls"]
