"""Benchmark: accrued carry ("as if liquidated") for every fund of the national-scale
portfolio against benchmark (a) of :mod:`benchmarks.bench_metrics` (issue 10).

In one run, on the synthetic portfolio of :mod:`benchmarks.synth` (built or reused as
bench_metrics does), best of ``--runs`` after one warm-up each, interleaved:

(a) every fund's and LP position's metrics as of 2024-12-31 —
    ``portfolio_metrics(actor, as_of)`` as the guidance-fund manager (all 201 funds), its
    multiples read;
(carry) the accrued carry of every one of those funds at the same date with default terms
    (whole-fund, 20 % carry, 8 % compound hurdle, 100 % catch-up: the synthetic portfolio
    stores no terms, so they are applied here): each fund's LP histories from the ledger
    (:func:`fundops.exits.waterfall_history.funds_histories`, one query per kind of flow
    for all funds) and :func:`fundops.calc.waterfall.as_if_liquidated` on the fund's NAV.
    The NAV is the one (a) computed (a report showing net of carry beside (a)'s figures
    has it already), so "carry" is the extra work of adding accrued carry to (a).

Prints both times and the ratio carry / (a); target ≤ 0.5 (carry adds at most 50 %).

Run: ``/path/to/venv/bin/python benchmarks/bench_carry.py --db sqlite [--scale 0.1]``
(options as bench_metrics: ``--workdir``, ``--runs``, ``--regenerate``; PostgreSQL as
there).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from decimal import Decimal
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import load
from benchmarks.bench_metrics import (
    AS_OF,
    fmt_s,
    interleaved,
    machine_facts,
    postgres_server,
    prepare,
    with_multiples,
)
from benchmarks.synth import GUIDANCE_EMAIL, Params

TARGET = 0.5


def bench(db: str, args: argparse.Namespace, gen: load.Generator,
          server_url: str | None) -> dict[str, Any]:
    import sqlalchemy as sa

    from fundops.calc.waterfall import as_if_liquidated
    from fundops.calc.waterfall_terms import WaterfallTerms
    from fundops.exits.waterfall_history import funds_histories
    from fundops.extensions import db as fdb
    from fundops.metrics.perspectives import portfolio_metrics
    from fundops.uow import Actor

    prepared = prepare(db, args, gen, server_url)
    print(f"{db}: {prepared.url} ({'reused' if prepared.reused else 'built'})", flush=True)
    app = load.make_app(prepared.url)
    with app.app_context():
        org_id, user_id = fdb.session.execute(sa.text(
            "SELECT organisation_id, id FROM user_account WHERE email = :e"),
            {"e": GUIDANCE_EMAIL}).one()
        fdb.session.remove()
    actor = Actor(user_id=user_id, organisation_id=org_id, role="admin")
    terms = WaterfallTerms()  # whole-fund, 20 % carry, 8 % compound, 100 % catch-up
    gp = "gp"  # the carry recipient: no history of its own in the synthetic funds
    with app.app_context():
        metrics = with_multiples(portfolio_metrics(actor, AS_OF))
        navs = {fund_id: max(Decimal("0.00"), p.value.quantize(Decimal("0.01")))
                for fund_id, p in metrics.fund_net.items()}
        fdb.session.remove()

    def engine_a() -> Any:
        with app.app_context():
            try:
                return with_multiples(portfolio_metrics(actor, AS_OF))
            finally:
                fdb.session.remove()

    def carry() -> dict[int, Decimal]:
        with app.app_context():
            try:
                histories = funds_histories(sorted(navs), AS_OF)
                out = {}
                for fund_id, nav in navs.items():
                    parties = histories.get(fund_id, {})
                    if not any(h.contributions for h in parties.values()):
                        out[fund_id] = Decimal("0.00")
                        continue
                    out[fund_id] = as_if_liquidated(terms, parties, gp, nav, AS_OF).accrued_carry
                return out
            finally:
                fdb.session.remove()

    accrued = carry()
    with_carry = sum(1 for v in accrued.values() if v > 0)
    print(f"{len(accrued)} funds; {with_carry} with accrued carry > 0; total accrued carry "
          f"{sum(accrued.values(), Decimal(0)):,.2f}", flush=True)
    t_a, t_c, all_a, all_c = interleaved(engine_a, carry, args.runs)
    ratio = t_c / t_a
    print(f"(a) all funds + LP positions: {fmt_s(t_a)} (runs {[round(x, 3) for x in all_a]})")
    print(f"accrued carry, every fund:    {fmt_s(t_c)} (runs {[round(x, 3) for x in all_c]})")
    print(f"ratio carry / (a) = {ratio:.3f} (target ≤ {TARGET}: "
          f"{'met' if ratio <= TARGET else 'MISSED'})", flush=True)
    return {"db": db, "server": db, "a_s": t_a, "carry_s": t_c, "ratio": ratio,
            "funds": len(accrued), "funds_with_carry": with_carry}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", default=os.environ.get("FUNDOPS_BENCH_WORKDIR",
                                                            "/tmp/fundops-bench"))
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--scale", type=float, default=1.0)
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
    return 0 if all(r["ratio"] <= TARGET for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
