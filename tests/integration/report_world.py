"""Report runs for tests: a test-only fund pack (a real builder: the fund's ledger up to the
quarter end as CSV, with totals per kind) and a recorded run of a world's fund."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import sqlalchemy as sa

from fundops.calc.periods import Quarter
from fundops.extensions import db
from fundops.portfolio.access import get_fund
from fundops.portfolio.ledger import CashFlow
from fundops.reports.runs.registry import register_pack
from fundops.reports.runs.services import run_pack
from fundops.uow import Actor

TEST_KIND = "test_ledger_csv"


def ledger_csv(actor: Actor, fund_id: int, quarter: Quarter) -> list[tuple[str, bytes]]:
    """The fund's ledger entries dated up to the quarter end, then the total per kind."""
    fund, _ = get_fund(actor, fund_id)
    rows = db.session.scalars(sa.select(CashFlow).where(
        CashFlow.fund_id == fund.id, CashFlow.value_on <= quarter.end)
        .order_by(CashFlow.value_on, CashFlow.id)).all()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "value_on", "kind", "amount", "currency", "reverses"])
    totals: dict[str, Decimal] = {}
    for r in rows:
        writer.writerow([r.id, r.value_on.isoformat(), r.kind.value, f"{r.amount:f}",
                         r.currency, r.reverses_id or ""])
        totals[r.kind.value] = totals.get(r.kind.value, Decimal("0.00")) + r.amount
    for kind, total in sorted(totals.items()):
        writer.writerow(["total", quarter.end.isoformat(), kind, f"{total:f}", fund.currency, ""])
    return [(f"ledger-{fund.code}-{quarter}.csv", out.getvalue().encode("utf-8"))]


def use_test_pack() -> None:
    """Register :func:`ledger_csv` as the fund pack ``test_ledger_csv`` (idempotent)."""
    register_pack(TEST_KIND, ledger_csv)


def report_run_objects(gp: Actor, fund_id: int) -> dict[str, int]:
    """A recorded run (2022Q4) of the fund: ids for the route walks."""
    use_test_pack()
    run = run_pack(gp, TEST_KIND, fund_id, "2022Q4").run
    return {"run_id": run.id, "file_id": run.files[0].id}
