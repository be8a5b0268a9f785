"""Translations for the browser."""

from __future__ import annotations

from flask import Blueprint, jsonify

from server.security.access import public
from server.services.errors import NotFound
from server.services.registry import services
from server.settings import LANGUAGES

bp = Blueprint("i18n_api", __name__, url_prefix="/api/i18n")


@bp.get("/languages")
@public
def languages():
    """List the supported languages."""
    i18n = services().i18n
    return jsonify({"items": i18n.languages(), "default": i18n.default_language})


@bp.get("/<language>")
@public
def catalog(language: str):
    """Return every string of a language (English fills gaps)."""
    if language not in LANGUAGES:
        raise NotFound("Language {language!r} is not supported.", language=language)
    return jsonify({"language": language, "strings": services().i18n.catalog(language)})
