"""Firing a schedule: one ordinary run in the owner's name, at the owner's level now.

Misfire policy. Each schedule is one job of the scheduler's database job store with
``coalesce=True``, ``max_instances=1`` and ``misfire_grace_time=SCHEDULE_MISFIRE_GRACE``
(300 s by default): an occurrence late by less than that (the manager was restarting, the
machine slept) runs once, however many were missed; later ones are skipped until the next
time. An occurrence that comes while the previous run of the job is still being started
is skipped too.

What cannot run any more pauses the schedule (``enabled`` false, a translatable
``paused_reason``, audited ``schedules.paused``): the owner deactivated or below the
script's level, the script gone or out of sight, values that no longer validate. What may
pass by itself (the storage quota used up, an interface or port limit) skips that one
occurrence, logged and audited ``schedules.skipped``; the schedule stays enabled. A firing
never raises out of its job.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from server.database import Database
from server.models import Schedule, User
from server.security.levels import allows
from server.services.audit import Actor, AuditLog
from server.services.catalog.catalog import Catalog
from server.services.errors import Conflict, Forbidden, InvalidInput, NotFound, QuotaExceeded
from server.services.execution.engine import ExecutionService
from server.services.execution.run import Runner
from server.services.messages import Message
from server.services.projects import ProjectService
from server.services.schedules.checks import find_target, kept_reason, needed_level

logger = logging.getLogger(__name__)

_hook: Callable[[int], None] | None = None


def install(fire_schedule: Callable[[int], None] | None) -> None:
    """Set (or clear, with None) the firing that ``fire`` reaches."""
    global _hook
    _hook = fire_schedule


def fire(schedule_id: int) -> None:
    """Fire a schedule through the running manager (the jobs' function, named by text)."""
    if _hook is None:
        logger.warning("schedule %s is due but no manager is running", schedule_id)
        return
    _hook(schedule_id)


class Paused(Exception):
    """The schedule cannot run any more, for ``reason``."""

    def __init__(self, reason: Message) -> None:
        super().__init__(str(reason))
        self.reason = reason


class Firing:
    """Start the due occurrence of a schedule, or pause it, or skip it."""

    def __init__(
        self, db: Database, catalog: Catalog, projects: ProjectService,
        executions: ExecutionService, audit: AuditLog,
    ) -> None:  # fmt: skip
        self._db = db
        self._catalog = catalog
        self._projects = projects
        self._executions = executions
        self._audit = audit

    def run(self, schedule_id: int) -> bool:
        """Fire one occurrence in the current session; return False when the schedule
        has no job to keep (gone, disabled or paused now)."""
        schedule = self._db.session.get(Schedule, schedule_id)
        if schedule is None or not schedule.enabled:
            return False
        try:
            record = self._start(schedule)
        except Paused as paused:
            self.pause(schedule, paused.reason)
            return False
        except (QuotaExceeded, Conflict) as exc:
            self._skip(schedule, str(exc))
            return True
        schedule.last_execution_uuid = record.execution_uuid
        self._db.session.commit()
        return True

    def _start(self, schedule: Schedule):
        """Start the run; raise Paused for what cannot run any more."""
        owner = self._db.session.get(User, schedule.user_id)
        if owner is None or not owner.is_active:
            name = owner.username if owner else str(schedule.user_id)
            raise Paused(Message("The owner's account {username} is deactivated.", username=name))
        try:
            target = find_target(
                self._catalog, self._projects, owner, schedule.script_id, schedule.project_id
            )
            level = needed_level(target.script, target.group)
            if not allows(owner.user_level, level):
                raise Paused(level_reason(owner.user_level, level))
            runner = Runner(
                owner.id, owner.username, owner.user_level, owner.preferred_language,
                owner.preferred_theme, trigger="schedule", schedule_id=schedule.id,
            )  # fmt: skip
            return self._executions.execute(
                target.script, target.group, runner, schedule.parameters or {}, target.project
            )
        except Forbidden as exc:
            raise Paused(level_reason(owner.user_level, str(exc.text.values.get("level")))) from exc
        except NotFound as exc:
            raise Paused(Message("The script is no longer available to the owner.")) from exc
        except InvalidInput as exc:
            raise Paused(values_reason(exc)) from exc

    def pause(self, schedule: Schedule, reason: Message) -> None:
        """Disable a schedule with its reason, audited, and commit."""
        self._db.session.rollback()  # nothing half-done of the failed start is kept
        schedule = self._db.session.get(Schedule, schedule.id) or schedule
        schedule.enabled = False
        schedule.paused_reason = kept_reason(reason)
        self._audit.record(
            Actor.system(), "schedules.paused", f"schedule:{schedule.id}", {"reason": str(reason)}
        )
        self._db.session.commit()
        logger.warning("schedule %s paused: %s", schedule.id, reason)

    def _skip(self, schedule: Schedule, why: str) -> None:
        self._db.session.rollback()
        self._audit.record(
            Actor.system(), "schedules.skipped", f"schedule:{schedule.id}", {"reason": why}
        )
        self._db.session.commit()
        logger.warning("schedule %s: this occurrence is skipped: %s", schedule.id, why)


def level_reason(level: str, needed: str) -> Message:
    """Return the pause reason of an owner below the script's level."""
    return Message(
        "The owner's level ({level}) is below the level the script needs ({needed}).",
        level=level,
        needed=needed,
    )


def values_reason(exc: InvalidInput) -> Message:
    """Return the pause reason of saved values that no longer validate."""
    if exc.field:
        return Message("The saved value of {name} is no longer valid: edit the schedule.",
                       name=exc.field)  # fmt: skip
    return Message("The saved parameters are no longer valid: edit the schedule.")
