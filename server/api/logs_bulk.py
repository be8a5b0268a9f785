"""Bulk work on runs: export or delete many at once, chosen by id or by a filter."""

from __future__ import annotations

from typing import Annotated, Literal

from flask import Blueprint, jsonify
from flask_login import current_user
from pydantic import Field

from server.api.common import Body, accepts, actor
from server.api.log_export import export_answer
from server.api.log_filter_args import MAX_KEYS, FilterValue, clean_filters, selection_filters
from server.api.logs import is_admin
from server.security.access import require_level
from server.services.errors import InvalidInput
from server.services.log_bulk import MAX_BULK, Selection
from server.services.registry import services

bp = Blueprint("logs_bulk_api", __name__, url_prefix="/api/logs")
ExecutionId = Annotated[str, Field(min_length=1, max_length=36)]


class BulkRequest(Body):
    """What to do, with the runs given by id or by a filter (one of the two)."""

    action: Literal["export", "delete"]
    execution_ids: list[ExecutionId] | None = Field(default=None, min_length=1, max_length=MAX_BULK)
    filter: dict[str, FilterValue] | None = Field(
        default=None,
        max_length=MAX_KEYS,
        description="The filters of GET /api/logs/execution (user_id: admins, an id or all); "
        "the newest 10,000 matching runs.",
    )


def selected(body: BulkRequest) -> Selection:
    """Return the runs the request names that the caller may act on."""
    if (body.execution_ids is None) == (body.filter is None):
        raise InvalidInput(
            "{field}: give execution_ids or filter (one of the two).", field="execution_ids"
        )
    bulk = services().log_bulk
    if body.execution_ids is not None:
        return bulk.by_ids(body.execution_ids, current_user.id, is_admin())
    text = clean_filters(body.filter or {}, is_admin())
    owner, filters = selection_filters(text, current_user.id)
    if owner is not None and owner != current_user.id:
        services().users.get(owner)
    return bulk.by_filter(owner, filters)


@bp.post("/bulk")
@require_level("viewer")
@accepts(BulkRequest)
def bulk(body: BulkRequest):
    """Export or delete many runs. ``delete`` answers {action, done, skipped, running,
    truncated}: runs the caller may not touch (a user: other users' runs) and running runs
    are skipped and counted, never deleted. ``export`` answers a zip holding each run's
    log file as ``<execution_id>.log``, ``runs.json`` and ``runs.csv``."""
    selection = selected(body)
    if body.action == "export":
        return export_answer(selection)
    result = services().log_bulk.delete(selection, actor())
    return jsonify(
        {
            "action": "delete",
            "done": result.done,
            "skipped": result.skipped,
            "running": result.running,
            "truncated": selection.truncated,
        }
    )
