"""The daily job killed mid-run (``kill -9`` of a real ``fundops jobs run-once`` process)
and re-run for the same date finishes the day's work, each effect once; concurrent
runners do the work once; a finished period is not re-run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from fundops.audit import AuditEvent
from fundops.db import utcnow
from fundops.extensions import db
from fundops.jobs.leases import Lease, LeaseLost, claim
from fundops.jobs.models import JobRun
from fundops.jobs.runner import run_daily
from fundops.syndication.enums import TermSheetStatus
from fundops.syndication.loans import events as loan_events
from fundops.syndication.loans import services as lending
from fundops.syndication.loans.models import Warrant
from fundops.syndication.term_sheets import services as term_sheets
from fundops.syndication.term_sheets.models import TermSheet, TermSheetEvent
from fundops.uow import unit_of_work
from tests.integration.test_linked_loans import build_round
from tests.threads import race

ROOT = Path(__file__).resolve().parents[2]
DAY = date(2025, 1, 1)  # the day after every round's long-stop date
ROUNDS = 40


def due_work(rounds: int = ROUNDS) -> tuple[list[int], list[int]]:
    """``rounds`` live term sheets past their long-stop date (one with a loan and two
    closed warrants); returns (term sheet ids, warrant ids), all committed."""
    r = build_round()  # IC-approved, long-stop 2024-12-31
    loan = lending.apply_for_loan(r.bank, code=r.code, product_id=r.product_id, amount="1000000")
    lending.approve_loan(r.bank, loan.id)
    warrants = [loan_events.add_warrant(r.bank, loan.id, holder_name=f"持有人{i}",
                                        coverage="0.05", window_from="2024-07-01",
                                        window_to="2024-12-31").id for i in range(2)]
    ids = [r.ts.id]
    for i in range(rounds - 1):
        ts = term_sheets.create_term_sheet(
            r.gp, company_id=r.ts.company_id, lead_fund_id=r.ts.lead_fund_id,
            round_name=f"B{i}", instrument="preferred_equity", round_size="1000000",
            pre_money="9000000", post_money="10000000", long_stop_on="2024-12-31",
            lead_amount="1000000")
        term_sheets.change_status(r.gp, ts.id, "signed", signed_on="2024-06-10")
        ids.append(ts.id)
    db.session.remove()
    return ids, warrants


_started: list[subprocess.Popen[str]] = []


@pytest.fixture(autouse=True)
def _reap() -> Iterator[None]:
    """Kill and reap any job process a failed test left running."""
    yield
    while _started:
        proc = _started.pop()
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)


def run_once(app: Flask, *args: str, delay: float = 0, lease: float = 60) -> subprocess.Popen[str]:
    """``fundops jobs run-once --date 2025-01-01 …`` in a new process on the test database."""
    env = os.environ | {
        "FUNDOPS_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "FUNDOPS_ENV_NAME": "test", "FUNDOPS_SECRET_KEY": "job-crash-test",
        "FUNDOPS_JOB_ITEM_DELAY": str(delay), "FUNDOPS_JOB_LEASE_SECONDS": str(lease)}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from fundops.cli import main; main()", "jobs", "run-once",
         "--date", DAY.isoformat(), *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _started.append(proc)
    return proc


def finish(proc: subprocess.Popen[str], timeout: float = 120) -> tuple[str, str]:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{out}\n{err}"
    return out, err


def lapsed_count(ids: list[int]) -> int:
    db.session.rollback()  # a fresh snapshot of what the other process committed
    return int(db.session.scalar(sa.select(sa.func.count()).where(
        TermSheet.id.in_(ids), TermSheet.status == TermSheetStatus.LAPSED)))


def wait_for_lapsed(ids: list[int], at_least: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 90
    while lapsed_count(ids) < at_least:
        assert proc.poll() is None, f"job ended early: {proc.communicate()}"
        assert time.monotonic() < deadline, "job made no progress"
        time.sleep(0.05)


def daily_run() -> JobRun:
    db.session.rollback()
    return db.session.scalars(sa.select(JobRun).where(
        JobRun.job_name == "daily", JobRun.period_key == DAY.isoformat())).one()


def assert_each_effect_once(ids: list[int], warrants: list[int]) -> None:
    db.session.rollback()
    assert lapsed_count(ids) == len(ids)
    moves = Counter(db.session.scalars(sa.select(TermSheetEvent.term_sheet_id).where(
        TermSheetEvent.term_sheet_id.in_(ids),
        TermSheetEvent.to_status == TermSheetStatus.LAPSED)))
    assert moves == Counter(dict.fromkeys(ids, 1))
    audits = Counter(db.session.scalars(sa.select(AuditEvent.object_id).where(
        AuditEvent.action == "term_sheet.status", AuditEvent.auth_method == "system")))
    assert audits == Counter({str(i): 1 for i in ids})
    expired = Counter(db.session.scalars(sa.select(AuditEvent.changes).where(
        AuditEvent.action == "warrant.expired")))
    assert expired == Counter({f'{{"warrant_id": {w}}}': 1 for w in warrants})
    assert set(db.session.scalars(sa.select(Warrant.status).where(
        Warrant.id.in_(warrants)))) == {"expired"}


def test_killed_run_is_resumed_for_the_same_date_each_effect_once(app: Flask) -> None:
    ids, warrants = due_work()
    crashed = run_once(app, delay=0.15, lease=3)
    wait_for_lapsed(ids, 5, crashed)
    os.kill(crashed.pid, signal.SIGKILL)
    crashed.wait(30)
    _, err = crashed.communicate()
    assert "event=start" in err and "event=claim" in err and "event=finish" not in err

    run = daily_run()
    done = lapsed_count(ids)
    assert 0 < done < len(ids), done
    assert (run.status, run.finished_at, run.attempts) == ("running", None, 1)

    # the dead holder's lease is still live: a rerun now does nothing
    early = run_once(app, lease=3)
    out, err = finish(early)
    if "running elsewhere" in out:  # (unless the machine was slow enough for it to expire)
        assert lapsed_count(ids) == done and daily_run().attempts == 1
        assert "event=skip" in err and "running elsewhere" in err
        wait = (daily_run().lease_expires_at - utcnow()).total_seconds()
        time.sleep(max(wait, 0) + 0.2)
        out, err = finish(run_once(app, lease=3))
    assert out.startswith("resumed:"), out
    assert "event=takeover" in err and "event=finish" in err

    assert_each_effect_once(ids, warrants)
    run = daily_run()
    assert run.status == "finished" and run.finished_at is not None and run.attempts == 2
    assert run.error is None and run.outcome.startswith(f"lapsed {len(ids) - done},")

    events = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    out, _ = finish(run_once(app))
    assert "already ran" in out and "finished" in out
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == events
    assert daily_run().attempts == 2


def test_two_runner_processes_for_one_date_do_the_work_once(app: Flask) -> None:
    ids, warrants = due_work(20)
    procs = [run_once(app, delay=0.05) for _ in range(2)]
    outs = sorted(finish(p)[0] for p in procs)
    firsts = [o.split(":")[0] for o in outs]
    assert firsts.count("claimed") == 1, outs
    assert any("running elsewhere" in o or "already ran" in o for o in outs), outs
    assert_each_effect_once(ids, warrants)
    assert daily_run().status == "finished" and daily_run().attempts == 1


def test_a_run_whose_lease_is_taken_over_stops_at_its_next_item(app: Flask) -> None:
    ids, warrants = due_work(15)
    slow = run_once(app, delay=0.5, lease=60)
    wait_for_lapsed(ids, 3, slow)
    db.session.remove()
    taken = run_daily(DAY, take_over=True)  # an operator takes the live lease over
    assert taken.state == "resumed" and 0 < len(taken.lapsed) < len(ids), taken
    slow_out, slow_err = finish(slow)
    assert slow_out.startswith("lease lost:"), slow_out
    assert "event=lease_lost" in slow_err
    assert_each_effect_once(ids, warrants)
    assert daily_run().status == "finished" and daily_run().attempts == 2


def test_two_threads_racing_to_resume_a_crashed_period_take_it_once(app: Flask) -> None:
    ids, warrants = due_work(12)
    stale = claim("daily", DAY.isoformat())  # a run that died without a trace
    assert isinstance(stale, Lease) and stale.state == "claimed"
    with unit_of_work():
        db.session.execute(sa.update(JobRun).values(lease_expires_at=utcnow()
                                                    - timedelta(seconds=1)))
    db.session.remove()
    states: list[str] = []
    race(app, lambda _: states.append(run_daily(DAY).state), [0, 1], Exception)
    assert len(states) == 2 and states.count("resumed") == 1, states
    assert {"already ran", "running elsewhere"} & set(states), states
    assert_each_effect_once(ids, warrants)
    run = daily_run()
    assert run.status == "finished" and run.attempts == 2
    with unit_of_work(), pytest.raises(LeaseLost):
        stale.heartbeat()  # the dead run, were it to wake up, is fenced off
