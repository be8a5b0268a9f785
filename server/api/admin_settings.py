"""Settings for admins: the effective configuration, and log retention."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from flask import Blueprint, jsonify
from pydantic import Field

from server.api.common import PAGE, PER_PAGE, Body, Level, accepts, actor, page_args, paginated
from server.api.query import QueryArg, reads
from server.security.access import require_level
from server.services.catalog.overview import page_of
from server.services.registry import services
from server.services.retention import Removal
from server.settings import effective
from server.settings.loading import MAX_RETENTION_DAYS

bp = Blueprint("admin_settings_api", __name__, url_prefix="/api/admin")
NAME = QueryArg("q", "Settings whose name, variable or config.json key contains this.")
USER_TEXT = QueryArg("q", "Users whose name contains this (any case).")
Days = Annotated[int, Field(ge=1, le=MAX_RETENTION_DAYS)]


@bp.get("/configuration")
@require_level("admin")
@reads(PAGE, PER_PAGE, NAME)
def configuration():
    """List every setting with its value, source and help; secrets say only ``secret``."""
    page, per_page = page_args()
    rows = effective(services().settings, NAME.read())
    return jsonify(paginated(page_of(rows, page, per_page), len(rows), page, per_page))


def _retention() -> dict[str, Any]:
    retention = services().retention
    return {"days": retention.days(), "locked": retention.locked()}


@bp.get("/retention")
@require_level("admin")
def retention():
    """Return the retention days per level, the levels the environment fixes, and statistics."""
    return jsonify({**_retention(), "stats": services().logs.stats(None)})


class RetentionChange(Body):
    """New retention days for some levels."""

    days: dict[Level, Days] = Field(min_length=1)


@bp.put("/retention")
@require_level("admin")
@accepts(RetentionChange)
def update_retention(body: RetentionChange):
    """Set the retention days of some levels (stored in config.json; audited)."""
    svc = services()
    svc.retention.update(dict(body.days), actor())
    svc.settings = svc.retention.apply_to(svc.settings)  # the configuration page shows it
    return jsonify(_retention())


def _removal(removal: Removal) -> dict[str, int]:
    return {"runs": removal.runs, "bytes": removal.bytes}


@bp.get("/retention/preview")
@require_level("admin")
@reads(PAGE, PER_PAGE, USER_TEXT)
def retention_preview():
    """Return what a clean-up now would remove: runs and bytes per level, in all, and per
    user (the paginated items, largest first; ``q`` filters user names)."""
    page, per_page = page_args()
    retention = services().retention
    levels, users = retention.preview(USER_TEXT.read())
    rows = [asdict(user) for user in page_of(users, page, per_page)]
    body = paginated(rows, len(users), page, per_page)
    return jsonify(
        {
            **body,
            "levels": {level: _removal(removal) for level, removal in levels.items()},
            "runs": sum(r.runs for r in levels.values()),
            "bytes": sum(r.bytes for r in levels.values()),
            "days": retention.days(),
        }
    )
