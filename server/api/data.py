"""Files in a project's data folder (the user's own projects; admins any)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, jsonify, request
from flask_login import current_user

from server.api.common import actor
from server.api.query import FlagArg, reads
from server.security.access import require_level
from server.security.levels import allows
from server.security.user_files import send_user_file
from server.services.errors import InvalidInput, NotFound
from server.services.registry import services

bp = Blueprint("data_api", __name__, url_prefix="/api/data/<int:group_id>/<int:project_id>")
AS_DOWNLOAD = FlagArg("download", "1: always an attachment (a download), whatever the type.")


def project_folder(
    group_id: int, project_id: int, reading: str | None = None
) -> tuple[Path, str, str]:
    """Return the folder, owner name and project name of a project the caller may use; a
    ``reading`` of another user's project (an admin) is audited."""
    svc = services()
    is_admin = allows(current_user.user_level, "admin")
    project = svc.projects.get(current_user.id, project_id, is_admin)
    if project.group_id != group_id:
        raise NotFound(
            "Project {project_id} is not in group {group_id}.",
            project_id=project_id,
            group_id=group_id,
        )
    group = svc.catalog.group_for(group_id, current_user.user_level)
    owner = svc.users.get(project.user_id).username
    if reading is not None:
        target = f"{group.folder}/{owner}/{project.project_name}/{reading}".rstrip("/")
        svc.audit.record_foreign_read(actor(), project.user_id, "admin.read_data", target)
    return svc.projects.folder(group, owner, project), owner, project.project_name


@bp.get("/files")
@require_level("viewer")
def list_files(group_id: int, project_id: int):
    """List the files of the project folder."""
    folder, _owner, _name = project_folder(group_id, project_id, reading="")
    return jsonify({"items": services().data_files.list(folder)})


@bp.get("/<path:filename>")
@require_level("viewer")
@reads(AS_DOWNLOAD)
def read_file(group_id: int, project_id: int, filename: str):
    """Return one file of the project folder (a download unless plain text, JSON or an
    image, or always with ``download=1``; never active content)."""
    folder, _owner, _name = project_folder(group_id, project_id, reading=filename)
    path = services().data_files.read(folder, filename)
    return send_user_file(path, attachment=AS_DOWNLOAD.read())


@bp.post("/<path:filename>")
@require_level("operator")
def write_file(group_id: int, project_id: int, filename: str):
    """Create or replace a JSON file (the body is the document; written atomically); 507
    when the owner's storage quota is used up."""
    folder, owner, _name = project_folder(group_id, project_id)
    if not request.is_json:
        raise InvalidInput("The body must be JSON (Content-Type: application/json).")
    document = request.get_json(silent=True)
    if document is None and request.get_data(as_text=True).strip() != "null":
        raise InvalidInput("The body is not valid JSON.")
    services().data_files.write_json(folder, filename, document, actor(), owner=owner)
    return jsonify({"status": "saved", "name": filename}), 201


@bp.delete("/<path:filename>")
@require_level("operator")
def delete_file(group_id: int, project_id: int, filename: str):
    """Delete one file of the project folder."""
    folder, owner, _name = project_folder(group_id, project_id)
    services().data_files.delete(folder, filename, actor(), owner=owner)
    return jsonify({"status": "deleted"})


@bp.post("/backup")
@require_level("operator")
def backup(group_id: int, project_id: int):
    """Zip the project folder into the backups folder (507 past the storage quota)."""
    folder, owner, name = project_folder(group_id, project_id)
    target = services().project_backups.create(folder, owner, name, actor())
    return jsonify({"backup": target.name}), 201
