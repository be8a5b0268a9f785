"""Liveness for monitors and the desktop shell."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from server.security.access import public
from server.services.health import in_language
from server.services.registry import services
from server.settings import LANGUAGES
from server.web import current_language

bp = Blueprint("health_api", __name__)


@bp.get("/health")
@public
def health():
    """Report status (200 healthy or degraded with reasons, 503 unhealthy), disk, runs, ports.

    The reasons are in ``?lang=`` when given, else the user's language, the visitor's
    choice (the sm_lang cookie) or Accept-Language, else the default language."""
    svc = services()
    report = in_language(svc.health.report(), svc.i18n, reason_language())
    return jsonify(report), 503 if report["status"] == "unhealthy" else 200


def reason_language() -> str:
    """Return the language the reasons are given in."""
    asked = request.args.get("lang")
    return asked if asked in LANGUAGES else current_language()
