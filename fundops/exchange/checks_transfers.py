"""Cross-row checks of LP-interest transfers and of the ledger rows only a transfer writes.

:func:`fundops.exits.transfers.post_transfer` writes, for a transfer of
``commitment_amount`` and ``paid_in_amount`` on ``transfer_on``: the seller's commitment
row −``commitment_amount`` and the buyer's +``commitment_amount`` (both dated
``transfer_on``), and one ``lp_transfer`` ledger entry of 0.00 dated ``transfer_on``
allocating −``paid_in_amount`` to the seller and +``paid_in_amount`` to the buyer.
Its reversal (``reverses_id``) repeats the transfer's figures, with the commitment rows'
signs swapped and the entry's reversal. So an import accepts a negative commitment or an
``lp_transfer`` entry only as such a row of a transfer in the file, and nothing looser.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fundops.exchange.checks_ledger import Checker
from fundops.exchange.parse import Row
from fundops.portfolio.enums import CashFlowKind

_SAME = ("fund_id", "kind", "seller_id", "buyer_id", "transfer_on", "fraction",
         "commitment_amount", "paid_in_amount", "price_basis", "price_amount", "currency")


def _allocations(c: Checker) -> dict[Any, dict[Any, Decimal | None]]:
    """Per ledger entry key: investor key → allocated amount (None: unparsed)."""
    out: dict[Any, dict[Any, Decimal | None]] = {}
    for row in c.data["cash_flow_allocation"]:
        entry, investor = row.get("cash_flow_id"), row.get("investor_id")
        if entry is not None and investor is not None:
            out.setdefault(entry, {})[investor] = row.get("amount")
    return out


def _check_commitment(c: Checker, row: Row, field: str, investor: str,
                      amount: Decimal | None) -> None:
    """The commitment ``field`` names: the transfer's fund, ``investor``, date, ``amount``."""
    commitment = c.ref(row, field)
    if commitment is None:
        return
    expected = {"fund_id": row.get("fund_id"), "investor_id": row.get(investor),
                "committed_on": row.get("transfer_on"), "amount": amount,
                "currency": row.get("currency")}
    for name, want in expected.items():
        have = commitment.get(name)
        if None not in (have, want) and have != want:
            c.bad(row, field, f"sheet 'commitment', row {commitment.number} has {name} "
                              f"{have}, not {want}")
            return


def _check_entry(c: Checker, row: Row, allocated: dict[Any, dict[Any, Decimal | None]],
                 sign: int, reverses: Any) -> None:
    """The transfer's ``lp_transfer`` entry and its two allocations."""
    entry = c.ref(row, "cash_flow_id")
    if entry is None:
        return
    expected = {"kind": CashFlowKind.LP_TRANSFER, "fund_id": row.get("fund_id"),
                "value_on": row.get("transfer_on"), "reverses_id": reverses}
    for name, want in expected.items():
        have = entry.get(name)
        if name != "reverses_id" and (have is None or want is None):
            continue  # unparsed: reported on its own row
        if have != want:
            c.bad(row, "cash_flow_id", f"sheet 'cash_flow', row {entry.number} has {name} "
                                       f"{getattr(have, 'value', have)}, not "
                                       f"{getattr(want, 'value', want)}")
            return
    paid, seller, buyer = row.get("paid_in_amount"), row.get("seller_id"), row.get("buyer_id")
    if None in (paid, seller, buyer) or seller == buyer:
        return
    want_lines = {seller: -sign * paid, buyer: sign * paid}
    have_lines = allocated.get(entry.key, {})
    if None in have_lines.values():
        return  # an unparsed allocation: reported on its row
    if have_lines != want_lines:
        shown = ", ".join(f"investor {k}: {v}" for k, v in sorted(have_lines.items()))
        c.bad(row, "cash_flow_id", f"the allocations of sheet 'cash_flow', row {entry.number} "
                                   f"are ({shown or 'none'}), not {-sign * paid} to the "
                                   f"seller and {sign * paid} to the buyer")


def _check_transfer(c: Checker, row: Row,
                    allocated: dict[Any, dict[Any, Decimal | None]]) -> None:
    c.fund_rules(row, "transfer_on")
    seller, buyer, part = row.get("seller_id"), row.get("buyer_id"), row.get("fraction")
    if seller is not None and seller == buyer:
        c.bad(row, "buyer_id", "is the seller: a transfer needs another buyer")
    if part is not None and not 0 < part <= 1:
        c.bad(row, "fraction", f"{part} is not in (0, 1]")
    option = c.ref(row, "option_id")
    if option is not None and option.get("fund_id") != row.get("fund_id"):
        c.bad(row, "option_id", f"sheet 'buyout_option', row {option.number} belongs to "
                                "another fund")
    amount = row.get("commitment_amount")
    sign = 1
    reverses = None
    if row.get("reverses_id") is not None:
        original = c.ref(row, "reverses_id")
        if original is None:
            return
        if original.get("reverses_id") is not None:
            c.bad(row, "reverses_id", "a reversal cannot be reversed")
        for field in _SAME:
            if None not in (row.get(field), original.get(field)) and \
                    row.get(field) != original.get(field):
                c.bad(row, field, f"is {getattr(row.get(field), 'value', row.get(field))}, "
                                  f"but the reversed transfer (row {original.number}) has "
                                  f"{getattr(original.get(field), 'value', original.get(field))}")
        sign, reverses = -1, original.get("cash_flow_id")
        if reverses is None:
            return
    elif not row.ok("reverses_id"):
        return
    _check_commitment(c, row, "seller_commitment_id", "seller_id",
                      None if amount is None else -sign * amount)
    _check_commitment(c, row, "buyer_commitment_id", "buyer_id",
                      None if amount is None else sign * amount)
    _check_entry(c, row, allocated, sign, reverses)


def check_transfers(c: Checker) -> None:
    """Transfers against their register rows and entry; negative commitments and
    ``lp_transfer`` entries only as rows of a transfer."""
    allocated = _allocations(c)
    negative_rows: set[Any] = set()
    transfer_entries: set[Any] = set()
    for row in c.data["interest_transfer"]:
        _check_transfer(c, row, allocated)
        # raw values: a link reported above still names the row it claims
        reversal = row.values.get("reverses_id") is not None
        negative_rows.add(row.values.get(
            "buyer_commitment_id" if reversal else "seller_commitment_id"))
        transfer_entries.add(row.values.get("cash_flow_id"))
    for row in c.data["commitment"]:
        amount = row.get("amount")
        if amount is not None and amount < 0 and row.key not in negative_rows:
            c.bad(row, "amount", f"must not be negative, got '{amount}' (only the seller's row "
                                 "of an interest_transfer, or the buyer's row of its reversal, "
                                 "is negative)")
    for row in c.data["cash_flow"]:
        if row.get("kind") is CashFlowKind.LP_TRANSFER and row.key not in transfer_entries:
            c.bad(row, "kind", "an lp_transfer entry must be the cash_flow_id of an "
                               "interest_transfer row")


__all__ = ["check_transfers"]
