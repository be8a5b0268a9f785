"""The user's favourite scripts and the scripts they ran lately."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask_login import current_user

from server.api.presenters import script_json
from server.models import ExecutionLog, Script, ScriptGroup
from server.security.access import require_level
from server.services.registry import services

bp = Blueprint("shortcuts_api", __name__, url_prefix="/api/user")

SUMMARY_FIELDS = ("id", "group_id", "group_name", "filename", "display_name", "description")
SUMMARY_FIELDS += ("required_level", "category")


def script_summary_json(script: Script, group: ScriptGroup, favourite: bool) -> dict[str, Any]:
    """Shape a script for a list: names, group, level, and whether the user starred it."""
    full = script_json(script, group)
    return {**{name: full[name] for name in SUMMARY_FIELDS}, "favourite": favourite}


def last_run_json(run: ExecutionLog) -> dict[str, Any]:
    """Shape the few facts of a run a list shows: id, status, start time."""
    return {
        "execution_id": run.execution_uuid,
        "status": run.status,
        "start_time": run.start_time.isoformat() + "Z" if run.start_time else None,
    }


@bp.get("/favourites")
@require_level("viewer")
def list_favourites():
    """List the scripts the user starred and may still see, newest star first."""
    found = services().shortcuts.favourites(current_user.id, current_user.user_level)
    return jsonify({"items": [script_summary_json(s, g, True) for s, g in found]})


@bp.put("/favourites/<int:script_id>")
@require_level("viewer")
def add_favourite(script_id: int):
    """Star a script (starring it again changes nothing); 404 for one the user cannot see."""
    script, group = services().shortcuts.add(current_user.id, script_id, current_user.user_level)
    return jsonify({"script": script_summary_json(script, group, True)})


@bp.delete("/favourites/<int:script_id>")
@require_level("viewer")
def remove_favourite(script_id: int):
    """Unstar a script (not starred: no change); 404 for an unknown script."""
    services().shortcuts.remove(current_user.id, script_id, current_user.user_level)
    return jsonify({"status": "removed", "script_id": script_id})


@bp.get("/recent-scripts")
@require_level("viewer")
def recent_scripts():
    """List the scripts the user ran lately, each once with its last run, newest first."""
    svc = services()
    starred = svc.shortcuts.favourite_ids(current_user.id)
    found = svc.shortcuts.recent(current_user.id, current_user.user_level)
    items = [
        {**script_summary_json(s, g, s.id in starred), "last_run": last_run_json(run)}
        for s, g, run in found
    ]
    return jsonify({"items": items})
