"""Running scripts: execute, stop, status, and the live runs of the user."""

from __future__ import annotations

import json

from flask import Blueprint, jsonify, request
from flask_login import current_user
from pydantic import Field

from server.api.common import Body, accepts, actor
from server.api.converters import MAX_ID, MIN_ID
from server.api.presenters import execution_json
from server.api.query import MAX_DIGITS, FlagArg, reads
from server.security.access import require_level
from server.security.levels import allows
from server.services.errors import InvalidInput
from server.services.execution.engine import Runner, Upload
from server.services.registry import services

bp = Blueprint("runs_api", __name__, url_prefix="/api")
EVERYONE = FlagArg("all", "1: every user's runs (admins only).")


def runner() -> Runner:
    """Return the current user as the runner of a script."""
    return Runner(
        current_user.id,
        current_user.username,
        current_user.user_level,
        current_user.preferred_language,
        current_user.preferred_theme,
    )


def _run_request() -> tuple[object, int | None, list[Upload]]:
    """Read parameters, project and uploads from JSON or multipart/form-data."""
    if request.mimetype == "multipart/form-data":
        try:
            parameters = json.loads(request.form.get("parameters") or "{}")
        except ValueError as exc:
            raise InvalidInput("parameters must be a JSON object.", field="parameters") from exc
        project = request.form.get("project_id")
        uploads = [
            Upload(name, file.filename or "", file.stream)
            for name, file in request.files.items(multi=False)
        ]
    else:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise InvalidInput("The request body must be a JSON object.")
        parameters, project, uploads = body.get("parameters", {}), body.get("project_id"), []
    if project in (None, ""):
        return parameters, None, uploads
    try:
        project_id = int(project) if len(str(project)) <= MAX_DIGITS else None
    except (TypeError, ValueError, OverflowError):  # OverflowError: an infinite float
        project_id = None
    if project_id is None or not MIN_ID <= project_id <= MAX_ID:
        raise InvalidInput(
            "project_id must be a whole number between {minimum} and {maximum}.",
            field="project_id",
            minimum=MIN_ID,
            maximum=MAX_ID,
        )
    return parameters, project_id, uploads


@bp.post("/scripts/<int:script_id>/execute")
@require_level("operator")
def execute(script_id: int):
    """Run a script with parameters in a project (the user's default when none is given)."""
    svc = services()
    script, group = svc.catalog.script_to_run(script_id, current_user.user_level)
    parameters, project_id, uploads = _run_request()
    project = None
    if project_id is not None:
        project = svc.projects.get(current_user.id, project_id)
        if project.group_id != group.id:
            raise InvalidInput(
                "project_id: the project belongs to another group.", field="project_id"
            )
    record = svc.executions.execute(
        script, group, runner(), parameters, project, uploads, request.remote_addr
    )
    return jsonify({"execution_id": record.execution_uuid, "status": record.status}), 202


class StopRequest(Body):
    """Which run to stop (the caller's latest running one when left out)."""

    execution_id: str | None = Field(default=None, min_length=1, max_length=64)


@bp.post("/scripts/<int:script_id>/stop")
@require_level("operator")
@accepts(StopRequest, optional=True)
def stop(script_id: int, body: StopRequest):
    """Stop an execution of the script (by id, or the caller's latest running one)."""
    svc = services()
    execution_id = body.execution_id
    is_admin = allows(current_user.user_level, "admin")
    if execution_id:
        record = svc.logs.get(str(execution_id), current_user.id, is_admin)
        if record.script_id != script_id:
            raise InvalidInput("execution_id: not a run of this script.", field="execution_id")
    else:
        record = svc.logs.latest_running(script_id, current_user.id)
    status = svc.executions.stop(record.execution_uuid, actor())
    return jsonify({"execution_id": record.execution_uuid, "status": status})


@bp.get("/scripts/<int:script_id>/status")
@require_level("viewer")
def status(script_id: int):
    """Return the caller's running executions of the script and the latest one."""
    svc = services()
    script, _group = svc.catalog.script_for(script_id, current_user.user_level)
    running, latest = svc.logs.script_status(script.id, current_user.id)
    return jsonify(
        {
            "running": [execution_json(r) for r in running],
            "latest": execution_json(latest) if latest else None,
        }
    )


@bp.get("/executions/running")
@require_level("viewer")
@reads(EVERYONE)
def running():
    """List running executions: the caller's own (admins: everyone's with ``?all=1``)."""
    svc = services()
    everyone = EVERYONE.read() and allows(current_user.user_level, "admin")
    rows = svc.logs.running(None if everyone else current_user.id)
    return jsonify({"items": [execution_json(r) for r in rows]})
