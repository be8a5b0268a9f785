"""Logs for admins: every user's runs, system logs, audit events, exports."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Literal

from flask import Blueprint, jsonify

from server.api.common import PAGE, PER_PAGE, Body, accepts, actor, page_args, paginated
from server.api.logs import LIST_ARGS, attachment, export_csv, listing
from server.api.presenters import execution_json
from server.api.query import ChoiceArg, DateArg, IntArg, QueryArg, reads
from server.security.access import require_level
from server.services.audit import AuditFilters
from server.services.logs import LogFilters
from server.services.registry import services
from server.services.system_log_reader import LEVELS, SYSTEM_LOGS

bp = Blueprint("admin_logs_api", __name__, url_prefix="/api/admin/logs")
MAX_EXPORT = 10_000
LOG_NAME = ChoiceArg("name", "Which log.", choices=SYSTEM_LOGS, default="application")
LINES = IntArg("lines", "Read only the file's last lines (all when absent).", maximum=5000)
LOG_LEVEL = ChoiceArg("level", "This level and above (application and error).", choices=LEVELS)
LOG_TEXT = QueryArg("q", "Records containing this text (any case).")
AUDIT_FILTERS = {
    "action": QueryArg("action", "Only actions starting with this text."),
    "username": QueryArg("actor", "Only this user's actions (user name)."),
    "target": QueryArg("target", "Only targets containing this text."),
    "date_from": DateArg("date_from", "Events on or after this day (UTC)."),
    "date_to": DateArg("date_to", "Events on or before this day (UTC)."),
}
USER = IntArg("user_id", "Runs of this user.")
PROJECT = QueryArg("project", "Runs in projects of this name (any user's).")


@bp.get("/execution")
@require_level("admin")
@reads(*LIST_ARGS, USER, PROJECT)
def all_runs():
    """List every user's runs, with the filters of /api/logs/execution and user_id, project;
    each run also names its user and project."""
    user_id = USER.read()
    if user_id is not None:
        services().users.get(user_id)
    return listing(user_id, labelled=True, project_name=PROJECT.read())


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
@reads(LOG_NAME, LOG_LEVEL, LOG_TEXT, PAGE, PER_PAGE, LINES)
def system_log():
    """Return a system log's records, newest first: ``?name=application|error|access``,
    ``level`` (and above), ``q`` (text), paginated; each record has time, level, text."""
    name, (page, per_page) = LOG_NAME.read(), page_args()
    records, total = services().system_logs.tail(
        name, LOG_LEVEL.read(), LOG_TEXT.read(), page, per_page, LINES.read()
    )
    body = paginated([asdict(record) for record in records], total, page, per_page)
    return jsonify({"name": name, **body})


@bp.get("/audit")
@require_level("admin")
@reads(PAGE, PER_PAGE, *AUDIT_FILTERS.values())
def audit_events():
    """List audit events, newest first: filters action (prefix), actor (user name), target
    (substring), date_from, date_to."""
    page, per_page = page_args()
    filters = AuditFilters(**{field: arg.read() for field, arg in AUDIT_FILTERS.items()})
    rows, total = services().audit.events(page, per_page, filters)
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
    rows = logs.list(None, LogFilters(), per_page=MAX_EXPORT, texts=True).rows
    data = [execution_json(r, logs.outputs(r)) for r in rows]
    if kind == "csv":
        return attachment(export_csv(data), "text/csv", "executions.csv")
    return attachment(json.dumps(data, ensure_ascii=False), "application/json", "executions.json")


@bp.get("/stats")
@require_level("admin")
def stats():
    """Return every user's run statistics and log storage use."""
    return jsonify(services().logs.stats(None))
