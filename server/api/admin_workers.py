"""The execution backend for admins: which one runs scripts, and its workers' load."""

from __future__ import annotations

from flask import Blueprint, jsonify

from server.security.access import require_level
from server.services.registry import services

bp = Blueprint("admin_workers_api", __name__, url_prefix="/api/admin")


@bp.get("/workers")
@require_level("admin")
def workers():
    """List the live workers (celery backend): host, queues, concurrency and runs now."""
    backend = services().executions.backend
    return jsonify({"backend": backend.name, "items": backend.workers()})
