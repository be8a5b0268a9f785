"""Script metadata: read, edit, re-read from files and its history (developer+)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from server.api.common import actor
from server.api.presenters import request_language, script_json
from server.security.access import require_level
from server.security.levels import allows
from server.services.catalog.fields import EDITABLE_SCRIPT_FIELDS
from server.services.catalog.parameters import json_schema
from server.services.catalog.view import effective_script
from server.services.errors import InvalidInput
from server.services.registry import services

bp = Blueprint("metadata_api", __name__, url_prefix="/api/scripts/<int:script_id>")


@bp.get("/metadata")
@require_level("viewer")
def get_metadata(script_id: int):
    """Return the effective metadata, which fields were edited, and what may be edited."""
    script, group = services().catalog.script_for(script_id, current_user.user_level)
    may_edit = allows(current_user.user_level, "developer")
    body = {
        "script": script_json(script, group),
        "metadata": effective_script(script, group),
        "edited_fields": sorted((script.edited or {}).keys()),
        "editable_fields": list(EDITABLE_SCRIPT_FIELDS) if may_edit else [],
        "parameters_schema": json_schema(
            effective_script(script, group)["parameters"], request_language()
        ),
    }
    if may_edit:
        body["declared"] = {
            "header": (script.declared or {}).get("header", {}),
            "file": (script.declared or {}).get("file", {}),
        }
    return jsonify(body)


@bp.put("/metadata")
@require_level("developer")
def update_metadata(script_id: int):
    """Edit metadata fields; null reverts a field to the files' value."""
    changes = request.get_json(silent=True)
    if not isinstance(changes, dict) or not changes:
        raise InvalidInput("The body must be a JSON object of fields to change.")
    svc = services()
    script, group = svc.catalog.script_for(script_id, current_user.user_level)
    changed = svc.metadata.update(script, group, changes, actor())
    return jsonify({"changed": sorted(changed), "metadata": effective_script(script, group)})


@bp.post("/refresh-metadata")
@require_level("developer")
def refresh_metadata(script_id: int):
    """Re-read the script's header and metadata files (edits made in the app stay)."""
    svc = services()
    script, group = svc.catalog.script_for(script_id, current_user.user_level)
    svc.metadata.reparse(script, group, actor())
    script, group = svc.catalog.script_for(script_id, current_user.user_level)
    return jsonify({"script": script_json(script, group)})


@bp.get("/metadata/history")
@require_level("developer")
def metadata_history(script_id: int):
    """List the metadata changes of a script, newest first."""
    svc = services()
    svc.catalog.script_for(script_id, current_user.user_level)
    items = [
        {
            "field": row.field,
            "old_value": row.old_value,
            "new_value": row.new_value,
            "username": row.username,
            "changed_at": row.changed_at.isoformat() + "Z",
            "source": row.source,
        }
        for row in svc.metadata.history(script_id)
    ]
    return jsonify({"items": items})


@bp.get("/parameters-schema")
@require_level("viewer")
def parameters_schema(script_id: int):
    """Describe the script's parameters as JSON Schema, in the caller's language."""
    script, group = services().catalog.script_for(script_id, current_user.user_level)
    params = effective_script(script, group)["parameters"]
    return jsonify(json_schema(params, request_language()))
