"""Logs for admins: every user's runs, system logs, audit events, exports."""

from __future__ import annotations

import json
from collections import deque
from typing import Literal

from flask import Blueprint, jsonify

from server.api.common import PAGE, PER_PAGE, Body, accepts, actor, page_args, paginated
from server.api.logs import LIST_ARGS, attachment, export_csv, listing
from server.api.presenters import execution_json
from server.api.query import ChoiceArg, IntArg, QueryArg, reads
from server.security.access import require_level
from server.services.logs import LogFilters
from server.services.registry import services

bp = Blueprint("admin_logs_api", __name__, url_prefix="/api/admin/logs")
SYSTEM_LOGS = ("application", "error", "access")
MAX_EXPORT = 10_000
LOG_NAME = ChoiceArg("name", "Which log.", choices=SYSTEM_LOGS, default="application")
LINES = IntArg("lines", "How many of the last lines.", maximum=5000, default=200)
ACTION = QueryArg("action", "Only actions starting with this text.")


@bp.get("/execution")
@require_level("admin")
@reads(*LIST_ARGS)
def all_runs():
    """List every user's runs, with the same filters as /api/logs/execution."""
    return listing(None)


@bp.get("/user/<int:user_id>")
@require_level("admin")
@reads(*LIST_ARGS)
def user_runs(user_id: int):
    """List one user's runs."""
    services().users.get(user_id)
    return listing(user_id)


@bp.delete("/user/<int:user_id>")
@require_level("admin")
def delete_user_runs(user_id: int):
    """Delete every finished run of one user."""
    services().users.get(user_id)
    return jsonify({"removed": services().logs.delete_user_logs(user_id, actor())})


@bp.get("/system")
@require_level("admin")
@reads(LOG_NAME, LINES)
def system_log():
    """Return the last lines of a system log: ``?name=application|error|access&lines=``."""
    name, count = LOG_NAME.read(), LINES.read()
    path = services().layout.system_logs / f"{name}.log"
    lines: deque[str] = deque(maxlen=count)
    if path.is_file():
        with path.open(encoding="utf-8", errors="replace") as handle:
            lines.extend(line.rstrip("\n") for line in handle)
    return jsonify({"name": name, "items": list(lines)})


@bp.get("/audit")
@require_level("admin")
@reads(PAGE, PER_PAGE, ACTION)
def audit_events():
    """List audit events, newest first (``?action=`` filters by action prefix)."""
    page, per_page = page_args()
    rows, total = services().audit.events(page, per_page, ACTION.read())
    items = [
        {
            "time": row.occurred_at.isoformat() + "Z",
            "username": row.username,
            "remote_addr": row.remote_addr,
            "scope": row.scope,
            "action": row.action,
            "target": row.target,
            "details": row.details,
        }
        for row in rows
    ]
    return jsonify(paginated(items, total, page, per_page))


class ExportRequest(Body):
    """The export's format."""

    format: Literal["json", "csv"] = "json"


@bp.post("/export")
@require_level("admin")
@accepts(ExportRequest, optional=True)
def export(body: ExportRequest):
    """Export runs of every user as JSON or CSV (``{"format": "json"|"csv"}``)."""
    kind = body.format
    logs = services().logs
    rows, _total = logs.list(None, LogFilters(), per_page=MAX_EXPORT)
    data = [execution_json(r, logs.outputs(r)) for r in rows]
    if kind == "csv":
        return attachment(export_csv(data), "text/csv", "executions.csv")
    return attachment(json.dumps(data, ensure_ascii=False), "application/json", "executions.json")
