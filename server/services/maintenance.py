"""Periodic upkeep on one scheduler (APScheduler) in the process that owns runs: log
retention, interface sweeps, port clean-up, the daily system backup. Upkeep jobs live in
memory (they are registered again at every start); further job stores, such as the
scheduled runs' table in the database, are added by name with add_store()."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, time

from apscheduler.job import Job
from apscheduler.jobstores.base import BaseJobStore, JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

logger = logging.getLogger(__name__)
# Its INFO lines ("Running job …") would fill application.log every second.
logging.getLogger("apscheduler").setLevel(logging.WARNING)

DAY = 24 * 3600


class Maintenance:
    """Run jobs at intervals or times of day until stopped; a failing job is logged and
    runs again at its next time. A job never overlaps itself, and missed runs coalesce."""

    def __init__(self) -> None:
        self._scheduler = BackgroundScheduler(
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
        )

    def every(self, name: str, seconds: float, job: Callable[[], object]) -> None:
        """Run a job every ``seconds``, the first time one interval after start."""
        self._scheduler.add_job(job, IntervalTrigger(seconds=seconds), id=name, name=name)

    def daily(self, name: str, at: time, job: Callable[[], object]) -> None:
        """Run a job every day at a local time of day."""
        trigger = CronTrigger(hour=at.hour, minute=at.minute)
        self._scheduler.add_job(job, trigger, id=name, name=name)

    def once(self, name: str, when: datetime, job: Callable[[], object]) -> None:
        """Run a job once at ``when`` (local time)."""
        self._scheduler.add_job(job, DateTrigger(run_date=when), id=name, name=name)

    def next_run(self, name: str) -> datetime | None:
        """Return the next time a job runs (None when it is not scheduled)."""
        job = self._scheduler.get_job(name)
        return job.next_run_time if job is not None else None

    def add_store(self, alias: str, store: BaseJobStore) -> None:
        """Add a job store (before start) that keeps its jobs across restarts."""
        self._scheduler.add_jobstore(store, alias)

    def put(self, alias: str, name: str, func: str, args: tuple, trigger: BaseTrigger,
            grace: int) -> None:  # fmt: skip
        """Add or replace a stored job that calls ``func`` (a ``module:function`` text): it
        never overlaps itself, and late runs coalesce into one unless later than ``grace``
        seconds."""
        self._scheduler.add_job(
            func, trigger, args=args, id=name, name=name, jobstore=alias, replace_existing=True,
            coalesce=True, max_instances=1, misfire_grace_time=grace,
        )  # fmt: skip

    def drop(self, alias: str, name: str) -> None:
        """Remove a stored job (nothing happens when there is none)."""
        try:
            self._scheduler.remove_job(name, jobstore=alias)
        except JobLookupError:
            pass

    def jobs(self, alias: str) -> list[Job]:
        """Return the jobs of a store."""
        return self._scheduler.get_jobs(jobstore=alias)

    def job(self, alias: str, name: str) -> Job | None:
        """Return one job of a store, None when there is none."""
        return self._scheduler.get_job(name, jobstore=alias)

    def start(self) -> None:
        """Start the scheduler's thread."""
        self._scheduler.start()

    def pause(self) -> None:
        """Hold every job (the one running finishes) until resume()."""
        if self._scheduler.running:
            self._scheduler.pause()

    def resume(self) -> None:
        """Let jobs run again."""
        if self._scheduler.running:
            self._scheduler.resume()

    def stop(self) -> None:
        """Stop the scheduler after the jobs in progress."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
