"""Data folders for admins: every user's disk use and quota, and per project folder."""

from __future__ import annotations

import re

from flask import Blueprint, jsonify

from server.api.common import PAGE, PER_PAGE, page_args, paginated
from server.api.query import QueryArg, reads
from server.security.access import require_level
from server.services.errors import InvalidInput
from server.services.quota.service import UserStorage
from server.services.registry import services

bp = Blueprint("admin_data_api", __name__, url_prefix="/api/admin/data")
USER = QueryArg(
    "user",
    "Only users whose name contains this text (any case).",
    pattern=r"^[A-Za-z0-9._-]{1,50}$",
)


def user_filter() -> str | None:
    """Return the ``user`` argument; raise InvalidInput unless it could be part of a name."""
    value = USER.read()
    if value is not None and not re.search(USER.pattern or "", value):
        raise InvalidInput(
            "user: up to 50 letters, digits, dots, dashes or underscores.", field="user"
        )
    return value


def storage_json(storage: UserStorage) -> dict[str, object]:
    """Shape one user's disk use and quota."""
    user, usage = storage.user, storage.usage
    return {
        "user_id": user.id,
        "username": user.username,
        "user_level": user.user_level,
        "is_active": user.is_active,
        "data_bytes": usage.data_bytes,
        "log_bytes": usage.log_bytes,
        "projects": len(usage.projects),
        "storage_quota_mb": user.storage_quota_mb,
        "complete": usage.error is None,
        **storage.status.as_dict(),
    }


@bp.get("/usage")
@require_level("admin")
@reads(PAGE, PER_PAGE, USER)
def usage():
    """List users by name with their disk use (data, logs), quota and state; ``user``
    filters by name; ``default_quota_mb`` is STORAGE_QUOTA_MB (0: none)."""
    page, per_page = page_args()
    quotas = services().quotas
    rows, total = quotas.users_page(page, per_page, user_filter())
    body = paginated([storage_json(row) for row in rows], total, page, per_page)
    return jsonify({**body, "default_quota_mb": quotas.default_mb})


@bp.get("/projects")
@require_level("admin")
@reads(PAGE, PER_PAGE, USER)
def projects():
    """List project folders, largest first, with their user, group folder and bytes, and
    the ids of the project owning each (null for a folder no project owns)."""
    page, per_page = page_args()
    svc = services()
    rows, total = svc.quotas.projects_page(page, per_page, user_filter())
    items = []
    for user, project in rows:
        owner = svc.projects.at_folder(user.id, project.group, project.project)
        items.append(
            {
                "user_id": user.id,
                "username": user.username,
                "group": project.group,
                "project": project.project,
                "bytes": project.bytes,
                "group_id": owner.group_id if owner else None,
                "project_id": owner.id if owner else None,
            }
        )
    return jsonify(paginated(items, total, page, per_page))
