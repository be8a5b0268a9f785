"""The catalog for admins: permissions, environments per group, discovery, documentation."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from server.api.common import PAGE, PER_PAGE, actor, page_args, paginated
from server.api.presenters import request_language
from server.api.query import ChoiceArg, IntArg, QueryArg, reads
from server.models import Script, ScriptGroup
from server.security.access import require_level
from server.services.catalog.discovery import ScanReport
from server.services.catalog.environments import as_dict
from server.services.catalog.overview import ENVIRONMENT_KINDS, PROBLEM_KINDS, page_of
from server.services.catalog.scan_warnings import warning_texts
from server.services.catalog.view import effective_group, effective_script, localised_text
from server.services.registry import services
from server.settings import LANGUAGES

bp = Blueprint("admin_catalog_api", __name__, url_prefix="/api/admin")
GROUP = IntArg("group_id", "Only this group's scripts.")
TEXT = QueryArg("q", "Names containing this text (any case).")
PROBLEM_KIND = ChoiceArg("kind", "Only groups or only scripts.", choices=PROBLEM_KINDS)
ENV_KIND = ChoiceArg("kind", "Only this kind of interpreter.", choices=ENVIRONMENT_KINDS)
MISSING = ChoiceArg(
    "missing", "Only scripts lacking a document in this language.", choices=LANGUAGES
)


def _group_name(group: ScriptGroup) -> str:
    return localised_text(effective_group(group)["name"], request_language()) or group.name


def _script_row(script: Script, group: ScriptGroup) -> dict[str, Any]:
    meta = effective_script(script, group)
    return {
        "id": script.id,
        "filename": script.filename,
        "display_name": localised_text(meta["display_name"], request_language()) or script.filename,
        "group_id": group.id,
        "group_name": _group_name(group),
        "group_required_level": group.required_level,
        "required_level": meta["required_level"],
        "required_level_edited": "required_level" in (script.edited or {}),
    }


@bp.get("/scripts")
@require_level("admin")
@reads(PAGE, PER_PAGE, GROUP, TEXT)
def scripts():
    """List every active script by group, with its required level (the permission matrix)."""
    page, per_page = page_args()
    rows, total = services().overview.scripts(GROUP.read(), TEXT.read(), page, per_page)
    return jsonify(paginated([_script_row(s, g) for s, g in rows], total, page, per_page))


@bp.get("/groups")
@require_level("admin")
@reads(PAGE, PER_PAGE, TEXT)
def groups():
    """List every active group with the Python environment it runs in."""
    page, per_page = page_args()
    rows, total = services().overview.groups(TEXT.read(), page, per_page)
    items = [
        {
            "id": group.id,
            "name": _group_name(group),
            "folder": group.folder,
            "required_level": group.required_level,
            "conda_environment": group.conda_environment,
            "environment_edited": "conda_environment" in (group.edited or {}),
        }
        for group in rows
    ]
    return jsonify(paginated(items, total, page, per_page))


@bp.get("/environments")
@require_level("admin")
@reads(PAGE, PER_PAGE, TEXT, ENV_KIND)
def environments():
    """List the manager's Python and the detected environments (``q`` in name or path)."""
    page, per_page = page_args()
    svc = services()
    found = svc.overview.environments(TEXT.read(), ENV_KIND.read())
    body = paginated(
        [as_dict(e) for e in page_of(found, page, per_page)], len(found), page, per_page
    )
    conda = svc.environments.conda_executable
    message = svc.i18n.message(svc.environments.last_error, request_language())
    return jsonify({**body, "conda_executable": conda, "message": message})


def _report(report: ScanReport | None) -> dict[str, Any] | None:
    if report is None:
        return None
    return {
        "finished_at": report.finished_at.isoformat() + "Z" if report.finished_at else None,
        "seconds": round(report.seconds, 3),
        "groups": report.groups,
        "scripts": report.scripts,
        "parsed": report.parsed,
        "problems": report.problems,
    }


@bp.get("/discovery")
@require_level("admin")
@reads(PAGE, PER_PAGE, PROBLEM_KIND, TEXT)
def discovery():
    """Return the last full scan's report and the groups and scripts with warnings."""
    page, per_page = page_args()
    overview, catalog, language = services().overview, services().i18n.messages, request_language()
    problems = overview.problems(PROBLEM_KIND.read(), TEXT.read())
    items = [
        {**vars(problem), "warnings": warning_texts(problem.warnings, catalog, language)}
        for problem in page_of(problems, page, per_page)
    ]
    report, scanning = overview.last_scan()
    body = paginated(items, len(problems), page, per_page)
    return jsonify({**body, "last_scan": _report(report), "scanning": scanning})


@bp.post("/discovery/scan")
@require_level("admin")
def rescan():
    """Scan every group folder again now; answer the scan's report."""
    return jsonify({"last_scan": _report(services().overview.rescan(actor()))})


@bp.get("/documentation")
@require_level("admin")
@reads(PAGE, PER_PAGE, MISSING, GROUP, TEXT)
def documentation():
    """List each script's documented languages; ``missing=<lang>``: those lacking it."""
    page, per_page = page_args()
    overview = services().overview
    found, coverage = overview.documentation(MISSING.read(), TEXT.read(), GROUP.read())
    items = [
        {
            **{k: v for k, v in _script_row(d.script, d.group).items() if "level" not in k},
            "languages": {lang: lang in d.languages for lang in LANGUAGES},
        }
        for d in page_of(found, page, per_page)
    ]
    body = paginated(items, len(found), page, per_page)
    return jsonify({**body, "coverage": coverage, "languages": list(LANGUAGES)})
