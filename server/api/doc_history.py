"""The edit history of script documentation: versions, diffs and restores (developer+)."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, jsonify
from flask_login import current_user

from server.api.common import PAGE, PER_PAGE, Body, Language, accepts, actor, page_args, paginated
from server.api.presenters import iso_time, request_language
from server.api.query import ChoiceArg, IntArg, reads
from server.models import DocVersion
from server.security.access import require_level
from server.services.registry import services
from server.settings import LANGUAGES

bp = Blueprint("doc_history_api", __name__, url_prefix="/api/scripts/<int:script_id>/docs/history")
LANG = ChoiceArg("lang", "The document's language (the caller's when absent).", choices=LANGUAGES)
AGAINST = IntArg("against", "The version to compare with (the one before when absent).")


class RestoreTarget(Body):
    """The language of the document to restore (``?lang=`` or the caller's when absent)."""

    language: Language | None = None


def version_json(row: DocVersion) -> dict:
    """Shape a version for the API, without its text."""
    return {
        "version": row.version,
        "language": row.language,
        "created": iso_time(row.created_at),
        "author": row.author_name,
        "size": row.size,
        "source": row.source,
    }


def _language() -> str:
    """Return ``?lang=`` (raise InvalidInput naming it when unsupported), else the caller's."""
    return LANG.read() or request_language()


@bp.get("")
@require_level("developer")
@reads(LANG, PAGE, PER_PAGE)
def list_versions(script_id: int):
    """List the recorded versions of a script's document, newest first, paginated."""
    svc = services()
    script, _group = svc.catalog.script_for(script_id, current_user.user_level)
    language = _language()
    page, per_page = page_args()
    rows, total = svc.doc_history.versions(script, language, page, per_page)
    return jsonify(paginated([version_json(row) for row in rows], total, page, per_page))


@bp.get("/<int:version>")
@require_level("developer")
@reads(LANG)
def get_version(script_id: int, version: int):
    """Return one version of a document: its Markdown and its sanitised HTML."""
    svc = services()
    script, group = svc.catalog.script_for(script_id, current_user.user_level)
    row = svc.doc_history.version(script, _language(), version)
    html = svc.doc_history.html(group, row)
    return jsonify({**version_json(row), "markdown": row.markdown, "html": html})


@bp.get("/<int:version>/diff")
@require_level("developer")
@reads(LANG, AGAINST)
def diff_version(script_id: int, version: int):
    """Compare a version with ``?against=`` (default the one before; version 1: empty)."""
    svc = services()
    script, _group = svc.catalog.script_for(script_id, current_user.user_level)
    diff = svc.doc_history.diff(script, _language(), version, AGAINST.read())
    lines = [asdict(line) for line in diff.lines]
    return jsonify({"from": diff.from_version, "to": diff.to_version, "lines": lines})


@bp.post("/<int:version>/restore")
@require_level("developer")
@reads(LANG)
@accepts(RestoreTarget, optional=True)
def restore_version(script_id: int, version: int, body: RestoreTarget):
    """Write a version back as the current document; answer the saved document."""
    svc = services()
    script, group = svc.catalog.script_for(script_id, current_user.user_level)
    language = body.language or _language()
    document = svc.doc_history.restore(script, group, language, version, actor())
    return jsonify(asdict(document))
