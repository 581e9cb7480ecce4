"""Scheduled jobs: a registry of named jobs whose tasks call feature services, run once
per period under a lease, in one dedicated process (``fundops jobs run``).

- :mod:`~fundops.jobs.models`: the ``job_run`` row (one per job and period);
- :mod:`~fundops.jobs.leases`: claim, heartbeat (fencing), finish or release a period;
- :mod:`~fundops.jobs.registry`: the named jobs: schedule, tasks, description;
- :mod:`~fundops.jobs.tasks`: a task finds due items and applies a service to each;
- :mod:`~fundops.jobs.runner`: run a job for a period, the APScheduler process;
- :mod:`~fundops.jobs.cli`: ``fundops jobs run | run-once | status``.

jobs sits on top: it imports feature services; no feature imports jobs. This module
imports nothing, so that :mod:`fundops.models` can import the model alone.
"""
