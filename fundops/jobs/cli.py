"""``fundops jobs run | run-once | status``: the scheduler process, one job now, the
latest runs (see :mod:`fundops.jobs.runner`)."""

from __future__ import annotations

import logging
from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from fundops.jobs.leases import describe, find_run, recent_runs
from fundops.jobs.logs import ensure_logging, log_event
from fundops.jobs.registry import get_job, registered_jobs
from fundops.jobs.runner import business_date, make_scheduler, run_job


@click.group("jobs")
def jobs_group() -> None:
    """Scheduled jobs (run them in one dedicated process)."""


@jobs_group.command("run")
@with_appcontext
def jobs_run() -> None:
    """Run the scheduler in the foreground (every registered job, business time)."""
    ensure_logging()
    jobs = registered_jobs()
    log_event(logging.INFO, "scheduler_start", jobs=",".join(j.name for j in jobs),
              at=",".join(j.at for j in jobs),
              timezone=current_app.config.get("BUSINESS_TIMEZONE", "Asia/Shanghai"))
    click.echo(f"fundops jobs: {', '.join(f'{j.name} at {j.at}' for j in jobs)}; "
               "Ctrl-C to stop")
    try:
        make_scheduler(current_app._get_current_object()).start()  # type: ignore[attr-defined]
    finally:
        log_event(logging.INFO, "scheduler_stop")


@jobs_group.command("run-once")
@click.option("--date", "on", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Business date to run for (default today).")
@click.option("--take-over", is_flag=True,
              help="Take the period over even from a live lease (its holder is known dead).")
@click.option("--job", "name", default="daily", show_default=True,
              type=click.Choice([j.name for j in registered_jobs()]), help="Which job.")
@with_appcontext
def jobs_run_once(on: datetime | None, take_over: bool, name: str) -> None:
    """Run a job now: a no-op if it already ran for that date or runs elsewhere;
    resumes the date if its last run crashed or failed."""
    ensure_logging()
    when = on.date() if on else business_date()
    result = run_job(name, when, take_over=take_over)
    if result.state == "already ran":
        click.echo(f"{name} job already ran for that date; nothing done")
    elif result.state == "running elsewhere":
        click.echo(f"{name} job is running elsewhere for that date (live lease); nothing done")
    else:
        done = "; ".join(f"{t.summary}: {list(result.done.get(t.name, ()))}"
                         for t in get_job(name).tasks)
        click.echo(f"{result.state}: {done}; skipped (already done): {result.skipped}; "
                   f"failures: {list(result.failed)}")
    run = find_run(name, when.isoformat())
    if run is not None:
        click.echo(describe(run))


@jobs_group.command("status")
@click.option("--limit", default=10, show_default=True, type=int)
@with_appcontext
def jobs_status(limit: int) -> None:
    """Show the latest job runs: finished, failed, running or crashed (lease expired)."""
    runs = recent_runs(limit)
    if not runs:
        click.echo("no job runs yet")
    for run in runs:
        click.echo(describe(run))
