"""Run history of the logged-in user (admins may read every run)."""

from __future__ import annotations

import csv
import io
import json

from flask import Blueprint, Response, jsonify, request, send_file
from flask_login import current_user

from server.api.common import PAGE, PER_PAGE, actor, page_args, paginated
from server.api.mark_presenters import add_marks
from server.api.presenters import execution_json, live_execution_json
from server.api.query import BoolArg, ChoiceArg, DateArg, IntArg, QueryArg, reads
from server.models import ExecutionLog
from server.security.access import require_level
from server.security.levels import allows
from server.services.errors import InvalidInput
from server.services.log_navigation import DIRECTIONS, STREAMS
from server.services.logs import SORTS, STATUSES, LogFilters
from server.services.registry import services
from server.web import current_language

bp = Blueprint("logs_api", __name__, url_prefix="/api/logs")
MAX_RANGE = 4 * 1024 * 1024
EXPORT_FIELDS = (
    "execution_id", "script_name", "status", "exit_code", "start_time", "end_time",
    "duration_seconds", "project_id", "parameters", "output", "error_output", "debug_output",
)  # fmt: skip


def is_admin() -> bool:
    """Return True for admins."""
    return allows(current_user.user_level, "admin")


# The filters of a run list, keyed by their LogFilters field.
FILTERS: dict[str, QueryArg] = {
    "script_id": IntArg("script_id", "Runs of this script."),
    "project_id": IntArg("project_id", "Runs in this project."),
    "status": ChoiceArg("status", "Runs in this state.", choices=STATUSES),
    "date_from": DateArg("date_from", "Runs started on or after this day."),
    "date_to": DateArg("date_to", "Runs started on or before this day."),
    "min_duration": IntArg("min_duration", "At least this many seconds.", minimum=0),
    "max_duration": IntArg("max_duration", "At most this many seconds.", minimum=0),
    "text": QueryArg("q", "Words in the output or parameters, or in your note on the run."),
    "starred": BoolArg("starred", "Runs you starred (true) or did not (false)."),
}
SORT = ChoiceArg("sort", "Sort key.", choices=tuple(SORTS), default="start_time")
ORDER = ChoiceArg("order", "Sort order.", choices=("asc", "desc"), default="desc")
LIST_ARGS = (PAGE, PER_PAGE, SORT, ORDER, *FILTERS.values())
SEARCH_ARGS = (
    QueryArg("q", "Words to search for.", required=True),
    *(arg for arg in LIST_ARGS if arg is not FILTERS["text"]),
)
OFFSET = IntArg("offset", "First byte (the end of the log when absent).", minimum=0)
LENGTH = IntArg("length", "Bytes to return.", maximum=MAX_RANGE, default=256 * 1024)
FORMAT = ChoiceArg("format", "File format.", choices=("txt", "json", "csv", "pdf"), default="txt")
LINE = IntArg("line", "First line, 1-based (instead of offset).")
STREAM = ChoiceArg(
    "stream", "Every line, or the stderr lines alone.", choices=STREAMS, default="all"
)
DIRECTION = ChoiceArg(
    "direction", "Forwards (next) or backwards (prev).", choices=DIRECTIONS, default="next"
)
FIND_TEXT = QueryArg(
    "q", "Text to find in a line, any case (at most 200 characters).", required=True
)
AFTER = IntArg(
    "after", "While the run goes: only what was captured after this cursor (the cursor of "
    "an earlier answer); ignored once it has ended.", minimum=0,
)  # fmt: skip
FROM = IntArg(
    "from", "Byte offset: next finds lines starting here or later, prev lines before it "
    "(the start, or for prev the end, when absent).", minimum=0,
)  # fmt: skip


def filters_from_request(**fixed: object) -> LogFilters:
    """Read list filters from the query string (the caller's marks count); raise
    InvalidInput naming a bad one."""
    values = {field: arg.read() for field, arg in FILTERS.items() if field not in fixed}
    return LogFilters(**values, marker=current_user.id, **fixed)


def listing(user_id: int | None, labelled: bool = False, **fixed: object):
    """Answer a paginated, filtered, sorted list of runs; ``labelled`` adds the owner's
    user name and the project's name to each run. The total is counted up to a cap:
    ``total_is_lower_bound`` says there are at least that many runs."""
    page, per_page = page_args()
    sort = SORT.read()
    descending = ORDER.read() == "desc"
    logs = services().logs
    found = logs.list(user_id, filters_from_request(**fixed), sort, descending, page, per_page)
    items = [execution_json(r) for r in found.rows]
    add_marks(items, found.rows)
    if labelled:
        usernames, projects = logs.labels(found.rows)
        for item in items:
            item["username"] = usernames.get(item["user_id"])
            item["project_name"] = projects.get(item["project_id"])
    body = paginated(items, found.total, page, per_page)
    return jsonify({**body, "total_is_lower_bound": found.total_is_lower_bound})


def owned(execution_id: str) -> ExecutionLog:
    """Return a run the caller may read."""
    return services().logs.read(execution_id, actor(), is_admin())


