"""The stated reason of a new version: what changed in the inputs since the previous one,
in words, from the changes :func:`fundops.reports.runs.inputs.compare` lists.

The same function writes the English reason stored with the run (for the API and the
command line: ``translate`` is the identity) and the page's text (``translate`` is gettext,
``money`` formats an amount in the page's unit). Amounts are the exact net of the added
less the removed rows per currency.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from fundops.messages.marker import N_

SOURCE_NAMES: dict[str, str] = {
    "fund": N_("fund details"),
    "fund_stage_change": N_("fund stage changes"),
    "commitment": N_("commitments"),
    "investor": N_("investors"),
    "cash_flow": N_("ledger entries"),
    "cash_flow_allocation": N_("LP allocations of ledger entries"),
    "fund_valuation": N_("fund valuations"),
    "holding_valuation": N_("holding valuations"),
    "investment": N_("investments"),
    "company": N_("companies"),
    "exit_event": N_("exit events"),
    "escrow_release": N_("escrow releases"),
    "interest_transfer": N_("LP-interest transfers"),
    "loan": N_("loans"),
    "loan_share": N_("lending banks' shares"),
    "loan_entry": N_("loan entries"),
    "loan_schedule_row": N_("repayment schedules"),
    "loan_product": N_("loan products"),
    "term_sheet": N_("linked rounds"),
    "risk_pool": N_("risk pools"),
    "risk_pool_party": N_("risk pool shares"),
    "risk_pool_enrolment": N_("risk pool enrolments"),
}
OTHER_SOURCE = N_("other inputs")
FIRST = N_("first run of this quarter")
NO_ROW_CHANGE = N_("the inputs' definition changed (no row was added or removed)")
ADDED = N_("%(count)s added")
REMOVED = N_("%(count)s removed")
CHANGED = N_("%(count)s changed")
REVERSALS = N_("of which %(count)s reversal(s) of #%(ids)s")
NET = N_("net %(amount)s")

Translate = Callable[[str], str]


def _plain(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def describe(changes: list[dict[str, Any]], first: bool = False,
             translate: Translate = lambda s: s,
             money: Callable[[Decimal, str], str] = _plain) -> str:
    """One line per changed source, joined with "; " (English unless ``translate``)."""
    if first:
        return translate(FIRST)
    if not changes:
        return translate(NO_ROW_CHANGE)
    parts = []
    for change in changes:
        name = translate(SOURCE_NAMES.get(change["source"], OTHER_SOURCE))
        counts = [translate(template) % {"count": change[key]}
                  for key, template in (("added", ADDED), ("removed", REMOVED),
                                        ("changed", CHANGED)) if change.get(key)]
        if change.get("reversals"):
            ids = ", #".join(str(i) for i in change.get("reversed_ids", []))
            counts.append(translate(REVERSALS) % {"count": change["reversals"], "ids": ids})
        for currency, amount in change.get("amounts", {}).items():
            if Decimal(amount):
                counts.append(translate(NET) % {"amount": money(Decimal(amount), currency)})
        parts.append(f"{name}: {', '.join(counts)}")
    return "; ".join(parts)
