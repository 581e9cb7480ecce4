"""The catalogue of user-facing messages: stable code → English template.

Services raise ``ValidationError(field, code, **params)`` (or another
:class:`fundops.errors.DomainError`) with a code registered here. Templates use
``%(name)s`` placeholders; pages translate them through gettext (``N_`` marks them for
extraction into ``translations/``) and format :class:`fundops.money.Money` params in the
page's display unit. Each feature keeps its codes in its own module; a code is part of
the API contract and is never reused for a different meaning.
"""

from __future__ import annotations

from fundops.messages import (
    approvals,
    auth,
    companies,
    company_choice,
    core,
    exchange,
    exit_events,
    exits,
    fees,
    ipo,
    jobs,
    metrics,
    notices,
    payments,
    portfolio,
    qreport,
    report_runs,
    reports,
    syndication,
    transfers,
    waterfalls,
    web,
)
from fundops.messages.marker import N_

MESSAGES: dict[str, str] = {}
for _module in (core, portfolio, metrics, exchange, syndication, auth, web, jobs, approvals,
                companies, exit_events, exits, ipo, transfers, waterfalls, reports, qreport,
                payments, fees, report_runs, notices, company_choice):
    _clash = MESSAGES.keys() & _module.MESSAGES.keys()
    if _clash:
        raise RuntimeError(f"message codes defined twice: {sorted(_clash)}")
    MESSAGES.update(_module.MESSAGES)

__all__ = ["MESSAGES", "N_"]
