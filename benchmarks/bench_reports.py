"""Benchmark: quarterly packs (xlsx + PDF) for every fund of the national-scale portfolio,
and the guidance fund's consolidated pack (issue 11).

On the synthetic portfolio of :mod:`benchmarks.synth` (built or reused as bench_metrics
does), for quarter 2024Q4:

* **per fund pack**: for each of the 201 funds, as its managing organisation,
  ``quarterly_report`` (loading: the ledger, metrics, look-through and frames — pandas) and
  then the Chinese document rendered to xlsx and to PDF (rendering); time per pack, split
  into loading and rendering;
* **consolidated**: the parent's consolidated pack (the parent's sections plus a summary,
  performance and schedule of investments per sub-fund, xlsx + PDF);
* **reference (a)**: every fund's and LP position's metrics in one call
  (``portfolio_metrics`` as the guidance manager), measured in the same run, so the pack
  times can be compared on another machine as ratios.

Targets (issue 11): under 2 s per fund pack (the slowest), under 5 s for the consolidated
pack. Prints the median, 95th percentile and maximum per pack, the total, the loading share,
and each figure as a ratio to (a).

Run: ``/path/to/venv/bin/python benchmarks/bench_reports.py --db sqlite [--scale 0.1]
[--funds N]`` (options as bench_metrics: ``--workdir``, ``--regenerate``; PostgreSQL as
there).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from datetime import date
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import load
from benchmarks.bench_metrics import AS_OF, machine_facts, postgres_server, prepare
from benchmarks.synth import GUIDANCE_EMAIL, Params

QUARTER = "2024Q4"
REPORT_ON = date(2025, 1, 15)
PACK_TARGET_S = 2.0
CONSOLIDATED_TARGET_S = 5.0


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench(db: str, args: argparse.Namespace, gen: load.Generator,
          server_url: str | None) -> dict[str, Any]:
    import sqlalchemy as sa
    from flask_babel import force_locale

    from fundops.extensions import db as fdb
    from fundops.metrics.perspectives import portfolio_metrics
    from fundops.models import Fund
    from fundops.reports.quarterly.build import quarterly_document
    from fundops.reports.quarterly.content import quarterly_report
    from fundops.reports.quarterly.packs import consolidated_pack
    from fundops.reports.render import render_pdf, render_xlsx
    from fundops.uow import Actor

    prepared = prepare(db, args, gen, server_url)
    print(f"{db}: {prepared.url} ({'reused' if prepared.reused else 'built'})", flush=True)
    app = load.make_app(prepared.url)
    with app.app_context():
        org_id, user_id = fdb.session.execute(sa.text(
            "SELECT organisation_id, id FROM user_account WHERE email = :e"),
            {"e": GUIDANCE_EMAIL}).one()
        funds = [(f.id, f.organisation_id, f.kind.value) for f in fdb.session.scalars(
            sa.select(Fund).order_by(Fund.id))]
        fdb.session.remove()
    guidance = Actor(user_id=user_id, organisation_id=org_id, role="admin")
    parent_id = next(f for f, _, kind in funds if kind == "parent_fund")
    if args.funds:
        funds = funds[: args.funds]

    def reference() -> float:
        with app.app_context():
            t0 = time.perf_counter()
            portfolio_metrics(guidance, AS_OF)
            fdb.session.remove()
            return time.perf_counter() - t0

    reference()  # warm-up (compiles the XIRR kernel, fills caches)
    ref = min(reference() for _ in range(3))
    loads, renders, sizes = [], [], []
    t_all = time.perf_counter()
    with app.app_context():
        for fund_id, org, _ in funds:
            actor = Actor(user_id=None, organisation_id=org, role="admin")
            t0 = time.perf_counter()
            report = quarterly_report(actor, fund_id, QUARTER, REPORT_ON)
            t1 = time.perf_counter()
            with force_locale("zh_CN"):
                document = quarterly_document(report)
            files = (render_xlsx(document), render_pdf(document))
            t2 = time.perf_counter()
            loads.append(t1 - t0)
            renders.append(t2 - t1)
            sizes.append(sum(len(f) for f in files))
            fdb.session.remove()
        total = time.perf_counter() - t_all
    packs = [a + b for a, b in zip(loads, renders, strict=True)]
    worst = max(packs)
    print(f"reference (a) all funds + LP metrics: {ref * 1000:.0f} ms")
    print(f"{len(packs)} fund packs (xlsx + PDF) in {total:.1f} s: per pack median "
          f"{statistics.median(packs) * 1000:.0f} ms, p95 {_pct(packs, 0.95) * 1000:.0f} ms, "
          f"max {worst * 1000:.0f} ms (target < {PACK_TARGET_S:.0f} s: "
          f"{'met' if worst < PACK_TARGET_S else 'MISSED'}); "
          f"{statistics.median(sizes) / 1024:.0f} KB median")
    print(f"  loading {sum(loads) / (sum(packs) or 1):.0%} of the time, rendering "
          f"{sum(renders) / (sum(packs) or 1):.0%}; slowest pack = {worst / ref:.2f} × (a), "
          f"median = {statistics.median(packs) / ref:.3f} × (a), all packs = "
          f"{total / ref:.1f} × (a)")
    with app.app_context():
        t0 = time.perf_counter()
        files = consolidated_pack(guidance, parent_id, QUARTER, REPORT_ON)
        consolidated = time.perf_counter() - t0
        fdb.session.remove()
    print(f"consolidated parent pack ({len(files)} files, "
          f"{sum(len(b) for _, b in files) / 1024:.0f} KB): {consolidated * 1000:.0f} ms = "
          f"{consolidated / ref:.2f} × (a) (target < {CONSOLIDATED_TARGET_S:.0f} s: "
          f"{'met' if consolidated < CONSOLIDATED_TARGET_S else 'MISSED'})", flush=True)
    return {"db": db, "server": db, "worst_s": worst, "consolidated_s": consolidated,
            "ok": worst < PACK_TARGET_S and consolidated < CONSOLIDATED_TARGET_S}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--workdir", default=os.environ.get("FUNDOPS_BENCH_WORKDIR",
                                                            "/tmp/fundops-bench"))
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--funds", type=int, default=0, help="only the first N funds")
    args = parser.parse_args(argv)
    os.makedirs(args.workdir, exist_ok=True)
    params = Params().scaled(args.scale)
    print(f"synthetic portfolio {params.signature()}; workdir {args.workdir}", flush=True)
    gen = load.Generator(params)
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = []
    t0 = time.perf_counter()
    with contextlib.ExitStack() as stack:
        server_url = (stack.enter_context(postgres_server(args.workdir))
                      if "postgresql" in dbs else None)
        for db in dbs:
            results.append(bench(db, args, gen, server_url))
    print("\n".join(machine_facts([r["server"] for r in results])))
    print(f"total {time.perf_counter() - t0:.1f} s")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
