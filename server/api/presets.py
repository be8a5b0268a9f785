"""Parameter presets of a script: the group's examples and the caller's own saved sets."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask_login import current_user
from pydantic import Field

from server.api.common import Body, accepts, actor
from server.api.presenters import iso_time, request_language
from server.security.access import require_level
from server.services.presets.service import MAX_NAME, Preset
from server.services.registry import services

bp = Blueprint("presets_api", __name__, url_prefix="/api/scripts/<int:script_id>/presets")


class NewPreset(Body):
    """A named set of parameter values (checked like a run's)."""

    name: str = Field(min_length=1, max_length=MAX_NAME, description="Unique per script.")
    parameters: dict[str, Any]


class PresetUpdate(Body):
    """A new name and/or new values."""

    name: str | None = Field(default=None, min_length=1, max_length=MAX_NAME)
    parameters: dict[str, Any] | None = None


def preset_json(preset: Preset) -> dict[str, Any]:
    """Shape a preset."""
    return {
        "id": preset.id,
        "source": preset.source,
        "name": preset.name,
        "description": preset.description,
        "parameters": preset.parameters,
        "stale": preset.stale,
        "created_at": iso_time(preset.created_at),
        "updated_at": iso_time(preset.updated_at),
    }


@bp.get("")
@require_level("viewer")
def list_presets(script_id: int):
    """List the script's example presets, then the caller's own sets."""
    svc = services()
    script, group = svc.catalog.script_for(script_id, current_user.user_level)
    presets = svc.presets.list(current_user.id, script, group, request_language())
    return jsonify({"items": [preset_json(p) for p in presets]})


@bp.post("")
@require_level("operator")
@accepts(NewPreset)
def create_preset(script_id: int, body: NewPreset):
    """Save the given values as a new preset of the caller."""
    svc = services()
    script, group = svc.catalog.script_to_run(script_id, current_user.user_level)
    preset = svc.presets.create(current_user.id, script, group, body.name, body.parameters, actor())
    return jsonify({"preset": preset_json(preset)}), 201


@bp.put("/<preset_id>")
@require_level("operator")
@accepts(PresetUpdate)
def update_preset(script_id: int, preset_id: str, body: PresetUpdate):
    """Rename one of the caller's presets and/or replace its values."""
    svc = services()
    script, group = svc.catalog.script_to_run(script_id, current_user.user_level)
    preset = svc.presets.update(
        current_user.id, script, group, preset_id, body.name, body.parameters, actor()
    )
    return jsonify({"preset": preset_json(preset)})


@bp.delete("/<preset_id>")
@require_level("operator")
def delete_preset(script_id: int, preset_id: str):
    """Delete one of the caller's presets (examples cannot be deleted)."""
    svc = services()
    script, group = svc.catalog.script_to_run(script_id, current_user.user_level)
    svc.presets.delete(current_user.id, script, group, preset_id, actor())
    return jsonify({"status": "deleted"})
