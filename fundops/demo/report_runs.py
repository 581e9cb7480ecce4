"""Report runs of the demo: the demo bank's loan book for the demo's last quarter, and every
registered fund pack for each demo fund alive in it, kept as report runs
(:mod:`fundops.reports.runs`), so the pages show runs with their files."""

from __future__ import annotations

from fundops.calc.periods import Quarter
from fundops.demo.catalogue import DEMO_END
from fundops.portfolio.models import Fund
from fundops.reports.bank import LOAN_BOOK
from fundops.reports.runs.enums import RunSubject
from fundops.reports.runs.registry import packs_for
from fundops.reports.runs.services import run_pack
from fundops.uow import Actor


def load_report_runs(actors: dict[str, Actor], funds: dict[str, Fund]) -> list[str]:
    """Run the packs of the demo's last quarter; one summary line."""
    quarter = Quarter.of(DEMO_END)
    bank = actors["bank"]
    made = [run_pack(bank, LOAN_BOOK, bank.organisation_id, quarter)]
    by_org = {a.organisation_id: a for a in actors.values()}
    for fund in funds.values():
        if fund.inception_on <= quarter.end:
            made += [run_pack(by_org[fund.organisation_id], p.kind, fund.id, quarter)
                     for p in packs_for(RunSubject.FUND)]
    return [f"Report runs {quarter}: {len(made)} (the bank's loan book and the fund packs)"]
