"""A throwaway PostgreSQL server for the test session, started with the machine's pg_ctl."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass


class PostgresUnavailable(RuntimeError):
    """PostgreSQL could not be started; the suite fails rather than skipping."""


def find_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if candidates:
        return candidates[0]
    raise PostgresUnavailable(
        f"{name} not found: install PostgreSQL (Debian: apt-get install postgresql) "
        "or set FUNDOPS_TEST_DATABASE_URL"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    """A running server; ``url`` points at its ``postgres`` database."""

    datadir: str
    port: int
    as_user: list[str]

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://fundops@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        subprocess.run([*self.as_user, find_bin("pg_ctl"), "-D", self.datadir, "-m", "immediate",
                        "stop"], capture_output=True, check=False)
        shutil.rmtree(os.path.dirname(self.datadir), ignore_errors=True)


def postgres_user_prefix(base: str) -> list[str]:
    """Command prefix running PostgreSQL tools as ``postgres`` when we are root (PostgreSQL
    refuses root); also hands ``base`` to that user. Empty when not root."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser is None:
        raise PostgresUnavailable("running as root but runuser is missing")
    subprocess.run(["chown", "-R", "postgres:postgres", base], check=True)
    return [runuser, "-u", "postgres", "--"]


def start_postgres() -> PostgresServer:
    """initdb into a temporary folder and start a server on a free loopback port.

    As root, the server runs as the ``postgres`` system user (PostgreSQL refuses root).
    """
    initdb, pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
    base = tempfile.mkdtemp(prefix="fundops-pg-")
    datadir = os.path.join(base, "data")
    as_user = postgres_user_prefix(base)
    port = free_port()
    init = subprocess.run(
        [*as_user, initdb, "-D", datadir, "-U", "fundops", "-A", "trust", "-E", "UTF8",
         "--locale=C", "--no-sync"],
        capture_output=True, text=True, check=False,
    )
    if init.returncode != 0:
        raise PostgresUnavailable(f"initdb failed: {init.stderr.strip()}")
    options = (f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
    start = subprocess.run(
        [*as_user, pg_ctl, "-D", datadir, "-o", options, "-l", os.path.join(base, "log"), "-w",
         "-t", "60", "start"],
        capture_output=True, text=True, check=False,
    )
    if start.returncode != 0:
        log = ""
        with contextlib.suppress(OSError), open(os.path.join(base, "log")) as fh:
            log = fh.read()[-2000:]  # a diagnostic: a missing log is no error
        raise PostgresUnavailable(f"pg_ctl start failed: {start.stderr.strip()} {log}")
    return PostgresServer(datadir=datadir, port=port, as_user=as_user)
