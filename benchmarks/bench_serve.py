"""Load test: N people at work at once on the benchmark portfolio, the app under gunicorn.

For each database (``--db sqlite|postgresql|both``) it builds or reuses the synthetic
portfolio of :mod:`benchmarks.synth` (as bench_metrics does), and then:

1. serves a *copy*, never the cached database: SQLite's file is copied with SQLite's
   backup API to ``<workdir>/serve-run.sqlite3``; PostgreSQL's database is cloned with
   ``CREATE DATABASE <name>_serve TEMPLATE <name>``. The copy is removed at the end
   (``--keep`` keeps it);
2. adds ``--users`` accounts to the guidance fund manager's organisation with one known
   password (bare driver; the password hash is computed once), so that each simulated
   person logs in as itself;
3. starts ``gunicorn -c gunicorn.conf.py`` on a free loopback port (``--workers``,
   ``--threads``; defaults from gunicorn.conf.py), production configuration from
   ``FUNDOPS_*`` variables (except ``SESSION_COOKIE_SECURE=false``: the load runs over
   plain HTTP), waits until it answers, and stops it at the end, also on Ctrl-C; its log
   goes to ``<workdir>/serve-<db>-gunicorn.log``;
4. logs every person in, optionally (``--warm``) requests every distinct page of the mix
   once (those times are the cold times, reported apart), then runs the people as
   threads for ``--duration`` seconds: pick a page of the mix (``--mix``), GET it, pause
   uniform ``--think`` seconds. A non-200 answer or none within ``--timeout`` is an error;
5. prints per page and overall: requests, pages/s, p50, p90, p99, max, errors (with the
   first error's text), the median answer size; the machine, the load average and the
   gunicorn settings; and writes everything to ``<workdir>/serve-<db>.json``.

The people run on the same machine as the server (their client is light: ``http.client``)
and so does anything else running there: the load average before and after is printed.

Run: ``/path/to/venv/bin/python benchmarks/bench_serve.py --db sqlite [--users 50]
[--duration 120] [--warm]``. Needs gunicorn (``pip install '.[serve]'``). PostgreSQL: as
bench_metrics (``FUNDOPS_BENCH_DATABASE_URL``, else a local server under ``--workdir``).
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import importlib.util
import json
import os
import runpy
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from types import FrameType
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import sqlalchemy as sa

from benchmarks import load, loadclient
from benchmarks.bench_metrics import machine_facts, postgres_server, prepare
from benchmarks.synth import GUIDANCE_EMAIL, RECORDED_AT, Params
from tests.pgserver import free_port

SERVE_PASSWORD = "serve-password-2024"  # the simulated people's synthetic accounts
SERVE_EMAIL = "serve-{:03d}@bench.fundops.test"
ROOT = load.repo_root()
GUNICORN_CONF = os.path.join(ROOT, "gunicorn.conf.py")


# --------------------------------------------------------------------------- databases


def check_cache(db: str, params: Params, args: argparse.Namespace,
                server_url: str | None) -> None:
    """Refuse to rebuild a cached portfolio built for another schema unless
    ``--regenerate`` says so (other benchmarks may be using it)."""
    if args.regenerate:
        return
    if db == "sqlite":
        meta = os.path.join(args.workdir, f"bench-{params.signature()}.sqlite3.json")
        if not os.path.exists(meta):
            return
        with open(meta) as fh:
            found = json.load(fh).get("signature")
    else:
        assert server_url is not None
        name = (load.PG_DATABASE if params == Params()
                else f"{load.PG_DATABASE}_e{params.entries}")
        found = load._pg_comment(server_url, name)
        if found is None:
            return
    if found != load.signature(params):
        raise SystemExit(f"{db}: the cached portfolio was built as {found!r}, this checkout "
                         f"needs {load.signature(params)!r}; pass --regenerate to rebuild it")


def run_copy(db: str, prepared: load.Prepared, args: argparse.Namespace,
             server_url: str | None) -> str:
    """A copy of the prepared database for the app to write into; its URL."""
    if db == "sqlite":
        source = sa.make_url(prepared.url).database
        assert source is not None
        target = os.path.join(args.workdir, "serve-run.sqlite3")
        drop_copy(db, f"sqlite:///{target}", server_url)
        src, dst = sqlite3.connect(source), sqlite3.connect(target)
        try:
            src.backup(dst)  # reads through SQLite: consistent, the source unchanged
        finally:
            src.close()
            dst.close()
        return f"sqlite:///{target}"
    import psycopg

    assert server_url is not None
    template = sa.make_url(prepared.url).database
    name = f"{template}_serve"
    drop_copy(db, sa.make_url(server_url).set(database=name).render_as_string(False),
              server_url)
    with psycopg.connect(load.libpq(server_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_copy(db: str, url: str, server_url: str | None) -> None:
    if db == "sqlite":
        path = sa.make_url(url).database
        assert path is not None
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(path + suffix)
        return
    import psycopg

    assert server_url is not None
    with psycopg.connect(load.libpq(server_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{sa.make_url(url).database}" WITH (FORCE)')


def connect(db: str, url: str) -> Any:
    """A bare DB-API connection and its placeholder."""
    if db == "sqlite":
        path = sa.make_url(url).database
        assert path is not None
        return sqlite3.connect(path)
    import psycopg

    conn = psycopg.connect(load.libpq(url))
    conn.execute("SET TIME ZONE 'UTC'")
    return conn


def portfolio_and_users(db: str, url: str, users: int) -> tuple[int, list[int], list[str]]:
    """The parent fund, its sub-funds, and ``users`` new accounts (role admin, like the
    benchmark's guidance user) in the guidance user's organisation: their emails."""
    from werkzeug.security import generate_password_hash

    p = "?" if db == "sqlite" else "%s"
    conn = connect(db, url)
    try:
        cur = conn.cursor()
        cur.execute(f"SELECT organisation_id FROM user_account WHERE email = {p}",
                    (GUIDANCE_EMAIL,))
        org = int(cur.fetchone()[0])
        cur.execute("SELECT min(id) FROM fund WHERE kind = 'parent_fund'")
        parent = int(cur.fetchone()[0])
        cur.execute(f"SELECT id FROM fund WHERE id <> {p} ORDER BY id", (parent,))
        subs = [int(r[0]) for r in cur.fetchall()]
        password_hash = generate_password_hash(SERVE_PASSWORD)
        emails = [SERVE_EMAIL.format(i) for i in range(1, users + 1)]
        cur.executemany(
            "INSERT INTO user_account (organisation_id, email, display_name, password_hash, "
            "role, locale, is_active_flag, session_version, created_at) "
            f"VALUES ({', '.join([p] * 9)})",
            [(org, e, f"压测用户 {i:03d}", password_hash, "admin", "zh_CN", True, 1,
              RECORDED_AT) for i, e in enumerate(emails, 1)])
        conn.commit()
    finally:
        conn.close()
    return parent, subs, emails


# --------------------------------------------------------------------------- gunicorn


def gunicorn_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The settings of gunicorn.conf.py, with ``--workers`` / ``--threads`` applied."""
    conf = runpy.run_path(GUNICORN_CONF)
    keys = ("worker_class", "workers", "threads", "keepalive", "timeout", "graceful_timeout",
            "max_requests", "max_requests_jitter")
    settings = {k: conf.get(k) for k in keys}
    settings["workers"] = args.workers or settings["workers"]
    settings["threads"] = args.threads or settings["threads"]
    return settings


@contextlib.contextmanager
def gunicorn(url: str, settings: dict[str, Any], log_path: str) -> Iterator[int]:
    """gunicorn serving ``url`` on a free loopback port until the block ends."""
    port = free_port()
    env = dict(os.environ)
    env.update({
        "FUNDOPS_DATABASE_URL": url, "FUNDOPS_SECRET_KEY": uuid.uuid4().hex * 2,
        "FUNDOPS_ENV_NAME": "production", "FUNDOPS_SESSION_COOKIE_SECURE": "false",
        "FUNDOPS_REMEMBER_COOKIE_SECURE": "false",
        "PYTHONPATH": os.pathsep.join(filter(None, [ROOT, env.get("PYTHONPATH")])),
    })
    cmd = [sys.executable, "-m", "gunicorn", "-c", GUNICORN_CONF,
           "--bind", f"127.0.0.1:{port}", "--workers", str(settings["workers"]),
           "--threads", str(settings["threads"])]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)  # Ctrl-C reaches us, not it
        try:
            wait_until_up(proc, port, log_path)
            yield port
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=int(settings["graceful_timeout"] or 30) + 10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_until_up(proc: subprocess.Popen[bytes], port: int, log_path: str,
                  limit: float = 180.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            with open(log_path) as fh:
                raise RuntimeError(f"gunicorn exited ({proc.returncode}):\n{fh.read()[-3000:]}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn.request("GET", "/login")
            if conn.getresponse().status == 200:
                conn.close()
                return
        conn.close()
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer within {limit:.0f} s (see {log_path})")


def log_counts(log_path: str) -> dict[str, int]:
    """Worker timeouts and (re)boots in gunicorn's log."""
    with open(log_path, errors="replace") as fh:
        text = fh.read()
    return {"worker_timeouts": text.count("WORKER TIMEOUT"),
            "worker_boots": text.count("Booting worker"),
            "app_errors": text.count('"level": "ERROR"')}


# --------------------------------------------------------------------------- one database


def log_in_all(port: int, emails: list[str], timeout: float) -> tuple[list[loadclient.Client],
                                                                         list[float]]:
    clients = [loadclient.Client(port, timeout) for _ in emails]
    with ThreadPoolExecutor(max_workers=8) as pool:
        times = list(pool.map(lambda ce: ce[0].log_in(ce[1], SERVE_PASSWORD),
                              zip(clients, emails, strict=True)))
    return clients, times


def warm_up(client: loadclient.Client, mix: loadclient.PageMix) -> dict[str, Any]:
    """One GET per distinct page, in order; per label the first (cold) time, the median
    and the maximum (seconds)."""
    samples = [client.fetch(label, url, time.perf_counter()) for label, url in mix.distinct()]
    out: dict[str, Any] = {}
    for label in mix.weights:
        mine = [s for s in samples if s.label == label]
        times = sorted(s.seconds for s in mine)
        errors = [s for s in mine if s.error]
        out[label] = {"pages": len(mine), "first_s": mine[0].seconds,
                      "median_s": times[len(times) // 2], "max_s": times[-1],
                      "errors": len(errors),
                      "first_error": f"{errors[0].url}: {errors[0].error}" if errors else None}
    return out


def serve_database(db: str, args: argparse.Namespace, gen: load.Generator,
                   server_url: str | None) -> dict[str, Any]:
    print(f"\n=== {db} " + "=" * 70, flush=True)
    check_cache(db, gen.params, args, server_url)
    prepared = prepare(db, args, gen, server_url)
    print(f"portfolio: {prepared.url} ({'reused' if prepared.reused else 'built'})", flush=True)
    t0 = time.perf_counter()
    url = run_copy(db, prepared, args, server_url)
    parent, subs, emails = portfolio_and_users(db, url, args.users)
    print(f"run copy {url} with {len(emails)} users in {time.perf_counter() - t0:.1f} s; "
          f"parent fund {parent}, {len(subs)} sub-funds", flush=True)
    mix = loadclient.PageMix(args.mix, parent, subs)
    settings = gunicorn_settings(args)
    log_path = os.path.join(args.workdir, f"serve-{db}-gunicorn.log")
    result: dict[str, Any] = {"db": db, "portfolio": gen.params.signature(), "users": args.users,
                              "duration_s": args.duration, "think_s": args.think,
                              "timeout_s": args.timeout, "mix": args.mix,
                              "gunicorn": settings, "gunicorn_log": log_path}
    try:
        with gunicorn(url, settings, log_path) as port:
            t0 = time.perf_counter()
            print(f"gunicorn up on 127.0.0.1:{port}: {settings['workers']} workers × "
                  f"{settings['threads']} threads ({settings['worker_class']}); logging in "
                  f"{len(emails)} people", flush=True)
            clients, login_times = log_in_all(port, emails, args.timeout)
            result["login"] = {"median_s": sorted(login_times)[len(login_times) // 2],
                               "max_s": max(login_times)}
            if args.warm:
                print(f"warm-up: {len(mix.distinct())} distinct pages, one request each",
                      flush=True)
                result["warm"] = warm_up(clients[0], mix)
            result["load_avg_before"] = os.getloadavg()
            print(f"running {len(clients)} people for {args.duration:.0f} s (load average "
                  f"{' '.join(f'{x:.2f}' for x in result['load_avg_before'])})", flush=True)
            samples, elapsed = loadclient.run_users(clients, mix, args.duration, args.think,
                                                    args.seed, threading.Event())
            result["load_avg_after"] = os.getloadavg()
            for client in clients:
                client.close()
        result["elapsed_s"] = elapsed
        result["stats"] = loadclient.by_label(samples, list(mix.weights), elapsed)
        result["gunicorn_log_counts"] = log_counts(log_path)
        result["samples"] = [s.__dict__ for s in samples]
    finally:
        if not args.keep:
            drop_copy(db, url, server_url)
    return result


# --------------------------------------------------------------------------- report


def report(result: dict[str, Any], facts: list[str]) -> str:
    g = result["gunicorn"]
    lines = [(f"--- {result['db']}: {result['users']} people, {result['duration_s']:.0f} s, "
              f"think {result['think_s'][0]:g}–{result['think_s'][1]:g} s, timeout "
              f"{result['timeout_s']:g} s; portfolio {result['portfolio']}"),
             f"gunicorn: {g['workers']} workers × {g['threads']} threads ({g['worker_class']}), "
             f"keepalive {g['keepalive']} s, timeout {g['timeout']} s, max_requests "
             f"{g['max_requests']} ± {g['max_requests_jitter']}; log {result['gunicorn_log']}: "
             + ", ".join(f"{k} {v}" for k, v in result.get("gunicorn_log_counts", {}).items()),
             f"mix: {result['mix']}"]
    if "login" in result:
        lines.append(f"log-in (POST): median {result['login']['median_s'] * 1000:.0f} ms, max "
                     f"{result['login']['max_s'] * 1000:.0f} ms")
    for label, w in (result.get("warm") or {}).items():
        lines.append(f"warm-up {label:<20} {w['pages']:>4} pages: first (cold) "
                     f"{w['first_s'] * 1000:.0f} ms, median {w['median_s'] * 1000:.0f} ms, "
                     f"max {w['max_s'] * 1000:.0f} ms, errors {w['errors']}"
                     + (f" ({w['first_error']})" if w["first_error"] else ""))
    if "stats" in result:
        lines.append(f"timed phase: {result['elapsed_s']:.1f} s to the last answer; times over "
                     "every request, errors at the time they took")
        lines.append(loadclient.table(result["stats"]))
    lines.append("load average before/after: "
                 + " / ".join(" ".join(f"{x:.2f}" for x in result.get(k, ()))
                              for k in ("load_avg_before", "load_avg_after"))
                 + " (the people, and anything else on the machine, share its cores)")
    lines.extend(facts)
    return "\n".join(lines)


def parse_think(text: str) -> tuple[float, float]:
    low, _, high = text.partition(",")
    pair = (float(low), float(high or low))
    if not 0 <= pair[0] <= pair[1]:
        raise argparse.ArgumentTypeError("--think LOW,HIGH with 0 <= LOW <= HIGH")
    return pair


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="shrink the portfolio (e.g. 0.05 for a smoke run)")
    parser.add_argument("--workdir", default=os.environ.get("FUNDOPS_BENCH_WORKDIR",
                                                            "/tmp/fundops-bench"))
    parser.add_argument("--regenerate", action="store_true", help="rebuild the cached portfolio")
    parser.add_argument("--users", type=int, default=50, help="simulated people")
    parser.add_argument("--duration", type=float, default=120.0, help="timed seconds")
    parser.add_argument("--think", type=parse_think, default=(1.0, 3.0),
                        help="pause between pages, uniform LOW,HIGH seconds (default 1,3)")
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="seconds without an answer that make a request an error")
    parser.add_argument("--mix", type=loadclient.parse_mix,
                        default=loadclient.parse_mix(loadclient.DEFAULT_MIX),
                        help=f"page weights (default {loadclient.DEFAULT_MIX})")
    parser.add_argument("--workers", type=int, default=0, help="default: gunicorn.conf.py")
    parser.add_argument("--threads", type=int, default=0, help="default: gunicorn.conf.py")
    parser.add_argument("--warm", action="store_true",
                        help="request every distinct page once before timing (cold times)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the run copy of the database")
    args = parser.parse_args(argv)
    if importlib.util.find_spec("gunicorn") is None:
        raise SystemExit("gunicorn is not installed: pip install '.[serve]'")
    os.makedirs(args.workdir, exist_ok=True)

    def stop_on_term(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt  # unwinds through the finally blocks: gunicorn is stopped

    signal.signal(signal.SIGTERM, stop_on_term)
    signal.signal(signal.SIGINT, stop_on_term)  # also when started in the background
    params = Params().scaled(args.scale)
    print(f"synthetic portfolio {params.signature()}; workdir {args.workdir}", flush=True)
    gen = load.Generator(params)
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    try:
        return 1 if run(dbs, args, gen) else 0
    except KeyboardInterrupt:
        print("\ninterrupted: gunicorn stopped", flush=True)
        return 130


def run(dbs: list[str], args: argparse.Namespace, gen: load.Generator) -> bool:
    """Every database in turn; True when a run had an error."""
    failed = False
    with contextlib.ExitStack() as stack:
        server_url = (stack.enter_context(postgres_server(args.workdir))
                      if "postgresql" in dbs else None)
        for db in dbs:
            result = serve_database(db, args, gen, server_url)
            server = f"SQLite {sqlite3.sqlite_version}"
            if db == "postgresql" and server_url:
                conn = connect(db, server_url)
                server = "PostgreSQL " + conn.execute("SHOW server_version").fetchone()[0]
                conn.close()
            facts = machine_facts([server])
            result["machine"] = facts
            result["measured_at"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
            print("\n" + report(result, facts), flush=True)
            path = os.path.join(args.workdir, f"serve-{db}.json")
            with open(path, "w") as fh:
                json.dump(result, fh, indent=1, default=str)
            print(f"results written to {path}", flush=True)
            failed = failed or result["stats"]["overall"]["errors"] > 0
    return failed


if __name__ == "__main__":
    raise SystemExit(main())
