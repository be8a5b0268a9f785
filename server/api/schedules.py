"""Scheduled runs of the caller (admins: everyone's): list, create, change, delete."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask_login import current_user
from pydantic import Field

from server.api.common import Body, Id, accepts, actor
from server.api.presenters import iso_time, request_language
from server.api.query import IntArg, reads
from server.security.access import require_level
from server.services.registry import services
from server.services.schedules.checks import reason_text
from server.services.schedules.cron import MAX_CRON
from server.services.schedules.service import Caller, ScheduleView

bp = Blueprint("schedules_api", __name__, url_prefix="/api/schedules")
USER = IntArg("user_id", "Admins: only this user's schedules.")
SCRIPT = IntArg("script_id", "Only the schedules of this script.")
CRON = Field(
    min_length=1,
    max_length=MAX_CRON,
    description="Five crontab fields: minute hour day-of-month month day-of-week "
    "(0 or 7 = Sunday), e.g. '0 6 * * *'.",
)
TIMEZONE = Field(
    default=None, min_length=1, max_length=64, description="IANA name; default: the server's."
)


class NewSchedule(Body):
    """A script run repeated at the times of a cron expression, in the caller's name."""

    script_id: Id
    project_id: Id | None = None
    parameters: dict[str, Any] = Field(default_factory=dict)
    cron: str = CRON
    timezone: str | None = TIMEZONE
    enabled: bool = True


class ScheduleChange(Body):
    """The fields to change; ``enabled: true`` on a paused schedule checks it again."""

    cron: str | None = Field(default=None, min_length=1, max_length=MAX_CRON)
    timezone: str | None = TIMEZONE
    parameters: dict[str, Any] | None = None
    project_id: Id | None = Field(default=None, description="null: the default project.")
    enabled: bool | None = None


def caller() -> Caller:
    """Return the current user as the asker."""
    return Caller(current_user.id, current_user.username, current_user.user_level)


def schedule_json(view: ScheduleView) -> dict[str, Any]:
    """Shape a schedule, its pause reason in the caller's language."""
    schedule, last = view.schedule, view.last_run
    reason = reason_text(schedule.paused_reason, services().i18n.messages, request_language())
    return {
        "id": schedule.id,
        "script_id": schedule.script_id,
        "script_name": view.script_name,
        "project_id": schedule.project_id,
        "owner": view.owner,
        "parameters": view.parameters,
        "cron": schedule.cron,
        "timezone": schedule.timezone,
        "enabled": schedule.enabled,
        "paused_reason": reason,
        "next_run_at": view.next_run.isoformat() if view.next_run else None,
        "last_run": {
            "execution_id": last.execution_uuid,
            "status": last.status,
            "start_time": iso_time(last.start_time),
        }
        if last
        else None,
        "created_at": iso_time(schedule.created_at),
    }


@bp.get("")
@require_level("viewer")
@reads(USER, SCRIPT)
def list_schedules():
    """List the caller's schedules (admins: everyone's, or ``user_id``'s)."""
    views = services().schedules.list(caller(), USER.read(), SCRIPT.read())
    return jsonify({"items": [schedule_json(view) for view in views]})


@bp.post("")
@require_level("operator")
@accepts(NewSchedule)
def create_schedule(body: NewSchedule):
    """Schedule a script with values checked as a run's, in the caller's name."""
    fields = body.model_dump()
    view = services().schedules.create(caller(), fields, actor())
    return jsonify(schedule_json(view)), 201


@bp.put("/<int:schedule_id>")
@require_level("operator")
@accepts(ScheduleChange)
def update_schedule(schedule_id: int, body: ScheduleChange):
    """Change a schedule's times, values, project or state (owner or admin)."""
    changes = body.model_dump(include=body.model_fields_set)
    view = services().schedules.update(caller(), schedule_id, changes, actor())
    return jsonify(schedule_json(view))


@bp.delete("/<int:schedule_id>")
@require_level("viewer")  # an owner demoted to viewer can still remove what no longer runs
def delete_schedule(schedule_id: int):
    """Delete a schedule (owner or admin); its runs stay."""
    services().schedules.delete(caller(), schedule_id, actor())
    return jsonify({"status": "deleted"})
