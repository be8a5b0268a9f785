"""The schedules' jobs, kept in the app's database by APScheduler's SQLAlchemy job store.

A job names its function by text (``FIRE``) so the table holds no object of a running
process. Each manager's store hands the jobs it loads to that manager's own firing, so
several managers in one process (as in the tests) never fire each other's schedules.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from apscheduler.job import Job
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from sqlalchemy.engine import Engine

logger = logging.getLogger(__name__)

STORE = "schedules"  # the job store's alias in the scheduler
TABLE = "apscheduler_jobs"
FIRE = "server.services.schedules.firing:fire"


def job_id(schedule_id: int) -> str:
    """Return the id of a schedule's job."""
    return f"schedule-{schedule_id}"


def schedule_of(job: Job) -> int | None:
    """Return the schedule id of a job of the store, None for a job that is not one."""
    prefix, _, number = job.id.partition("-")
    return int(number) if prefix == "schedule" and number.isdigit() else None


class ScheduleStore(SQLAlchemyJobStore):
    """The job table on the app's engine; loaded jobs fire through ``fire(schedule_id)``."""

    def __init__(self, engine: Engine, fire: Callable[[int], None]) -> None:
        super().__init__(engine=engine, tablename=TABLE)
        self._fire = fire

    def _reconstitute_job(self, job_state: bytes) -> Job:
        job = super()._reconstitute_job(job_state)
        job.func = self._fire  # the stored reference (func_ref) stays the text FIRE
        return job

    def update_job(self, job: Job) -> None:
        """Store a job's next run; a job removed while it ran (its schedule was paused by
        that very firing) is left removed."""
        try:
            super().update_job(job)
        except JobLookupError:
            logger.debug("job %s was removed while it ran", job.id)

    def shutdown(self) -> None:
        """Leave the engine to the app, which disposes of it last."""
