"""Schedules: create, list, change and delete them, and keep one scheduler job each."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from server.database import Database
from server.models import ExecutionLog, Schedule, Script, ScriptGroup, User
from server.security.levels import allows
from server.services.audit import Actor, AuditLog
from server.services.catalog.catalog import Catalog
from server.services.catalog.parameters import SECRET_MASK, mask_secrets
from server.services.catalog.view import effective_script
from server.services.errors import Conflict, NotFound
from server.services.execution.engine import ExecutionService
from server.services.maintenance import Maintenance
from server.services.projects import ProjectService
from server.services.schedules import cron
from server.services.schedules.checks import Target, check_values, find_target
from server.services.schedules.firing import Firing, install
from server.services.schedules.store import FIRE, STORE, ScheduleStore, job_id, schedule_of

logger = logging.getLogger(__name__)

MAX_PER_USER = 50
CHANGEABLE = ("cron", "timezone", "parameters", "project_id", "enabled")


@dataclass(frozen=True)
class Caller:
    """Who asks: their id, name and level."""

    user_id: int
    username: str
    level: str

    @property
    def is_admin(self) -> bool:
        """Return True for admins, who see and change every schedule."""
        return allows(self.level, "admin")


@dataclass(frozen=True)
class ScheduleView:
    """A schedule with what its JSON shows: names, masked values, next and last run."""

    schedule: Schedule
    script_name: str | None
    owner: str | None
    parameters: dict[str, Any]
    next_run: datetime | None
    last_run: ExecutionLog | None


class ScheduleService:
    """Keep schedules and their jobs in step; fire them through the execution engine."""

    def __init__(
        self, db: Database, catalog: Catalog, projects: ProjectService,
        executions: ExecutionService, audit: AuditLog, maintenance: Maintenance, grace: int,
    ) -> None:  # fmt: skip
        self._db = db
        self._catalog = catalog
        self._projects = projects
        self._audit = audit
        self._maintenance = maintenance
        self.grace = grace
        self.firing = Firing(db, catalog, projects, executions, audit)

    # -- the scheduler ----------------------------------------------------------------------

    def attach(self) -> None:
        """Add the schedules' job store to the scheduler (before it starts)."""
        self._maintenance.add_store(STORE, ScheduleStore(self._db.engine, self.fire))
        install(self.fire)

    def detach(self) -> None:
        """Stop answering the jobs' function (the manager is stopping)."""
        install(None)

    def fire(self, schedule_id: int) -> None:
        """Fire one occurrence of a schedule; never raises."""
        try:
            with self._db.job():
                keep = self.firing.run(schedule_id)
        except Exception:  # a job must not fail: the next occurrence comes all the same
            logger.exception("schedule %s could not be fired", schedule_id)
            return
        if not keep:  # after the commit: SQLite lets one connection write at a time
            self._maintenance.drop(STORE, job_id(schedule_id))

    def reconcile(self) -> None:
        """Give every enabled schedule its job (the setting's grace period included) and
        remove jobs that no enabled schedule has."""
        jobs = {job.id: job for job in self._maintenance.jobs(STORE)}
        enabled = self._db.session.scalars(select(Schedule).where(Schedule.enabled.is_(True)))
        wanted = {job_id(s.id): s for s in enabled}
        for name, job in jobs.items():
            if name not in wanted or schedule_of(job) is None:
                self._maintenance.drop(STORE, name)
            elif job.misfire_grace_time != self.grace:
                job.modify(misfire_grace_time=self.grace)
        for name, schedule in wanted.items():
            if name not in jobs:
                self._put_job(schedule)

    def _put_job(self, schedule: Schedule) -> None:
        try:
            trigger = cron.trigger(schedule.cron, schedule.timezone)
        except Exception:  # e.g. a time zone this machine's tzdata does not know
            logger.exception("schedule %s has no valid trigger here", schedule.id)
            return
        self._maintenance.put(STORE, job_id(schedule.id), FIRE, (schedule.id,), trigger, self.grace)

    def _sync_job(self, schedule: Schedule) -> None:
        if schedule.enabled:
            self._put_job(schedule)
        else:
            self._maintenance.drop(STORE, job_id(schedule.id))

    # -- reading ----------------------------------------------------------------------------

    def list(
        self, caller: Caller, user_id: int | None = None, script_id: int | None = None
    ) -> list[ScheduleView]:
        """Return the caller's schedules (admins: everyone's, or ``user_id``'s)."""
        query = select(Schedule).order_by(Schedule.id)
        owner = user_id if caller.is_admin else caller.user_id
        if owner is not None:
            query = query.where(Schedule.user_id == owner)
        if script_id is not None:
            query = query.where(Schedule.script_id == script_id)
        return self.views(list(self._db.session.scalars(query)))

    def views(self, schedules: list[Schedule]) -> list[ScheduleView]:
        """Return the schedules with their names, masked values and runs."""
        session = self._db.session
        next_runs = {job.id: job.next_run_time for job in self._maintenance.jobs(STORE)}
        uuids = [s.last_execution_uuid for s in schedules if s.last_execution_uuid]
        runs = {
            r.execution_uuid: r
            for r in session.scalars(
                select(ExecutionLog).where(ExecutionLog.execution_uuid.in_(uuids))
            )
        }
        views = []
        for schedule in schedules:
            script = session.get(Script, schedule.script_id) if schedule.script_id else None
            owner = session.get(User, schedule.user_id)
            views.append(
                ScheduleView(
                    schedule,
                    (script.display_name or script.filename) if script else None,
                    owner.username if owner else None,
                    self._masked(script, schedule.parameters or {}),
                    next_runs.get(job_id(schedule.id)) if schedule.enabled else None,
                    runs.get(schedule.last_execution_uuid or ""),
                )
            )
        return views

    def _masked(self, script: Script | None, values: dict[str, Any]) -> dict[str, Any]:
        """Return the values with the script's secrets masked (every value of a deleted
        script's schedule is masked: its types are not known any more)."""
        if script is None:
            return {name: SECRET_MASK for name in values}
        group = self._db.session.get(ScriptGroup, script.group_id)
        return mask_secrets(effective_script(script, group)["parameters"], values)

    def job(self, schedule_id: int):
        """Return a schedule's scheduler job, None when it has none."""
        return self._maintenance.job(STORE, job_id(schedule_id))

    # -- changing ---------------------------------------------------------------------------

    def create(self, caller: Caller, fields: dict[str, Any], actor: Actor) -> ScheduleView:
        """Create a schedule of the caller: cron and time zone parsed, the script and project
        the caller's to run, the values valid as a run's; Conflict past the per-user limit."""
        session = self._db.session
        count = session.scalar(select(func.count()).where(Schedule.user_id == caller.user_id))
        if (count or 0) >= MAX_PER_USER:
            raise Conflict(
                "You have {count} schedules, the most allowed ({limit}); delete one first.",
                count=count, limit=MAX_PER_USER,
            )  # fmt: skip
        timezone = fields.get("timezone") or cron.local_zone()
        cron.trigger(fields["cron"], timezone)
        owner = session.get(User, caller.user_id)
        target = self._check(owner, fields["script_id"], fields.get("project_id"),
                             fields["parameters"])  # fmt: skip
        schedule = Schedule(
            user_id=caller.user_id, script_id=target.script.id, project_id=fields.get("project_id"),
            parameters=fields["parameters"], cron=" ".join(fields["cron"].split()),
            timezone=timezone, enabled=fields.get("enabled", True) is not False,
        )  # fmt: skip
        session.add(schedule)
        session.flush()
        self._audit.record(actor, "schedules.create", f"schedule:{schedule.id}",
                           {"script_id": target.script.id, "cron": schedule.cron})  # fmt: skip
        session.commit()
        self._sync_job(schedule)
        return self.views([schedule])[0]

    def _check(self, owner: User, script_id: int | None, project_id: int | None,
               parameters: Any) -> Target:  # fmt: skip
        if not owner.is_active:
            raise Conflict("The owner's account {username} is deactivated.",
                           username=owner.username)  # fmt: skip
        target = find_target(self._catalog, self._projects, owner, script_id, project_id)
        check_values(self._projects, owner, target, parameters)
        return target

    def owned(self, caller: Caller, schedule_id: int) -> Schedule:
        """Return a schedule of the caller (admins: anyone's); NotFound otherwise."""
        schedule = self._db.session.get(Schedule, schedule_id)
        if schedule is None or not (caller.is_admin or schedule.user_id == caller.user_id):
            raise NotFound("Schedule {schedule_id} does not exist.", schedule_id=schedule_id)
        return schedule

    def update(self, caller: Caller, schedule_id: int, changes: dict[str, Any],
               actor: Actor) -> ScheduleView:  # fmt: skip
        """Change some fields; an enabled result (a paused schedule enabled again included)
        is checked again in the owner's name, and loses its pause reason."""
        schedule = self.owned(caller, schedule_id)
        changes = {
            k: v
            for k, v in changes.items()
            if k in CHANGEABLE and (v is not None or k == "project_id")
        }
        merged = {k: changes.get(k, getattr(schedule, k)) for k in CHANGEABLE}
        merged["timezone"] = merged["timezone"] or cron.local_zone()
        cron.trigger(merged["cron"], merged["timezone"])
        if merged["enabled"] or "parameters" in changes or "project_id" in changes:
            owner = self._db.session.get(User, schedule.user_id)
            self._check(owner, schedule.script_id, merged["project_id"], merged["parameters"])
        merged["cron"] = " ".join(merged["cron"].split())
        for name, value in merged.items():
            setattr(schedule, name, value)
        if schedule.enabled:
            schedule.paused_reason = None
        self._audit.record(actor, "schedules.update", f"schedule:{schedule.id}",
                           {"fields": sorted(changes)})  # fmt: skip
        self._db.session.commit()
        self._sync_job(schedule)
        return self.views([schedule])[0]

    def delete(self, caller: Caller, schedule_id: int, actor: Actor) -> None:
        """Delete a schedule and its job (its runs stay, without the link)."""
        schedule = self.owned(caller, schedule_id)
        self._db.session.delete(schedule)
        self._audit.record(actor, "schedules.delete", f"schedule:{schedule_id}")
        self._db.session.commit()
        self._maintenance.drop(STORE, job_id(schedule_id))
