"""Benchmark the metrics engine on a synthetic national-scale portfolio, against floors.

For each database (``--db sqlite|postgresql|both``) it builds or reuses the synthetic
portfolio of :mod:`benchmarks.synth` (1 parent fund, 200 sub-funds, 20,000 companies,
1,000,000 ledger entries over 2015–2024) and times, best of ``--runs`` after one warm-up:

(a) every fund's, LP position's (and deal's) metrics as of 2024-12-31 —
    ``portfolio_metrics(actor, as_of)`` as the guidance-fund manager, who sees all 201
    funds — against its floor (:func:`benchmarks.floors.portfolio_floor`); target ≤ 3×;
(b) the 40-quarter look-through history of the parent fund —
    ``look_through_history(actor, parent, quarter_ends)`` — against its floor
    (:func:`benchmarks.floors.lookthrough_floor`); target ≤ 3×;
(c) the parent fund's pages through Flask's test client, logged in as the guidance user:
    the fund page ``GET /funds/<id>`` and the parent-fund overview (look-through,
    leverage, policy indicators) ``GET /funds/<id>/look-through?as_of=2024-12-31``:
    median and p95 of ``--requests`` requests after one warm-up request, whose time is
    reported as "cold" (the overview is computed then and served from the
    write-counter cache afterwards); target median < 300 ms; and, reported without a
    target, ``GET /funds/<id>/performance?as_of=2024-12-31``.

Before timing, the floors' outputs are checked against fundops' (equal amounts, equal
IRRs), so a ratio compares the same work. A missed target is profiled with cProfile.
Not part of the test suite.

Run: ``/path/to/venv/bin/python benchmarks/bench_metrics.py --db both``
PostgreSQL: ``FUNDOPS_BENCH_DATABASE_URL`` (a server URL on which the database
``fundops_bench`` may be created and dropped), else a local server is started with the
machine's ``initdb``/``pg_ctl`` with its data kept under ``--workdir``.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import math
import os
import platform
import pstats
import re
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np

from benchmarks import floors, load, pgserver
from benchmarks.synth import GUIDANCE_EMAIL, GUIDANCE_PASSWORD, Params

AS_OF = date(2024, 12, 31)
TARGET_RATIO = 3.0
TARGET_PAGE_MS = 300.0
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def best_of(fn: Callable[[], object], runs: int) -> tuple[float, list[float]]:
    """One warm-up call, then ``runs`` timed calls; (best, all) in seconds."""
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), times


def interleaved(a: Callable[[], object], b: Callable[[], object],
                runs: int) -> tuple[float, float, list[float], list[float]]:
    """Best of ``runs`` for ``a`` and ``b`` run alternately (after one warm-up each), so
    that drift in machine load hits both alike."""
    a()
    b()
    ta, tb = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        a()
        ta.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        b()
        tb.append(time.perf_counter() - t0)
    return min(ta), min(tb), ta, tb


def fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms" if seconds < 10 else f"{seconds:8.2f} s "


def profile(fn: Callable[[], object], path: str, top: int) -> str:
    """cProfile one call; the report (by own time, then cumulative) and a .prof file."""
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    prof.dump_stats(path)
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.strip_dirs().sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


# --------------------------------------------------------------------------- databases


@contextlib.contextmanager
def postgres_server(workdir: str) -> Iterator[str]:
    url = os.environ.get("FUNDOPS_BENCH_DATABASE_URL")
    if url:
        yield load.normalise_url(url)
        return
    server = pgserver.start(os.path.join(workdir, "pg"))
    try:
        yield server.url
    finally:
        server.stop()


def prepare(db: str, args: argparse.Namespace, gen: load.Generator,
            server_url: str | None) -> load.Prepared:
    t0 = time.perf_counter()
    if db == "sqlite":
        prepared = load.ensure_sqlite(args.workdir, gen.params, gen, args.regenerate)
    else:
        assert server_url is not None
        prepared = load.ensure_postgres(server_url, gen.params, gen, args.regenerate,
                                        args.workdir)
    prepared.info["prepare_s"] = time.perf_counter() - t0
    return prepared


def bare_driver(db: str, url: str) -> floors.Driver:
    if db == "sqlite":
        import sqlalchemy as sa

        path = sa.make_url(url).database
        assert path is not None
        return floors.Driver(sqlite3.connect(path), "sqlite")
    import psycopg

    return floors.Driver(psycopg.connect(load.libpq(url)), "postgresql")


def server_version(db: str, driver: floors.Driver) -> str:
    if db == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    return "PostgreSQL " + str(driver.rows("SHOW server_version")[0][0])


# --------------------------------------------------------------------------- fundops side


def with_multiples(metrics: Any) -> Any:
    """Read DPI, RVPI and TVPI of every fund (net and gross) and LP position.

    fundops computes its exact Decimal multiples on access; a report or API response of
    "every fund's and LP position's metrics" reads them, so the timed call does too.
    """
    for group in (metrics.fund_net, metrics.lp_net, metrics.gross):
        for pos in group.values():
            _ = pos.dpi, pos.rvpi, pos.tvpi
    return metrics


def capture_ledger_statements(
    in_app: Callable[[Callable[[], Any]], Callable[[], Any]], actor: Any,
    portfolio_metrics: Callable[..., Any],
) -> tuple[list[floors.Statement] | None, str]:
    """The SELECTs ``fundops.metrics.frames.load_ledger`` issues for (a), captured once.

    The floor replays exactly these through the bare driver ("the same rows"), so it
    follows whatever SQL frames.py uses. Falls back to :func:`floors.plain_ledger_sql`
    when they cannot be captured (``frames._fetch`` renamed, or another shape).
    """
    from fundops.metrics import frames

    original = getattr(frames, "_fetch", None)
    if original is None:
        return None, "plain SELECTs (frames._fetch not found: could not capture fundops' SQL)"
    captured: list[floors.Statement] = []
    placeholder = "?"

    def spy(sql: str, params: Any, width: int) -> Any:
        captured.append((sql, tuple(params), width))
        return original(sql, params, width)

    frames._fetch = spy  # type: ignore[attr-defined]
    try:
        in_app(lambda: portfolio_metrics(actor, AS_OF))()
        in_app(lambda: captured.append(("", (), frames._dialect() == "sqlite")))()
    finally:
        frames._fetch = original  # type: ignore[attr-defined]
    sqlite = bool(captured.pop()[2])
    placeholder = "?" if sqlite else "%s"
    if tuple(w for _, _, w in captured) != floors.LEDGER_WIDTHS:
        return None, (f"plain SELECTs (captured {len(captured)} statements of widths "
                      f"{[w for _, _, w in captured]}, expected {floors.LEDGER_WIDTHS})")
    statements = [(sql.replace("{p}", placeholder), params, width)
                  for sql, params, width in captured]
    grouped = sum("GROUP BY" in sql.upper() for sql, _, _ in statements)
    return statements, (f"the {len(statements)} statements frames.load_ledger issued "
                        f"(captured; {grouped} aggregate with GROUP BY)")


# --------------------------------------------------------------------------- checks


def check_portfolio(metrics: Any, floor: floors.PortfolioFloor) -> str:
    """Assert that the floor computed what fundops computed; a one-line summary."""
    perspectives = {"fund_net": (metrics.fund_net, lambda k: k),
                    "lp_net": (metrics.lp_net, lambda k: divmod(k, floor.lp_modulus)),
                    "gross": (metrics.gross, lambda k: k),
                    "deals": (metrics.deals, lambda k: divmod(k, floor.deal_modulus))}
    parts = []
    for name, (engine, key_of) in perspectives.items():
        p = floor.perspectives[name]
        if len(engine) != len(p.keys):
            raise AssertionError(f"{name}: fundops has {len(engine)} keys, floor {len(p.keys)}")
        worst = 0.0
        for i, k in enumerate(p.keys.tolist()):
            pos = engine[key_of(k)]
            amounts = (int(pos.paid_in.scaleb(2)), int(pos.distributed.scaleb(2)),
                       int(pos.value.scaleb(2)))
            if amounts != (p.paid[i], p.dist[i], p.value[i]):
                raise AssertionError(f"{name} {key_of(k)}: fundops {amounts}, floor "
                                     f"{(p.paid[i], p.dist[i], p.value[i])}")
            if (pos.irr is None) != bool(np.isnan(p.irr[i])):
                raise AssertionError(f"{name} {key_of(k)}: IRR {pos.irr} vs {p.irr[i]}")
            if pos.irr is not None:
                worst = max(worst, abs(pos.irr - float(p.irr[i])))
        parts.append(f"{len(p.keys)} {name} (max |ΔIRR| {worst:.1e})")
    return "floor output equals fundops': " + ", ".join(parts)


def check_lookthrough(history: Any, floor: tuple[np.ndarray, list[str], np.ndarray]) -> str:
    totals, sectors, by_sector = floor
    engine_totals = np.array([float(p.total_exact) for p in history.points])
    if len(engine_totals) != len(totals):
        raise AssertionError("look-through: different number of dates")
    rel = float(np.max(np.abs(engine_totals - totals) / np.maximum(np.abs(engine_totals), 1.0)))
    engine_sectors = [s for s, _ in history.points[-1].by_sector]
    engine_by = np.array([[v for _, v in p.by_sector] for p in history.points]).T
    if engine_sectors != sectors:
        raise AssertionError(f"look-through sectors differ: {engine_sectors} vs {sectors}")
    rel_s = float(np.max(np.abs(engine_by - by_sector) / np.maximum(np.abs(engine_by), 1.0)))
    if rel > 1e-9 or rel_s > 1e-9:
        raise AssertionError(f"look-through differs: totals {rel:.1e}, sectors {rel_s:.1e}")
    return (f"floor output equals fundops': {len(totals)} quarter totals (max rel diff "
            f"{rel:.1e}), {len(sectors)} sectors (max rel diff {rel_s:.1e}); last total "
            f"{engine_totals[-1]:,.2f} yuan")


# --------------------------------------------------------------------------- pages


def login(client: Any) -> None:
    page = client.get("/login").get_data(as_text=True)
    match = _CSRF.search(page)
    if not match:
        raise RuntimeError("no CSRF token on /login")
    response = client.post("/login", data={"email": GUIDANCE_EMAIL, "password": GUIDANCE_PASSWORD,
                                           "csrf_token": match.group(1)})
    if response.status_code != 302:
        raise RuntimeError(f"login failed: HTTP {response.status_code}")


def time_page(client: Any, url: str, requests: int, slow_after: float = 5.0) -> dict[str, Any]:
    """Median and p95 (nearest rank) of ``requests`` GETs after one warm-up GET.

    A page whose warm-up takes longer than ``slow_after`` seconds is timed 3 times only,
    one slower than 30 s once.
    """
    t0 = time.perf_counter()
    first = client.get(url)
    warm = time.perf_counter() - t0
    if first.status_code != 200:
        return {"url": url, "error": f"HTTP {first.status_code}"}
    n = requests if warm < slow_after else (3 if warm < 30 else 1)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - t0)
        if response.status_code != 200:
            return {"url": url, "error": f"HTTP {response.status_code}"}
    ordered = sorted(times)
    return {"url": url, "n": n, "warmup_s": warm, "median_s": statistics.median(times),
            "p95_s": ordered[max(0, math.ceil(0.95 * n) - 1)], "min_s": ordered[0],
            "bytes": len(first.get_data())}


def describe_page(page: dict[str, Any]) -> str:
    if "error" in page:
        return f"GET {page['url']}: FAILED ({page['error']})"
    return (f"GET {page['url']}: median {page['median_s'] * 1000:.1f} ms, p95 "
            f"{page['p95_s'] * 1000:.1f} ms over {page['n']} requests ({page['bytes']:,} bytes)")


# --------------------------------------------------------------------------- one database


def bench_database(db: str, args: argparse.Namespace, gen: load.Generator,
                   server_url: str | None, result: dict[str, Any]) -> dict[str, Any]:
    """Build or reuse the database, run (a), (b), (c); fills ``result`` as it goes."""
    import sqlalchemy as sa

    from fundops.extensions import db as fdb
    from fundops.metrics.engine import compute
    from fundops.metrics.frames import load_ledger
    from fundops.metrics.perspectives import portfolio_metrics
    from fundops.metrics.snapshots import quarter_ends
    from fundops.portfolio.access import list_funds
    from fundops.uow import Actor

    print(f"\n=== {db} " + "=" * 70, flush=True)
    prepared = prepare(db, args, gen, server_url)
    info = prepared.info
    if prepared.reused:
        print(f"reused cached database {prepared.url} (built {info.get('built_at', '?')}: "
              f"generated in {info.get('generate_s') or 0:.1f} s, loaded in "
              f"{info.get('load_s') or 0:.1f} s)")
    else:
        print(f"built {prepared.url}: migrations {prepared.migrate_s:.1f} s, generation "
              f"{prepared.generate_s or 0:.1f} s, bulk load {prepared.load_s:.1f} s")
    counts = load.row_counts(prepared.url)
    print("rows: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    result.update({"db": db, "counts": counts, "prepare": {
        "reused": prepared.reused, "generate_s": info.get("generate_s"),
        "load_s": info.get("load_s"), "migrate_s": info.get("migrate_s"),
        "built_at": info.get("built_at")}})

    app = load.make_app(prepared.url)
    driver = bare_driver(db, prepared.url)
    result["server"] = server_version(db, driver)
    with app.app_context():
        org_id, user_id = fdb.session.execute(sa.text(
            "SELECT organisation_id, id FROM user_account WHERE email = :e"),
            {"e": GUIDANCE_EMAIL}).one()
        parent_id = int(fdb.session.execute(sa.text(
            "SELECT min(id) FROM fund WHERE kind = 'parent_fund'")).scalar_one())
        fdb.session.remove()
    actor = Actor(user_id=user_id, organisation_id=org_id, role="admin")
    dates = quarter_ends(date(2015, 1, 1), AS_OF)
    assert len(dates) == 40, dates

    def in_app(fn: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            with app.app_context():
                try:
                    return fn()
                finally:
                    fdb.session.remove()
        return run

    statements, how = capture_ledger_statements(in_app, actor, portfolio_metrics)
    print(f"floor (a) SELECTs: {how}")

    def floor_a() -> Any:
        try:
            return floors.portfolio_floor(driver, org_id, AS_OF, statements)
        finally:
            driver.conn.rollback()

    def floor_b() -> Any:
        try:
            return floors.lookthrough_floor(driver, parent_id, dates)
        finally:
            driver.conn.rollback()

    def engine_a() -> Any:
        return in_app(lambda: with_multiples(portfolio_metrics(actor, AS_OF)))()

    # (a) -----------------------------------------------------------------
    print(check_portfolio(engine_a(), floor_a()), flush=True)
    fa, fl, fa_all, fl_all = interleaved(engine_a, floor_a, args.runs)
    ratio_a = fa / fl
    print(f"(a) portfolio metrics as of {AS_OF}: fundops {fmt_s(fa)}  floor {fmt_s(fl)}  "
          f"ratio {ratio_a:.2f}x (target <= {TARGET_RATIO:.0f}x)", flush=True)
    held: dict[str, Any] = {}

    def stage_load() -> None:
        held["ledger"] = load_ledger(AS_OF, [f.id for f in list_funds(actor)])

    load_s, _ = best_of(in_app(stage_load), args.runs)
    compute_s, _ = best_of(lambda: with_multiples(compute(held["ledger"])), args.runs)
    ids = floors.visible_fund_ids(driver, org_id)
    plain = floors.plain_ledger_sql(driver, AS_OF, ids)

    def floor_fetch(which: list[floors.Statement]) -> Callable[[], Any]:
        def run() -> Any:
            try:
                floors.visible_fund_ids(driver, org_id)
                held["arrays"] = floors.fetch_ledger(driver, which)
                return held["arrays"]
            finally:
                driver.conn.rollback()
        return run

    ffetch_s, _ = best_of(floor_fetch(statements or plain), args.runs)
    arrays = held["arrays"]
    fcompute_s, _ = best_of(lambda: floors.compute_portfolio(arrays, AS_OF), args.runs)
    rows = {"flows": len(arrays.flows), "allocations": len(arrays.allocations),
            "holding_valuations": len(arrays.holdings)}
    print(f"    stages: fundops list_funds+load_ledger {fmt_s(load_s)} + compute(+multiples) "
          f"{fmt_s(compute_s)};  floor fetch {fmt_s(ffetch_s)} + numpy {fmt_s(fcompute_s)}; "
          f"rows fetched: " + ", ".join(f"{k} {v:,}" for k, v in rows.items()))
    stages = {"fundops_load_s": load_s, "fundops_compute_s": compute_s,
              "floor_fetch_s": ffetch_s, "floor_compute_s": fcompute_s}
    if statements and [x[0] for x in statements] != [x[0] for x in plain]:
        plain_s, _ = best_of(floor_fetch(plain), args.runs)
        stages["floor_fetch_plain_selects_s"] = plain_s
        print(f"    (for reference: the same fetch with one row per entry, no GROUP BY: "
              f"{fmt_s(plain_s)}, {len(held['arrays'].flows):,} flow rows)")
    result["a"] = {"fundops_s": fa, "floor_s": fl, "ratio": ratio_a, "fundops_runs": fa_all,
                   "floor_runs": fl_all, "stages": stages, "rows": rows,
                   "floor_selects": how}

    # (b) -----------------------------------------------------------------
    try:
        from fundops.calc.lookthrough import compute_look_through_history
        from fundops.metrics.lookthrough import load_look_through_inputs, look_through_history
    except ImportError as exc:
        print(f"(b) skipped: {exc}")
    else:
        def engine_b() -> Any:
            return in_app(lambda: look_through_history(actor, parent_id, dates))()

        print(check_lookthrough(engine_b(), floor_b()), flush=True)
        fb, flb, fb_all, flb_all = interleaved(engine_b, floor_b, args.runs)
        ratio_b = fb / flb
        print(f"(b) 40-quarter look-through history of fund {parent_id}: fundops {fmt_s(fb)}  "
              f"floor {fmt_s(flb)}  ratio {ratio_b:.2f}x (target <= {TARGET_RATIO:.0f}x)",
              flush=True)

        def stage_inputs() -> None:
            held["inputs"] = load_look_through_inputs(parent_id, dates[-1])

        def floor_inputs() -> None:
            try:
                held["lt"] = floors.fetch_lookthrough(driver, parent_id, dates[-1])
            finally:
                driver.conn.rollback()

        lt_load, _ = best_of(in_app(stage_inputs), args.runs)
        lt_compute, _ = best_of(lambda: compute_look_through_history(
            held["inputs"], dates, "paid_in", "fair_value"), args.runs)
        lt_ffetch, _ = best_of(floor_inputs, args.runs)
        lt_fcompute, _ = best_of(lambda: floors.compute_lookthrough(held["lt"], dates),
                                 args.runs)
        print(f"    stages: fundops load_look_through_inputs {fmt_s(lt_load)} + "
              f"compute_look_through_history {fmt_s(lt_compute)};  floor fetch "
              f"{fmt_s(lt_ffetch)} + numpy {fmt_s(lt_fcompute)}")
        result["b"] = {"fundops_s": fb, "floor_s": flb, "ratio": ratio_b,
                       "fundops_runs": fb_all, "floor_runs": flb_all,
                       "stages": {"fundops_load_s": lt_load, "fundops_compute_s": lt_compute,
                                  "floor_fetch_s": lt_ffetch, "floor_compute_s": lt_fcompute}}

    # (c) -----------------------------------------------------------------
    client = app.test_client()
    login(client)
    page = time_page(client, f"/funds/{parent_id}", args.requests)
    print(f"(c) {describe_page(page)}; target < {TARGET_PAGE_MS:.0f} ms", flush=True)
    result["c"] = page
    overview = time_page(client, f"/funds/{parent_id}/look-through?as_of={AS_OF}", args.requests)
    print(f"(c) {describe_page(overview)}; target < {TARGET_PAGE_MS:.0f} ms; cold "
          f"{overview.get('warmup_s', 0) * 1000:.0f} ms", flush=True)
    result["c_overview"] = overview
    if "metrics.fund_performance" in app.view_functions:
        perf = time_page(client, f"/funds/{parent_id}/performance?as_of={AS_OF}", args.requests)
        print(f"    {describe_page(perf)}; no target", flush=True)
        result["performance_page"] = perf

    # profiles of missed targets -------------------------------------------
    profiles: dict[str, Callable[[], object]] = {}
    if args.profile or ratio_a > TARGET_RATIO:
        profiles["a"] = engine_a
    if "b" in result and (args.profile or result["b"]["ratio"] > TARGET_RATIO):
        profiles["b"] = in_app(lambda: look_through_history(actor, parent_id, dates))
    if "error" not in page and (args.profile or page["median_s"] * 1000 >= TARGET_PAGE_MS):
        profiles["c"] = lambda: client.get(f"/funds/{parent_id}")
    for name, fn in profiles.items():
        path = os.path.join(args.workdir, f"profile-{name}-{db}.prof")
        print(f"\n--- cProfile of ({name}) on {db} (saved to {path}) ---")
        print(profile(fn, path, args.top))
    driver.conn.close()
    return result


# --------------------------------------------------------------------------- report

MEASURED_FILES = (
    "fundops/metrics/frames.py", "fundops/metrics/engine.py", "fundops/metrics/perspectives.py",
    "fundops/metrics/lookthrough.py", "fundops/metrics/views.py", "fundops/metrics/parent.py",
    "fundops/metrics/leverage.py", "fundops/metrics/policy.py", "fundops/calc/lookthrough.py",
    "fundops/calc/returns.py", "fundops/calc/multiples.py", "fundops/portfolio/views.py",
    "fundops/portfolio/queries.py", "fundops/i18n.py",
    "fundops/templates/portfolio/fund_detail.html",
    "fundops/templates/metrics/fund_performance.html",
)


def code_versions() -> dict[str, str]:
    """sha256 (first 12 hex digits) of the fundops files the benchmarks exercise."""
    import hashlib

    root = load.repo_root()
    out = {}
    for name in MEASURED_FILES:
        path = os.path.join(root, name)
        if os.path.exists(path):
            with open(path, "rb") as fh:
                out[name] = hashlib.sha256(fh.read()).hexdigest()[:12]
    return out



def machine_facts(servers: list[str]) -> list[str]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    import psycopg

    mem = ""
    with contextlib.suppress(OSError), open("/proc/meminfo") as fh:
        mem = f", {int(fh.readline().split()[1]) / 2**20:.0f} GiB RAM"
    versions = (f"Python {platform.python_version()} ({platform.python_implementation()}), "
                f"numpy {np.__version__}, psycopg {psycopg.__version__}, "
                f"sqlite3 library {sqlite3.sqlite_version}")
    return [f"CPU: {cpu}, {os.cpu_count()} logical cores ({usable} usable){mem}", versions,
            *servers, f"OS: {platform.platform()}"]


def _page_lines(db: str, c: dict[str, Any] | None) -> list[str]:
    if c is None:
        return []
    if "error" in c:
        return [f"{db:<11} {'(c) GET ' + c['url']:<44} {'FAILED':>11}  {c['error']}"]
    url = c["url"].split("?")[0]
    return [
        (
            f"{db:<11} {'(c) GET ' + url + ' median':<44} "
            f"{c['median_s'] * 1000:>8.1f} ms {'':>11} {'':>7} {'< 300 ms':>9}  "
            f"{'yes' if c['median_s'] * 1000 < TARGET_PAGE_MS else 'NO'}"
        ),
        (
            f"{'':<11} {'    p95 (n=' + str(c['n']) + '), cold (1st request)':<44} "
            f"{c['p95_s'] * 1000:>8.1f} ms {c['warmup_s'] * 1000:>8.0f} ms"
        ),
    ]


def summary(results: list[dict[str, Any]]) -> str:
    header = (f"{'database':<11} {'benchmark':<44} {'fundops':>11} {'floor':>11} "
              f"{'ratio':>7} {'target':>9}  met")
    lines = [header]
    for r in results:
        db = r["db"]
        for key, label in (("a", "(a) all funds + LP positions @2024-12-31"),
                           ("b", "(b) parent look-through, 40 quarters")):
            if key in r:
                x = r[key]
                lines.append(f"{db:<11} {label:<44} {fmt_s(x['fundops_s']):>11} "
                             f"{fmt_s(x['floor_s']):>11} {x['ratio']:>6.2f}x "
                             f"{'<= 3x':>9}  {'yes' if x['ratio'] <= TARGET_RATIO else 'NO'}")
        for key in ("c", "c_overview"):
            lines.extend(_page_lines(db, r.get(key)))
        p = r.get("performance_page")
        if p is not None and "error" in p:
            lines.append(f"{db:<11} {'    GET …/performance':<44} {'FAILED':>11}  {p['error']}")
        elif p is not None:
            lines.append(f"{db:<11} {'    GET …/performance median':<44} "
                         f"{p['median_s'] * 1000:>8.1f} ms {'':>11} {'':>7} {'none':>9}  -"
                         f"   (p95 {p['p95_s'] * 1000:.1f} ms, n={p['n']})")
        if r.get("error"):
            lines.append(f"{db:<11} ERROR: {r['error']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--runs", type=int, default=5, help="timed runs (best is kept)")
    parser.add_argument("--requests", type=int, default=20, help="page requests for (c)")
    parser.add_argument("--workdir", default=os.environ.get("FUNDOPS_BENCH_WORKDIR",
                                                            "/tmp/fundops-bench"))
    parser.add_argument("--regenerate", action="store_true",
                        help="rebuild the cached databases")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="shrink the portfolio (e.g. 0.1 for a smoke run; not the benchmark)")
    parser.add_argument("--profile", action="store_true",
                        help="profile (a), (b) and (c) even when they meet their targets")
    parser.add_argument("--top", type=int, default=25, help="functions per profile listing")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    os.makedirs(args.workdir, exist_ok=True)
    params = Params().scaled(args.scale)
    print(f"synthetic portfolio {params.signature()}; workdir {args.workdir}", flush=True)
    import importlib

    for module in ("fundops.metrics.perspectives", "fundops.portfolio.views",
                   "fundops.metrics.lookthrough", "fundops.metrics.views"):
        with contextlib.suppress(ImportError):  # import the measured code before hashing it
            importlib.import_module(module)
    versions = code_versions()
    gen = load.Generator(params)
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = []
    with contextlib.ExitStack() as stack:
        server_url = (stack.enter_context(postgres_server(args.workdir))
                      if "postgresql" in dbs else None)
        for db in dbs:
            partial: dict[str, Any] = {"db": db, "server": db}
            try:
                results.append(bench_database(db, args, gen, server_url, partial))
            except Exception as exc:  # noqa: BLE001 - keep the other database's numbers
                import traceback

                traceback.print_exc()
                partial["error"] = f"{type(exc).__name__}: {exc}"
                results.append(partial)
    facts = machine_facts([r["server"] for r in results])
    print("\n=== summary " + "=" * 66)
    print(summary(results))
    print("\n" + "\n".join(facts))
    print("fundops files measured (sha256): "
          + ", ".join(f"{k.removeprefix('fundops/')} {v}" for k, v in versions.items()))
    changed = [k for k, v in code_versions().items() if versions.get(k) != v]
    if changed:
        print("WARNING: changed during the run (modules were imported at the start; "
              "templates may have been re-read): " + ", ".join(changed))
    out = {"params": params.signature(), "as_of": AS_OF.isoformat(), "runs": args.runs,
           "machine": facts, "results": results, "code_versions": versions,
           "measured_at": time.strftime("%Y-%m-%d %H:%M:%S %Z")}
    path = args.json or os.path.join(args.workdir, f"results-{args.db}.json")
    with open(path, "w") as fh:
        json.dump(out, fh, indent=1, default=str)
    print(f"results written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
