"""Cross-row checks of the exit stage's record types (listings, prices, buy-back claims,
exit events, escrow releases, reminders, buy-out options and LP-interest transfers),
and the ledger rows only a transfer may write (negative commitments, ``lp_transfer``
entries). Run by :mod:`fundops.exchange.checks` after the ledger and loan checks.

Each rule mirrors what the exit services write (:mod:`fundops.exits.postings`,
:mod:`fundops.exits.services`, :mod:`fundops.exits.transfers`): an original row and the
reversal that cancels it (``reverses_id``, amounts negated), the ledger entries and
holding valuations they link, and the register rows of a transfer.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fundops.exchange.checks_ledger import Checker
from fundops.exchange.parse import Row
from fundops.exits.enums import EscrowOutcome, ExitKind
from fundops.portfolio.enums import CashFlowKind

ONE = Decimal(1)


def check_exit_natural_keys(c: Checker) -> None:
    c.unique("ipo_listing", ("fund_id", "company_id"), "fund and company")
    c.unique("listed_price", ("exchange", "ticker", "traded_on"), "exchange, ticker and date")
    for field in ("cash_flow_id", "distribution_id", "holding_valuation_id", "reverses_id"):
        c.unique("exit_event", (field,), field.removesuffix("_id").replace("_", " "))
    c.unique("escrow_release", ("cash_flow_id",), "cash flow")
    c.unique("escrow_release", ("reverses_id",), "reverses")
    c.unique("exit_reminder", ("kind", "object_id", "due_on"), "kind, object and due date")
    for field in ("seller_commitment_id", "buyer_commitment_id", "cash_flow_id",
                  "reverses_id"):
        c.unique("interest_transfer", (field,), field.removesuffix("_id").replace("_", " "))
    _one_owner_per_entry(c)


def _one_owner_per_entry(c: Checker) -> None:
    """A ledger entry is posted by at most one exit row (event, release or transfer)."""
    owner: dict[Any, Row] = {}
    for sheet, field in (("exit_event", "cash_flow_id"), ("exit_event", "distribution_id"),
                         ("escrow_release", "cash_flow_id"), ("interest_transfer",
                                                              "cash_flow_id")):
        for row in c.data[sheet]:
            key = row.get(field)
            if key is None:
                continue
            first = owner.setdefault(key, row)
            if first is not row:
                c.bad(row, field, f"the entry {key} is already linked by sheet "
                                  f"'{first.sheet}', row {first.number}")


def _held(c: Checker) -> set[tuple[Any, Any]]:
    return {(r.get("fund_id"), r.get("company_id")) for r in c.data["investment"]}


def _holding_rules(c: Checker, row: Row, date_field: str | None, held: set[Any]) -> None:
    c.fund_rules(row, date_field)
    pair = (row.get("fund_id"), row.get("company_id"))
    if None not in pair and pair not in held:
        c.bad(row, "company_id", "the fund holds no investment in this company "
                                 "(no matching investment row)")


def _same_holding(c: Checker, row: Row, field: str) -> None:
    """The row ``field`` names belongs to the same fund and company as ``row``."""
    other = c.ref(row, field)
    if other is None:
        return
    for part in ("fund_id", "company_id"):
        if None not in (row.get(part), other.get(part)) and row.get(part) != other.get(part):
            c.bad(row, field, f"{other.sheet} row {other.number} belongs to another "
                              f"{part.removesuffix('_id')}")
            return


def check_listings_and_claims(c: Checker) -> None:
    held = _held(c)
    for row in c.data["ipo_listing"]:
        _holding_rules(c, row, "listed_on", held)
        total, mine = row.get("total_shares"), row.get("shares_held")
        for field in ("total_shares", "shares_held"):
            if row.get(field) is not None and row.get(field) <= 0:
                c.bad(row, field, f"{row.get(field)} must be more than 0")
        if total is not None and mine is not None and mine > total:
            c.bad(row, "shares_held", f"{mine} exceeds the company's total shares {total}")
        ends, listed = row.get("lockup_ends_on"), row.get("listed_on")
        if ends is not None and listed is not None and ends < listed:
            c.bad(row, "lockup_ends_on", "is before the listing date")
        months, discount = row.get("lockup_months"), row.get("liquidity_discount_rate")
        if months is not None and months < 0:
            c.bad(row, "lockup_months", "must be 0 or more")
        if discount is not None and discount >= 1:
            c.bad(row, "liquidity_discount_rate", "must be below 1 (a fraction)")
    for row in c.data["buyback_claim"]:
        _holding_rules(c, row, "triggered_on", held)
        start, trigger = row.get("accrues_from"), row.get("triggered_on")
        if start is not None and trigger is not None and start > trigger:
            c.bad(row, "accrues_from", "is after the trigger date")


def check_exit_events(c: Checker) -> None:
    held = _held(c)
    for row in c.data["exit_event"]:
        _holding_rules(c, row, "value_on", held)
        _same_holding(c, row, "listing_id")
        _same_holding(c, row, "buyback_claim_id")
        proceeds, basis, gain = (row.get("proceeds_amount"), row.get("cost_basis_amount"),
                                 row.get("realised_gain_amount"))
        if None not in (proceeds, basis, gain) and gain != proceeds - basis:
            c.bad(row, "realised_gain_amount", f"is {gain}, not proceeds {proceeds} − cost "
                                               f"basis {basis}")
        _exit_valuation(c, row)
        if row.get("reverses_id") is None and row.ok("reverses_id"):
            _original_exit(c, row)
        else:
            _exit_reversal(c, row)


def _original_exit(c: Checker, row: Row) -> None:
    proceeds, escrow = row.get("proceeds_amount"), row.get("escrow_amount")
    part, shares = row.get("fraction_disposed"), row.get("shares")
    for field, value in (("proceeds_amount", proceeds), ("escrow_amount", escrow),
                         ("shares", shares)):
        if value is not None and value < 0:
            c.bad(row, field, f"{value} is negative; only a reversal (reverses_id set) "
                              "holds negated figures")
    if escrow is not None and proceeds is not None and escrow > proceeds:
        c.bad(row, "escrow_amount", f"{escrow} exceeds the consideration {proceeds}")
    if part is not None and not 0 < part <= ONE:
        c.bad(row, "fraction_disposed", f"{part} is not in (0, 1]")
    if part is not None and row.ok("closes_holding") and \
            bool(row.get("closes_holding")) != (part == ONE):
        c.bad(row, "closes_holding", "is set exactly when the whole holding is disposed of "
                                     "(fraction_disposed 1)")
    _exit_cash(c, row, proceeds, escrow)
    in_kind = row.get("kind") is ExitKind.IN_KIND
    dist = c.ref(row, "distribution_id")
    if row.ok("distribution_id", "kind") and row.get("kind") is not None and \
            in_kind != (row.get("distribution_id") is not None):
        need = "is required" if in_kind else "must be empty"
        c.bad(row, "distribution_id", f"{need} for a {row.get('kind').value} exit")
    elif dist is not None and (dist.get("kind") not in (None, CashFlowKind.DISTRIBUTION)
                               or dist.get("fund_id") != row.get("fund_id")):
        c.bad(row, "distribution_id", f"sheet 'cash_flow', row {dist.number} is not a "
                                      "distribution of the exit's fund")


def _exit_cash(c: Checker, row: Row, proceeds: Decimal | None,
               escrow: Decimal | None) -> None:
    """The PROCEEDS entry of an original exit: consideration − escrow, same holding/date."""
    if proceeds is None or escrow is None or not row.ok("cash_flow_id"):
        return
    cash = proceeds - escrow
    entry = c.ref(row, "cash_flow_id")
    if row.get("cash_flow_id") is None:
        if cash > 0:
            c.bad(row, "cash_flow_id", f"is required: the exit posted {cash} of proceeds")
        return
    if entry is None:
        return
    if cash <= 0:
        c.bad(row, "cash_flow_id", "must be empty: the exit posted no proceeds")
        return
    _matches_entry(c, row, "cash_flow_id", entry, {
        "kind": CashFlowKind.PROCEEDS, "fund_id": row.get("fund_id"),
        "company_id": row.get("company_id"), "value_on": row.get("value_on"),
        "amount": cash, "reverses_id": None})


def _matches_entry(c: Checker, row: Row, field: str, entry: Row,
                   expected: dict[str, Any]) -> None:
    for name, want in expected.items():
        have = entry.get(name)
        if have is None and name != "reverses_id":
            continue  # not parsed: reported on the entry's row
        if have != want:
            shown = getattr(want, "value", want)
            c.bad(row, field, f"sheet 'cash_flow', row {entry.number} has {name} "
                              f"{getattr(have, 'value', have)}, not {shown}")
            return


def _exit_valuation(c: Checker, row: Row) -> None:
    hv = c.ref(row, "holding_valuation_id")
    if hv is None:
        return
    for mine, theirs in (("fund_id", "fund_id"), ("company_id", "company_id"),
                         ("value_on", "as_of"), ("remaining_value_amount", "fair_value_amount")):
        if None not in (row.get(mine), hv.get(theirs)) and row.get(mine) != hv.get(theirs):
            c.bad(row, "holding_valuation_id", f"sheet 'holding_valuation', row {hv.number} "
                                               f"has {theirs} {hv.get(theirs)}, not "
                                               f"{row.get(mine)}")
            return


_NEGATED_EXIT = ("proceeds_amount", "escrow_amount", "cost_basis_amount",
                 "realised_gain_amount", "fraction_disposed", "shares")
_SAME_EXIT = ("fund_id", "company_id", "kind", "value_on")


def _exit_reversal(c: Checker, row: Row) -> None:
    original = c.ref(row, "reverses_id")
    if original is None:
        return
    if original.get("reverses_id") is not None:
        c.bad(row, "reverses_id", "a reversal cannot be reversed")
    _mirror(c, row, original, _SAME_EXIT, _NEGATED_EXIT)
    for mine, theirs in (("value_before_amount", "remaining_value_amount"),
                         ("remaining_value_amount", "value_before_amount")):
        if None not in (row.get(mine), original.get(theirs)) and \
                row.get(mine) != original.get(theirs):
            c.bad(row, mine, f"is {row.get(mine)}, not the reversed exit's {theirs} "
                             f"{original.get(theirs)} (row {original.number})")
    if row.get("closes_holding"):
        c.bad(row, "closes_holding", "a reversal never closes the holding")
    for field in ("cash_flow_id", "distribution_id"):
        if row.get(field) is not None:
            c.bad(row, field, "must be empty on a reversal (the reversed entries are found "
                              "by their own reverses_id)")


def _mirror(c: Checker, row: Row, original: Row, same: tuple[str, ...],
            negated: tuple[str, ...]) -> None:
    """A reversal repeats ``same`` and negates ``negated`` of its original."""
    for field in same:
        if None not in (row.get(field), original.get(field)) and \
                row.get(field) != original.get(field):
            c.bad(row, field, f"is {_shown(row.get(field))}, but the reversed row "
                              f"{original.number} has {_shown(original.get(field))}")
    for field in negated:
        mine, theirs = row.get(field), original.get(field)
        if not row.ok(field) or not original.ok(field):
            continue
        if (mine is None) != (theirs is None) or (mine is not None and mine != -theirs):
            c.bad(row, field, f"{mine} is not the negation of the reversed row's {theirs} "
                              f"(row {original.number})")


def _shown(value: Any) -> str:
    return str(getattr(value, "value", value))


def check_escrow_releases(c: Checker) -> None:
    for row in c.data["escrow_release"]:
        event = c.ref(row, "exit_event_id")
        if event is None:
            continue
        if None not in (row.get("currency"), event.get("currency")) and \
                row.get("currency") != event.get("currency"):
            c.bad(row, "currency", f"is {row.get('currency')}, but the exit's currency is "
                                   f"{event.get('currency')}")
        if None not in (row.get("value_on"), event.get("value_on")) and \
                row.get("value_on") < event.get("value_on"):
            c.bad(row, "value_on", f"is before the exit's date {event.get('value_on')}")
        if event.get("reverses_id") is not None:
            c.bad(row, "exit_event_id", "escrow belongs to the exit, not to its reversal")
        if row.get("reverses_id") is None and row.ok("reverses_id"):
            _release_cash(c, row, event)
            continue
        original = c.ref(row, "reverses_id")
        if original is None:
            continue
        if original.get("reverses_id") is not None:
            c.bad(row, "reverses_id", "a reversal cannot be reversed")
        _mirror(c, row, original, ("exit_event_id", "value_on", "outcome"), ("amount",))
        if row.get("cash_flow_id") is not None:
            c.bad(row, "cash_flow_id", "must be empty on a reversal")


def _release_cash(c: Checker, row: Row, event: Row) -> None:
    amount, outcome = row.get("amount"), row.get("outcome")
    if amount is not None and amount < 0:
        c.bad(row, "amount", f"{amount} is negative; only a reversal (reverses_id set) "
                             "holds a negative amount")
    if outcome is None or not row.ok("cash_flow_id"):
        return
    released = outcome is EscrowOutcome.RELEASED
    if released != (row.get("cash_flow_id") is not None):
        need = "is required" if released else "must be empty"
        c.bad(row, "cash_flow_id", f"{need} for a {outcome.value} escrow")
        return
    entry = c.ref(row, "cash_flow_id")
    if entry is not None:
        _matches_entry(c, row, "cash_flow_id", entry, {
            "kind": CashFlowKind.PROCEEDS, "fund_id": event.get("fund_id"),
            "company_id": event.get("company_id"), "value_on": row.get("value_on"),
            "amount": amount, "reverses_id": None})


def check_reminders_and_options(c: Checker) -> None:
    for row in c.data["exit_reminder"]:
        matter = c.ref(row, "object_id")
        if matter is None:
            continue
        for field in ("fund_id", "company_id"):
            if None not in (row.get(field), matter.get(field)) and \
                    row.get(field) != matter.get(field):
                c.bad(row, "object_id", f"sheet '{matter.sheet}', row {matter.number} belongs "
                                        f"to another {field.removesuffix('_id')}")
                break
    for row in c.data["buyout_option"]:
        start, end = row.get("window_from"), row.get("window_to")
        if start is not None and end is not None and end < start:
            c.bad(row, "window_to", "is before window_from")
        _lp_of_fund(c, row, "holder_id")
        _lp_of_fund(c, row, "gp_investor_id")


def _lp_of_fund(c: Checker, row: Row, field: str) -> None:
    """An investor recorded by the organisation managing the row's fund."""
    investor, fund = c.ref(row, field), c.ref(row, "fund_id")
    if investor is not None and fund is not None and \
            investor.get("organisation_id") != fund.get("organisation_id"):
        c.bad(row, field, "the investor is recorded by another organisation than the one "
                          "managing the fund")


def check_exits(c: Checker) -> None:
    """Every check of listings, claims, exit events, escrow, reminders and options, in
    order (the transfers' are in :mod:`fundops.exchange.checks_transfers`)."""
    check_exit_natural_keys(c)
    check_listings_and_claims(c)
    check_exit_events(c)
    check_escrow_releases(c)
    check_reminders_and_options(c)


__all__ = ["check_exits"]
