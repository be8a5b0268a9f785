"""User management for admins: list, create, update, deactivate, delete, projects, reset."""

from __future__ import annotations

from typing import Annotated

from flask import Blueprint, jsonify
from pydantic import Field

from server.api.common import (
    PAGE,
    PER_PAGE,
    Body,
    Email,
    Language,
    Level,
    NewPassword,
    Theme,
    Username,
    accepts,
    actor,
    page_args,
    paginated,
)
from server.api.presenters import iso_time
from server.api.query import reads
from server.models import User, UserProject
from server.security.access import require_level
from server.services.quota.service import MAX_QUOTA_MB
from server.services.registry import services
from server.services.users import UserChanges

bp = Blueprint("admin_users_api", __name__, url_prefix="/api/admin/users")
QuotaMb = Annotated[
    int,
    Field(ge=0, le=MAX_QUOTA_MB, description="MB of 1,048,576 bytes; 0: no quota."),
]


class NewUser(Body):
    """A user to create."""

    username: Username
    email: Email
    password: NewPassword
    user_level: Level


class UserUpdate(Body):
    """Fields to change; absent fields stay as they are."""

    email: Email | None = None
    user_level: Level | None = None
    is_active: bool | None = None
    password: NewPassword | None = None
    preferred_language: Language | None = None
    preferred_theme: Theme | None = None
    storage_quota_mb: QuotaMb | None = Field(
        default=None, description="The user's own storage quota; null: STORAGE_QUOTA_MB."
    )


def user_json(user: User) -> dict[str, object]:
    """Shape a user for the API (never the password hash)."""
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "user_level": user.user_level,
        "preferred_language": user.preferred_language,
        "preferred_theme": user.preferred_theme,
        "is_active": user.is_active,
        "storage_quota_mb": user.storage_quota_mb,
        "created_at": iso_time(user.created_at),
        "last_login": iso_time(user.last_login),
    }


def project_json(project: UserProject) -> dict[str, object]:
    """Shape a project for the API."""
    return {
        "id": project.id,
        "project_name": project.project_name,
        "group_id": project.group_id,
        "description": project.description,
        "is_default": project.is_default,
        "created_at": iso_time(project.created_at),
        "last_accessed": iso_time(project.last_accessed),
    }


@bp.get("")
@require_level("admin")
@reads(PAGE, PER_PAGE)
def list_users():
    """List users, paginated."""
    page, per_page = page_args()
    users, total = services().users.list(page, per_page)
    return jsonify(paginated([user_json(u) for u in users], total, page, per_page))


@bp.post("")
@require_level("admin")
@accepts(NewUser)
def create_user(body: NewUser):
    """Create a user."""
    user = services().users.create(
        body.username, body.email, body.password, body.user_level, actor()
    )
    return jsonify({"user": user_json(user)}), 201


@bp.get("/<int:user_id>")
@require_level("admin")
def get_user(user_id: int):
    """Return one user."""
    return jsonify({"user": user_json(services().users.get(user_id))})


@bp.put("/<int:user_id>")
@require_level("admin")
@accepts(UserUpdate)
def update_user(user_id: int, body: UserUpdate):
    """Change a user; deactivation and a new password revoke the user's sessions;
    ``storage_quota_mb`` null returns the user to the default quota."""
    svc = services()
    changes = UserChanges(**body.model_dump(exclude_unset=True))
    user, revoke = svc.users.update(user_id, changes, actor())
    if revoke:
        svc.auth.revoke_all(user.id)
    return jsonify({"user": user_json(user)})


@bp.delete("/<int:user_id>")
@require_level("admin")
def delete_user(user_id: int):
    """Delete a user (not oneself, not the last admin)."""
    services().users.delete(user_id, actor())
    return jsonify({"status": "deleted"})


@bp.get("/<int:user_id>/projects")
@require_level("admin")
def user_projects(user_id: int):
    """List a user's projects."""
    return jsonify({"items": [project_json(p) for p in services().users.projects(user_id)]})


@bp.post("/<int:user_id>/reset-data")
@require_level("admin")
def reset_data(user_id: int):
    """Delete a user's data folders and non-default projects."""
    return jsonify(services().users.reset_data(user_id, actor()))
