"""Long descriptions (Markdown) of scripts, and a preview renderer for editors."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, jsonify
from flask_login import current_user
from pydantic import Field

from server.api.common import Body, Language, accepts, actor
from server.api.presenters import request_language
from server.security.access import require_level
from server.services.catalog.markdown_render import render_markdown
from server.services.registry import services

bp = Blueprint("docs_api", __name__, url_prefix="/api")
MAX_MARKDOWN = 2 * 1024 * 1024


class Document(Body):
    """A Markdown document in one language."""

    markdown: str = Field(max_length=MAX_MARKDOWN, description="At most 2 MiB in UTF-8.")
    language: Language | None = None


class Preview(Body):
    """Markdown to render."""

    markdown: str = Field(max_length=MAX_MARKDOWN)


@bp.get("/scripts/<int:script_id>/description-long")
@require_level("viewer")
def get_description(script_id: int):
    """Return the documentation (Markdown and sanitised HTML) in ``?lang=`` or English."""
    svc = services()
    script, group = svc.catalog.script_for(script_id, current_user.user_level)
    return jsonify(asdict(svc.docs.read(script, group, request_language())))


@bp.put("/scripts/<int:script_id>/description-long")
@require_level("developer")
@accepts(Document)
def put_description(script_id: int, body: Document):
    """Write the documentation of one language (created from the template when missing)."""
    svc = services()
    script, group = svc.catalog.script_for(script_id, current_user.user_level)
    language = body.language or request_language()
    document = svc.docs.save(script, group, language, body.markdown, actor())
    return jsonify(asdict(document))


@bp.post("/docs/preview")
@require_level("developer")
@accepts(Preview)
def preview(body: Preview):
    """Render Markdown as the documentation viewer would (sanitised)."""
    return jsonify({"html": render_markdown(body.markdown)})
