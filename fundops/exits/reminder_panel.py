"""The fund page's panel of open exit reminders (registered with portfolio's panels)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from fundops.clock import business_today
from fundops.exits.enums import ReminderKind
from fundops.exits.reminders import open_reminders
from fundops.portfolio.access import Access
from fundops.portfolio.models import Fund
from fundops.portfolio.panels import FundPanel, add_fund_panel
from fundops.uow import Actor

KIND_LABELS: dict[ReminderKind, Any] = {
    ReminderKind.LOCKUP_END: _l("Lock-up ends"),
    ReminderKind.ESCROW_DUE: _l("Escrow due for release"),
    ReminderKind.BUYBACK_TRIGGER: _l("Buy-back trigger date"),
    ReminderKind.SELLDOWN_WINDOW: _l("Sell-down window opens"),
    ReminderKind.BUYOUT_OPENS: _l("Buy-out option window opens"),
    ReminderKind.BUYOUT_CLOSES: _l("Buy-out option window closes"),
}


def _panel(fund: Fund, access: Access, actor: Actor) -> dict[str, Any] | None:
    if access is not Access.MANAGER:
        return None
    shown = open_reminders(fund.id, business_today())
    if not shown:
        return None
    return {"reminders": [(r, KIND_LABELS[r.kind]) for r in shown]}


def register_panel() -> None:
    """Show a fund's open exit reminders on its page (called by the app factory)."""
    add_fund_panel(FundPanel("exit_reminders", "exits/_reminders_panel.html", _panel))
