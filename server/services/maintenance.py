"""Periodic upkeep on one scheduler (APScheduler) in the process that owns runs: log
retention, interface sweeps, port clean-up, the daily system backup."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, time

from apscheduler.schedulers.background import BackgroundScheduler
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
