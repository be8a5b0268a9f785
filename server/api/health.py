"""Liveness for monitors and the desktop shell."""

from __future__ import annotations

from flask import Blueprint, jsonify

from server.security.access import public
from server.services.registry import services

bp = Blueprint("health_api", __name__)


@bp.get("/health")
@public
def health():
    """Report status (200 healthy or degraded with reasons, 503 unhealthy), disk, runs, ports."""
    report = services().health.report()
    return jsonify(report), 503 if report["status"] == "unhealthy" else 200
