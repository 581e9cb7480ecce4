"""A local PostgreSQL server for the benchmarks whose data directory survives between runs.

It shares ``tests/pgserver.py``'s helpers and, like it, runs the machine's ``initdb`` /
``pg_ctl`` (as the ``postgres`` system user when started as root, since PostgreSQL refuses
root) on a free loopback port with trust authentication for the ``fundops`` superuser, but
the data
directory lives under the benchmark work directory so that the generated database is
reused by the next run. The server is stopped at the end of a run; its data is kept.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass

from tests.pgserver import PostgresUnavailable, find_bin, free_port, postgres_user_prefix


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
    as_user = postgres_user_prefix(base)
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
    port = free_port()
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
