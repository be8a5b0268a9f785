"""Prometheus metrics for a monitoring server: ``GET /metrics`` (admins' sessions only)."""

from __future__ import annotations

from flask import Blueprint, Response
from prometheus_client import CONTENT_TYPE_LATEST

from server.security.access import require_level
from server.services.registry import services

bp = Blueprint("metrics_api", __name__)


@bp.get("/metrics")
@require_level("admin")
def metrics():
    """Return every metric in the Prometheus text format."""
    return Response(services().metrics.exposition(), mimetype=CONTENT_TYPE_LATEST)
