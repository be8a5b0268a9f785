"""A project's files in bulk: uploads, the whole folder as a zip made while it is sent, and
the project's zip backups (the same ownership rules as the other data routes)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, jsonify, request, send_file

from server.api.common import actor
from server.api.data import project_folder
from server.security.access import require_level
from server.security.user_files import USER_FILE_POLICY
from server.services.errors import InvalidInput
from server.services.project_zip import project_entries, stream_zip
from server.services.registry import services

bp = Blueprint(
    "project_files_api", __name__, url_prefix="/api/data/<int:group_id>/<int:project_id>"
)
ZIP = "application/zip"


def _download(response: Response) -> Response:
    """Mark a zip answer as a download that can never act as a page."""
    response.headers["Content-Security-Policy"] = USER_FILE_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/archive")
@require_level("viewer")
def archive(group_id: int, project_id: int):
    """Send the whole project folder as ``<group>_<project>_<YYYYMMDD_HHMMSS>.zip``, zipped
    while it is sent; links are never followed and names are relative to the project."""
    folder, _owner, name = project_folder(group_id, project_id, reading="")
    entries = project_entries(folder)
    stamp = datetime.now().strftime("%Y%m%d_%H%M%S")
    response = Response(stream_zip(entries), mimetype=ZIP)
    filename = f"{folder.parent.parent.name}_{name}_{stamp}.zip"
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return _download(response)


@bp.post("/files")
@require_level("operator")
def upload_files(group_id: int, project_id: int):
    """Store uploaded files (multipart ``files`` fields) at the top of the project folder;
    413 past MAX_UPLOAD_SIZE, 507 past the owner's storage quota."""
    folder, owner, _name = project_folder(group_id, project_id)
    if request.mimetype != "multipart/form-data":
        raise InvalidInput("Send the files as multipart/form-data, each in a files field.")
    uploads = request.files.getlist("files")
    if not uploads:
        raise InvalidInput("{field}: choose at least one file to upload.", field="files")
    data_files, who = services().data_files, actor()
    saved = [
        data_files.upload(folder, upload.filename or "", upload.stream, who, owner=owner)
        for upload in uploads
    ]
    return jsonify({"items": saved}), 201


@bp.get("/backups")
@require_level("viewer")
def list_backups(group_id: int, project_id: int):
    """List the project's zip backups, newest first (name, size, created)."""
    folder, owner, name = project_folder(group_id, project_id, reading="backups")
    return jsonify({"items": services().project_backups.list(folder, owner, name)})


@bp.get("/backups/<backup_name>")
@require_level("viewer")
def download_backup(group_id: int, project_id: int, backup_name: str):
    """Send one of the project's zip backups as a download (404 for any other name)."""
    reading = f"backups/{backup_name}"
    folder, owner, project = project_folder(group_id, project_id, reading=reading)
    path = services().project_backups.find(folder, owner, project, backup_name)
    response = send_file(
        path, mimetype=ZIP, as_attachment=True, download_name=backup_name, max_age=0
    )
    return _download(response)


@bp.delete("/backups/<backup_name>")
@require_level("operator")
def delete_backup(group_id: int, project_id: int, backup_name: str):
    """Delete one of the project's zip backups."""
    folder, owner, project = project_folder(group_id, project_id)
    services().project_backups.delete(folder, owner, project, backup_name, actor())
    return jsonify({"status": "deleted"})
