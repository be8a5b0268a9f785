"""Script groups and scripts, as each user may see them."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user

from server.api.common import actor
from server.api.presenters import group_json, group_scripts_json, script_json
from server.security.access import require_level
from server.services.registry import services

bp = Blueprint("catalog_api", __name__, url_prefix="/api")


@bp.get("/script-groups")
@require_level("viewer")
def list_groups():
    """List the groups the user may see, with their visible script counts."""
    groups = services().catalog.groups_for(current_user.user_level)
    return jsonify({"items": [group_json(group, count) for group, count in groups]})


@bp.get("/script-groups/<int:group_id>")
@require_level("viewer")
def get_group(group_id: int):
    """Return one group."""
    group = services().catalog.group_for(group_id, current_user.user_level)
    return jsonify({"group": group_json(group)})


@bp.get("/script-groups/<int:group_id>/scripts")
@require_level("viewer")
def list_scripts(group_id: int):
    """List the scripts of a group that the user may see."""
    _group, items = group_scripts_json(group_id)
    return jsonify({"items": items})


@bp.get("/script-groups/<int:group_id>/refresh")
@require_level("developer")
def refresh_group(group_id: int):
    """Re-read a group's files now (hot reload does this by itself)."""
    svc = services()
    group = svc.catalog.group_for(group_id, current_user.user_level)
    svc.metadata.refresh_group(group, actor())
    scripts = svc.catalog.scripts_in(group_id, current_user.user_level)
    return jsonify({"group": group_json(group), "items": [script_json(s, group) for s in scripts]})


@bp.get("/scripts/<int:script_id>")
@require_level("viewer")
def get_script(script_id: int):
    """Return one script with its effective metadata."""
    svc = services()
    script, group = svc.catalog.script_for(script_id, current_user.user_level)
    personal = svc.tags.user_tags(current_user.id).get(script.id)
    return jsonify({"script": script_json(script, group, personal)})
