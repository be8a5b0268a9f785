"""The caller's star and note on a run: private to them; admins read the others' too."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user
from pydantic import Field

from server.api.common import Body, accepts
from server.api.logs import is_admin
from server.api.mark_presenters import mark_json, view_json
from server.models import ExecutionLog
from server.security.access import require_level
from server.services.registry import services
from server.services.run_marks import MAX_NOTE, NO_MARK

bp = Blueprint("run_marks_api", __name__, url_prefix="/api/logs/execution/<execution_id>/mark")


class MarkChange(Body):
    """A new star and/or note; a field left out stays as it is, an empty or null note is
    cleared."""

    starred: bool | None = None
    note: str | None = Field(default=None, max_length=MAX_NOTE)


def readable(execution_id: str) -> ExecutionLog:
    """Return a run the caller may read (NotFound otherwise)."""
    return services().logs.get(execution_id, current_user.id, is_admin())


@bp.get("")
@require_level("viewer")
def get_mark(execution_id: str):
    """Return the caller's ``starred``, ``note`` and ``updated_at`` on the run; admins also
    get ``other_marks`` (each with its author's ``username``), read-only."""
    record = readable(execution_id)
    return jsonify(view_json(services().run_marks.view(record, current_user.id, is_admin())))


@bp.put("")
@require_level("viewer")
@accepts(MarkChange)
def put_mark(execution_id: str, body: MarkChange):
    """Star or unstar the run and/or set the caller's note on it (at most 2,000 characters)."""
    record = readable(execution_id)
    note = body.note if body.note is not None else "" if "note" in body.model_fields_set else None
    mark = services().run_marks.mark(record, current_user.id, body.starred, note)
    return jsonify(mark_json(mark))


@bp.delete("")
@require_level("viewer")
def delete_mark(execution_id: str):
    """Remove the caller's star and note from the run."""
    services().run_marks.clear(readable(execution_id), current_user.id)
    return jsonify(mark_json(NO_MARK))
