"""JSON shapes of marks on runs, and the marks added to the items of a run list."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from server.api.presenters import iso_time
from server.models import ExecutionLog
from server.security.levels import allows
from server.services.registry import services
from server.services.run_marks import NO_MARK, Mark, RunMarkView


def mark_json(mark: Mark) -> dict[str, Any]:
    """Shape the caller's own mark."""
    return {"starred": mark.starred, "note": mark.note, "updated_at": iso_time(mark.updated_at)}


def view_json(view: RunMarkView) -> dict[str, Any]:
    """Shape the caller's mark and, read-only and named by author, the other users' marks."""
    others = [{"username": mark.username, **mark_json(mark)} for mark in view.others]
    return {**mark_json(view.own), "other_marks": others}


def add_marks(items: list[dict[str, Any]], rows: list[ExecutionLog]) -> None:
    """Add each run's marks for the caller (admins also see the other users' marks)."""
    admin = allows(current_user.user_level, "admin")
    views = services().run_marks.views([row.id for row in rows], current_user.id, admin)
    for item, row in zip(items, rows, strict=True):
        item.update(view_json(views.get(row.id, RunMarkView(NO_MARK))))
