"""System backups (admin): take, list, delete, restore, and the service's status."""

from __future__ import annotations

from flask import Blueprint, jsonify
from pydantic import Field

from server.api.common import PAGE, PER_PAGE, Body, accepts, actor, page_args, paginated
from server.api.presenters import request_language
from server.api.query import DateArg, reads
from server.security.access import require_level
from server.services.errors import InvalidInput
from server.services.registry import services

bp = Blueprint("system_api", __name__, url_prefix="/api/system")
BACKUP_ID_PATTERN = r"^\d{8}_\d{6}(_\d{1,3})?$"
DAY = DateArg("date", "Only the backups of this day.")


class RestoreRequest(Body):
    """The confirmation of a restore: the backup's id, typed again."""

    confirm: str = Field(pattern=BACKUP_ID_PATTERN)


@bp.post("/backup")
@require_level("admin")
def create_backup():
    """Start a system backup of the data tree now (202; progress in backup-status)."""
    return jsonify(services().backups.start_backup(actor())), 202


@bp.get("/backups")
@require_level("admin")
@reads(PAGE, PER_PAGE, DAY)
def list_backups():
    """List the system backups, newest first (``?date=YYYY-MM-DD`` for one day's)."""
    page, per_page = page_args()
    day = DAY.read()
    found = [b.as_dict() for b in services().backups.list()]
    found = [b for b in found if day is None or b["date"] == day.isoformat()]
    start = (page - 1) * per_page
    return jsonify(paginated(found[start : start + per_page], len(found), page, per_page))


@bp.delete("/backups/<backup_id>")
@require_level("admin")
def delete_backup(backup_id: str):
    """Delete one system backup."""
    services().backups.delete(backup_id, actor())
    return jsonify({"deleted": backup_id})


@bp.post("/backups/<backup_id>/restore")
@require_level("admin")
@accepts(RestoreRequest)
def restore_backup(body: RestoreRequest, backup_id: str):
    """Replace the data tree with a backup (202; progress in backup-status). Every run is
    stopped first; the body repeats the backup's id as the confirmation."""
    svc = services()
    if body.confirm != backup_id:
        raise InvalidInput("The confirmation does not name this backup.", field="confirm")
    return jsonify(svc.backups.start_restore(backup_id, actor(), svc.restore_quiescer())), 202


@bp.get("/backup-status")
@require_level("admin")
def backup_status():
    """Return the backup service's state: next run, last result, the running job."""
    svc = services()
    status = svc.backups.status()
    last = status["last_result"]
    if isinstance(last, dict):  # the failure's message in the asker's language
        last["message"] = svc.i18n.message(last.get("message"), request_language())
    return jsonify(status)
