"""The jobs registry: the named jobs, their schedules, and tasks that are feature
services (the business rules live in the owning feature, never in fundops.jobs)."""

from __future__ import annotations

import inspect
import sys

import pytest

from fundops.exits import reminders as exit_reminders
from fundops.jobs.registry import Job, get_job, register, registered_jobs
from fundops.metrics import refresh as metrics_refresh
from fundops.reports.fees import services as fee_drafts
from fundops.syndication.loans import events as loan_events
from fundops.syndication.term_sheets import services as term_sheets

FEATURES = {"portfolio", "syndication", "metrics", "approvals", "auth", "exits", "reports"}
NOT_SERVICES = {"views", "api", "forms", "models", "schemas", "cli"}


def test_the_registry_lists_the_named_jobs_with_schedule_and_tasks() -> None:
    assert [job.name for job in registered_jobs()] == ["daily", "quarterly_reports"]
    daily = get_job("daily")
    assert (daily.trigger, dict(daily.trigger_args), daily.at) == (
        "cron", {"hour": 1, "minute": 0}, "01:00")
    assert "long-stop" in daily.description and "warrant" in daily.description
    assert [task.name for task in daily.tasks] == ["lapse_term_sheets", "expire_warrants",
                                                  "raise_exit_reminders",
                                                  "prepare_fee_drafts", "refresh_metrics"]
    assert [(t.find, t.apply) for t in daily.tasks] == [
        (term_sheets.term_sheets_past_long_stop, term_sheets.lapse_past_long_stop),
        (loan_events.warrants_past_window, loan_events.expire_past_window),
        (exit_reminders.funds_with_due_reminders, exit_reminders.raise_fund_reminders),
        (fee_drafts.funds_with_due_fees, fee_drafts.prepare_due_fees),
        (metrics_refresh.funds_to_refresh, metrics_refresh.refresh_fund)]
    quarterly = get_job("quarterly_reports")
    assert [task.name for task in quarterly.tasks] == ["run_fund_reports",
                                                      "run_organisation_reports"]
    with pytest.raises(KeyError):
        get_job("weekly")


def test_each_registered_task_is_a_public_function_of_a_feature_services_module() -> None:
    for job in registered_jobs():
        for task in job.tasks:
            assert task.description
            for fn in (task.find, task.apply):
                parts = fn.__module__.split(".")
                assert inspect.isfunction(fn), (task.name, fn)
                assert "jobs" not in parts, f"{task.name}: {fn.__module__} is jobs itself"
                assert parts[0] == "fundops" and parts[1] in FEATURES, fn.__module__
                assert parts[-1] not in NOT_SERVICES, fn.__module__
                assert not fn.__name__.startswith("_")
                assert getattr(sys.modules[fn.__module__], fn.__name__) is fn


def test_a_job_name_is_registered_once() -> None:
    with pytest.raises(ValueError, match="registered already"):
        register(Job("daily", "again", tasks=(), at="02:00"))
    assert len(registered_jobs()) == 2
