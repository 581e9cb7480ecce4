"""A local PostgreSQL server for the benchmarks whose data directory survives between runs.

Like ``tests/pgserver.py`` it runs the machine's ``initdb`` / ``pg_ctl`` (as the
``postgres`` system user when started as root, since PostgreSQL refuses root) on a free
loopback port with trust authentication for the ``fundops`` superuser, but the data
directory lives under the benchmark work directory so that the generated database is
reused by the next run. The server is stopped at the end of a run; its data is kept.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
from dataclasses import dataclass


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL binaries, or the server would not start."""


def find_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if not candidates:
        raise PostgresUnavailable(f"{name} not found: install PostgreSQL or set "
                                  "FUNDOPS_BENCH_DATABASE_URL")
    return candidates[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class BenchServer:
    """A server started by :func:`start`; ``url`` is its maintenance database."""

    datadir: str
    port: int
    as_user: list[str]

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://fundops@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        subprocess.run([*self.as_user, find_bin("pg_ctl"), "-D", self.datadir, "-m", "fast",
                        "-w", "stop"], capture_output=True, check=False)


# Benchmark settings: durability off (a throwaway database), enough memory for the
# ledger tables to be cached as a production server would have them.
SERVER_OPTIONS = ("-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                  "-c shared_buffers=1GB -c work_mem=64MB -c maintenance_work_mem=512MB "
                  "-c max_wal_size=4GB -c jit=off")


def start(base: str) -> BenchServer:
    """Start (after ``initdb`` on first use) a server with its data in ``base/data``."""
    initdb, pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
    os.makedirs(base, exist_ok=True)
    datadir = os.path.join(base, "data")
    as_user: list[str] = []
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        if runuser is None:
            raise PostgresUnavailable("running as root but runuser is missing")
        subprocess.run(["chown", "-R", "postgres:postgres", base], check=True)
        as_user = [runuser, "-u", "postgres", "--"]
    if not os.path.exists(os.path.join(datadir, "PG_VERSION")):
        init = subprocess.run(
            [*as_user, initdb, "-D", datadir, "-U", "fundops", "-A", "trust", "-E", "UTF8",
             "--locale=C", "--no-sync"], capture_output=True, text=True, check=False)
        if init.returncode != 0:
            raise PostgresUnavailable(f"initdb failed: {init.stderr.strip()}")
    # A server left running by an interrupted run holds the data directory: stop it.
    if os.path.exists(os.path.join(datadir, "postmaster.pid")):
        subprocess.run([*as_user, pg_ctl, "-D", datadir, "-m", "fast", "-w", "stop"],
                       capture_output=True, check=False)
    port = _free_port()
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 {SERVER_OPTIONS}"
    log = os.path.join(base, "server.log")
    started = subprocess.run([*as_user, pg_ctl, "-D", datadir, "-o", options, "-l", log, "-w",
                              "-t", "120", "start"], capture_output=True, text=True, check=False)
    if started.returncode != 0:
        tail = ""
        if os.path.exists(log):
            with open(log) as fh:
                tail = fh.read()[-2000:]
        raise PostgresUnavailable(f"pg_ctl start failed: {started.stderr.strip()} {tail}")
    return BenchServer(datadir=datadir, port=port, as_user=as_user)
