"""Every page of the benchmark portfolio, alone: cold (the first request after a write in
the same fund) and warm, on SQLite and PostgreSQL.

First the daily job's metrics refresh runs for the walked funds (what the jobs process
has done overnight). Then, for the parent fund (GF0001, 200 sub-funds) and one sub-fund,
the script walks every GET
page of the application whose URL takes only a fund (plus a company or an LP of that
fund where the URL needs one): before each cold request it posts a one-yuan expense
dated today to the fund (a write in the same fund; for a sub-fund this is also a write
under the parent), then times the page, then times it again warm (each after the
background cache stores of the request before have finished). A download answered 202
(a file built in the background: fundops.reports.quarterly.files) is timed as the
answer the person gets, and the time until the file is ready is printed beside it.
It prints one line per page and the pages over the target (1 s), and writes JSON to
``<workdir>/pages-<db>.json``.

The writes go to a copy of the cached benchmark database (SQLite: a file copy;
PostgreSQL: ``CREATE DATABASE … TEMPLATE``), never to the cached one.

    python benchmarks/bench_pages.py --db sqlite|postgresql|both [--scale 0.05]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import load
from benchmarks.bench_metrics import login, postgres_server
from benchmarks.synth import Params

TARGET_S = 1.0
ARGS = ("fund_id", "company_id", "investor_id")


def copy_database(db: str, url: str, workdir: str) -> str:
    """A writable copy of the cached benchmark database (its URL)."""
    import psycopg
    import sqlalchemy as sa

    if db == "sqlite":
        source = sa.make_url(url).database or ""
        target = os.path.join(workdir, "pages-run.sqlite3")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(target + suffix):
                os.remove(target + suffix)
        shutil.copyfile(source, target)
        return f"sqlite:///{target}"
    parsed = sa.make_url(url)
    name = f"{parsed.database}_pages"
    with psycopg.connect(load.libpq(parsed.set(database="postgres").render_as_string(
            hide_password=False)), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{parsed.database}"')
    return parsed.set(database=name).render_as_string(hide_password=False)


def page_urls(app: Any, fund_id: int, company_id: int, investor_id: int) -> list[str]:
    """Every GET page taking a fund (and possibly a company or an LP of it)."""
    values = {"fund_id": fund_id, "company_id": company_id, "investor_id": investor_id}
    urls = []
    for rule in app.url_map.iter_rules():
        args = set(rule.arguments)
        if ("GET" not in (rule.methods or ()) or "fund_id" not in args
                or not args <= set(ARGS) or rule.endpoint.startswith("api")
                or rule.rule.startswith("/api/")):
            continue
        urls.append(rule.build(values, append_unknown=False)[1])
    return sorted(set(urls))


def one_fund(app: Any, client: Any, fund_id: int, writer: Any,
             only: str = "") -> list[dict[str, Any]]:
    import sqlalchemy as sa

    from fundops.extensions import db as fdb

    with app.app_context():
        company = fdb.session.execute(sa.text(
            "SELECT min(company_id) FROM investment WHERE fund_id = :f"), {"f": fund_id}
        ).scalar() or 1
        investor = fdb.session.execute(sa.text(
            "SELECT min(investor_id) FROM commitment WHERE fund_id = :f"), {"f": fund_id}
        ).scalar() or 1
        fdb.session.remove()
    rows = []
    for url in page_urls(app, fund_id, int(company), int(investor)):
        if only and not re.search(only, url):
            continue
        settle()
        writer(fund_id)
        t0 = time.perf_counter()
        cold = client.get(url)
        cold_s = time.perf_counter() - t0
        ready_s = None
        if cold.status_code == 202:  # a file prepared in the background: wait for it
            settle()
            ready_s = time.perf_counter() - t0
        settle()
        t0 = time.perf_counter()
        warm = client.get(url)
        warm_s = time.perf_counter() - t0
        rows.append({"url": url, "cold_s": cold_s, "warm_s": warm_s, "ready_s": ready_s,
                     "status": [cold.status_code, warm.status_code],
                     "bytes": len(warm.get_data())})
        mark = "  " if max(cold_s, warm_s) < TARGET_S else "!!"
        ready = f"  (file ready after {ready_s:.1f} s)" if ready_s is not None else ""
        print(f"{mark} {url:<70} cold {cold_s * 1000:8.0f} ms  warm {warm_s * 1000:7.0f} ms  "
              f"{len(warm.get_data()) / 1024:6.0f} KB  HTTP {cold.status_code}{ready}",
              flush=True)
    return rows


def settle() -> None:
    """Let the background stores of the previous request finish (in use, people do not
    click within the half second a store takes; timing a page while this process
    pickles another figure would measure the two)."""
    from fundops.metrics.cache import wait_for_stores

    wait_for_stores()


def make_writer(app: Any) -> Any:
    """Posts a one-yuan expense dated today (or the fund's last day) as its manager."""
    from fundops.extensions import db as fdb
    from fundops.metrics.asof import business_today
    from fundops.portfolio import ledger_services as ledger
    from fundops.portfolio.models import Fund
    from fundops.uow import Actor

    def write(fund_id: int) -> None:
        with app.app_context():
            fund = fdb.session.get(Fund, fund_id)
            assert fund is not None
            actor = Actor(user_id=None, organisation_id=fund.organisation_id, role="admin")
            end = fund.extension_end_on or fund.term_end_on  # inside the fund's life
            ledger.record_fund_flow(actor, fund_id, kind="expense",
                                    value_on=min(business_today(), end), amount="1.00")
            fdb.session.remove()

    return write


def refresh(app: Any, fund_ids: list[int]) -> None:
    """What the jobs process does overnight (the daily job's metrics refresh), for the
    walked funds: their quarter snapshots, today's metrics and overviews stored."""
    from fundops.extensions import db as fdb
    from fundops.metrics.asof import business_today
    from fundops.metrics.refresh import refresh_fund

    with app.app_context():
        for fund_id in fund_ids:
            t0 = time.perf_counter()
            refresh_fund(fund_id, business_today())
            fdb.session.commit()
            print(f"refreshed fund {fund_id} in {time.perf_counter() - t0:.1f} s", flush=True)
        fdb.session.remove()


def bench(db: str, args: argparse.Namespace, server_url: str | None) -> dict[str, Any]:
    params = Params().scaled(args.scale) if args.scale != 1.0 else Params()
    gen = load.Generator(params)
    if db == "sqlite":
        prepared = load.ensure_sqlite(args.workdir, params, gen, False)
    else:
        assert server_url is not None
        prepared = load.ensure_postgres(server_url, params, gen, False, args.workdir)
    url = copy_database(db, prepared.url, args.workdir)
    app = load.make_app(url)
    client = app.test_client()
    login(client)
    writer = make_writer(app)
    print(f"\n=== {db}: {url}")
    refresh(app, args.funds)
    results = {"db": db, "machine_cores": os.cpu_count(), "pages": []}
    for fund_id in args.funds:
        results["pages"] += one_fund(app, client, fund_id, writer, args.only)
    slow = [p for p in results["pages"] if max(p["cold_s"], p["warm_s"]) >= TARGET_S]
    failed = [p for p in results["pages"] if max(p["status"]) >= 500]
    print(f"{db}: {len(results['pages'])} pages, {len(slow)} at or over {TARGET_S:.0f} s, "
          f"{len(failed)} failed (HTTP 5xx)")
    for p in slow:
        print(f"   over: {p['url']} cold {p['cold_s']:.2f} s warm {p['warm_s']:.2f} s")
    with open(os.path.join(args.workdir, f"pages-{db}.json"), "w") as fh:
        json.dump(results, fh, indent=1)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--workdir", default=os.environ.get("FUNDOPS_BENCH_WORKDIR",
                                                            "/tmp/fundops-bench"))
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--funds", type=int, nargs="+", default=[1, 2],
                        help="fund ids to walk (default: the parent and one sub-fund)")
    parser.add_argument("--only", default="", help="only the pages whose URL matches")
    args = parser.parse_args(argv)
    os.makedirs(args.workdir, exist_ok=True)
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    for db in dbs:
        if db == "postgresql":
            with postgres_server(args.workdir) as server_url:
                bench(db, args, server_url)
        else:
            bench(db, args, None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
