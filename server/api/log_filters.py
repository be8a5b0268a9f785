"""Saved filters of the Logs page: the caller's own named sets of run-list filters."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask_login import current_user
from pydantic import Field

from server.api.common import Body, accepts
from server.api.log_filter_args import FILTER_ARGS, MAX_KEYS, FilterValue, clean_filters
from server.api.logs import is_admin
from server.api.presenters import iso_time
from server.models import LogFilterPreset
from server.security.access import require_level
from server.services.log_filter_presets import MAX_NAME
from server.services.registry import services

bp = Blueprint("log_filters_api", __name__, url_prefix="/api/logs/filters")
FILTERS_HELP = (
    "Query arguments of GET /api/logs/execution, checked by the same rules: "
    + ", ".join(FILTER_ARGS)
    + " (user_id: admins, an id or all)."
)


class NewFilterPreset(Body):
    """A name and the filters to keep under it."""

    name: str = Field(min_length=1, max_length=MAX_NAME, description="Unique per user.")
    filters: dict[str, FilterValue] = Field(max_length=MAX_KEYS, description=FILTERS_HELP)


class FilterPresetUpdate(Body):
    """A new name and/or new filters."""

    name: str | None = Field(default=None, min_length=1, max_length=MAX_NAME)
    filters: dict[str, FilterValue] | None = Field(
        default=None, max_length=MAX_KEYS, description=FILTERS_HELP
    )


def preset_json(preset: LogFilterPreset) -> dict[str, Any]:
    """Shape a preset: its filters are query-string text, ready for a URL."""
    return {
        "id": preset.id,
        "name": preset.name,
        "filters": preset.filters or {},
        "created_at": iso_time(preset.created_at),
    }


@bp.get("")
@require_level("viewer")
def list_filters():
    """List the caller's filter presets by name."""
    items = [preset_json(p) for p in services().log_filters.list(current_user.id)]
    return jsonify({"items": items})


@bp.post("")
@require_level("viewer")
@accepts(NewFilterPreset)
def create_filter(body: NewFilterPreset):
    """Save filters under a new name (at most 50 presets; a taken name is 409)."""
    filters = clean_filters(body.filters, is_admin())
    preset = services().log_filters.create(current_user.id, body.name, filters)
    return jsonify({"preset": preset_json(preset)}), 201


@bp.put("/<int:preset_id>")
@require_level("viewer")
@accepts(FilterPresetUpdate)
def update_filter(preset_id: int, body: FilterPresetUpdate):
    """Rename one of the caller's presets and/or replace its filters."""
    filters = None if body.filters is None else clean_filters(body.filters, is_admin())
    preset = services().log_filters.update(current_user.id, preset_id, body.name, filters)
    return jsonify({"preset": preset_json(preset)})


@bp.delete("/<int:preset_id>")
@require_level("viewer")
def delete_filter(preset_id: int):
    """Delete one of the caller's presets."""
    services().log_filters.delete(current_user.id, preset_id)
    return jsonify({"status": "deleted"})
