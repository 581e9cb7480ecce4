"""Panels other features add to the fund page.

Portfolio imports no other feature, so a feature that has something to say on a fund's
page (exits: lock-up expiries and escrow releases coming up) registers a panel here: a
template name and a function that returns the template's context for one fund, or None
when the panel has nothing to show.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fundops.portfolio.access import Access
from fundops.portfolio.models import Fund
from fundops.uow import Actor

PanelContext = Callable[[Fund, Access, Actor], Mapping[str, Any] | None]


@dataclass(frozen=True)
class FundPanel:
    """``template`` is included on the fund page with ``panel`` = the context's result."""

    name: str
    template: str
    context: PanelContext


_panels: dict[str, FundPanel] = {}


def add_fund_panel(panel: FundPanel) -> None:
    """Register ``panel`` (idempotent: the app factory may run more than once)."""
    _panels[panel.name] = panel


def fund_panels(fund: Fund, access: Access, actor: Actor) -> list[tuple[str, Mapping[str, Any]]]:
    """The (template, context) of every registered panel with something to show."""
    out = []
    for panel in _panels.values():
        ctx = panel.context(fund, access, actor)
        if ctx is not None:
            out.append((panel.template, ctx))
    return out
