"""The page of one project's files: list, upload, download, delete, and its zip backups."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from server.api.data import project_folder
from server.api.presenters import group_json
from server.security.access import require_level
from server.security.levels import allows
from server.services.registry import services

bp = Blueprint("project_pages", __name__)


@bp.get("/projects/<int:group_id>/<int:project_id>")
@require_level("viewer")
def files(group_id: int, project_id: int):
    """Show a project's files and backups (the user's own project; admins any)."""
    _folder, owner, _name = project_folder(group_id, project_id)
    svc = services()
    is_admin = allows(current_user.user_level, "admin")
    project = svc.projects.get(current_user.id, project_id, is_admin)
    group = svc.catalog.group_for(group_id, current_user.user_level)
    return render_template(
        "projects/files.html",
        project=project,
        group=group_json(group),
        owner=owner,
        max_upload=current_app.config.get("MAX_CONTENT_LENGTH") or 0,
    )