@bp.get("/execution")
@require_level("viewer")
@reads(*LIST_ARGS)
def list_runs():
    """List the user's runs: filters script_id, project_id, status, date_from, date_to,
    min_duration, max_duration, q, starred; each run carries the caller's ``starred`` and
    ``note`` (admins: ``other_marks``, the other users' ones); sort
    start_time|duration|status|script|project."""
    return listing(current_user.id)


@bp.get("/search")
@require_level("viewer")
@reads(*SEARCH_ARGS)
def search():
    """Search the user's runs by words in their output and parameters (``?q=``)."""
    if not request.args.get("q"):
        raise InvalidInput("q: give at least one word to search for.", field="q")
    return listing(current_user.id)


@bp.get("/script/<int:script_id>")
@require_level("viewer")
@reads(*(arg for arg in LIST_ARGS if arg is not FILTERS["script_id"]))
def script_runs(script_id: int):
    """List the user's runs of one script."""
    return listing(current_user.id, script_id=script_id)


@bp.get("/project/<int:project_id>")
@require_level("viewer")
@reads(*(arg for arg in LIST_ARGS if arg is not FILTERS["project_id"]))
def project_runs(project_id: int):
    """List the user's runs in one project."""
    services().projects.get(current_user.id, project_id, is_admin())
    return listing(current_user.id, project_id=project_id)


@bp.get("/execution/<execution_id>")
@require_level("viewer")
@reads(AFTER)
def run_detail(execution_id: str):
    """Return a run with its output. While it runs, the end of what has been captured
    (of what followed ``after``, the ``cursor`` of an earlier answer, when given), the new
    ``cursor``, ``<stream>_truncated`` when lines before were left out and ``log_url``;
    a finished run answers in full."""
    after = AFTER.read()
    record = owned(execution_id)
    live = services().logs.live_tail(record, after)
    if live is not None:
        return jsonify(live_execution_json(record, live))
    return jsonify(execution_json(record, services().logs.outputs(record)))


@bp.get("/execution/<execution_id>/content")
@require_level("viewer")
@reads(OFFSET, LENGTH, LINE, STREAM, DIRECTION)
def run_content(execution_id: str):
    """Return whole lines of the log file from ``offset`` or ``line`` (the end when
    neither), with ``line``, the number of the first; ``stream=stderr``: the stderr lines
    alone, ``direction=next|prev`` of the offset, with ``next_offset`` and ``done``."""
    offset, length, line = OFFSET.read(), LENGTH.read(), LINE.read()
    stream, direction = STREAM.read(), DIRECTION.read()
    path = services().logs.log_file(owned(execution_id))
    return jsonify(services().log_navigation.content(path, offset, length, line, stream, direction))


@bp.get("/execution/<execution_id>/find")
@require_level("viewer")
@reads(FIND_TEXT, FROM, DIRECTION, STREAM)
def find_in_log(execution_id: str):
    """Find the next (or previous) line of the log file holding ``q``:
    {found, offset, line, column, size}."""
    text, start, direction, stream = FIND_TEXT.read(), FROM.read(), DIRECTION.read(), STREAM.read()
    path = services().logs.log_file(owned(execution_id))
    return jsonify(services().log_navigation.find(path, text, start, direction, stream))


@bp.get("/execution/<execution_id>/download")
@require_level("viewer")
@reads(FORMAT)
def download(execution_id: str):
    """Download the run: ``format=txt`` (the full log file), ``json``, ``csv`` or ``pdf``
    (a report: the facts, the parameters with secrets masked, the output, cut when long)."""
    kind = FORMAT.read()
    record = owned(execution_id)
    name = f"execution_{record.execution_uuid}"
    if kind == "txt":
        return send_file(
            services().logs.log_file(record), mimetype="text/plain", as_attachment=True,
            download_name=f"{name}.log",
        )  # fmt: skip
    if kind == "pdf":
        report = services().reports.pdf(record, current_language())
        return Response(report, mimetype="application/pdf", headers=disposition(f"{name}.pdf"))
    data = execution_json(record, services().logs.outputs(record))
    if kind == "json":
        body = json.dumps(data, indent=2, ensure_ascii=False)
        return attachment(body, "application/json", f"{name}.json")
    return attachment(export_csv([data]), "text/csv", f"{name}.csv")


@bp.delete("/execution/<execution_id>")
@require_level("viewer")
def delete_run(execution_id: str):
    """Delete one of the user's finished runs and its log file."""
    record = services().logs.get(execution_id, current_user.id, is_admin=False)
    services().logs.delete(record, actor())
    return jsonify({"status": "deleted"})


@bp.post("/cleanup")
@require_level("admin")
def cleanup():
    """Apply the retention policy now (LOG_RETENTION_DAYS_<LEVEL> by the owner's level)."""
    return jsonify({"removed": services().retention.cleanup(actor())})


@bp.get("/stats")
@require_level("viewer")
def stats():
    """Return the user's run statistics and log storage use."""
    return jsonify(services().logs.stats(current_user.id))


def attachment(body: str, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers=disposition(filename))


def disposition(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def export_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "parameters": json.dumps(row.get("parameters") or {})})
    return buffer.getvalue()
