"""The logged-in user's own preferences and storage quota."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user

from server.api.common import Body, Language, Theme, accepts, actor
from server.security.access import require_level
from server.services.registry import services

bp = Blueprint("user_api", __name__, url_prefix="/api/user")


class Preferences(Body):
    """Language and theme; absent fields stay as they are."""

    language: Language | None = None
    theme: Theme | None = None


@bp.post("/preferences")
@require_level("viewer")
@accepts(Preferences)
def set_preferences(body: Preferences):
    """Save the user's language (en, es, it, fr) and theme (light, dark)."""
    user = services().users.set_preferences(current_user.id, body.language, body.theme, actor())
    return jsonify(
        {"preferences": {"language": user.preferred_language, "theme": user.preferred_theme}}
    )


@bp.get("/quota")
@require_level("viewer")
def quota():
    """Return the user's disk use against their storage quota: used_bytes, quota_bytes
    (null: no quota), percent (null without a quota) and state (ok, warning, full)."""
    return jsonify(services().quotas.status(current_user.id).as_dict())
