"""Shipped static files (vendored libraries included) and the configurable logo."""

from __future__ import annotations

from flask import Blueprint, send_file, send_from_directory

from server.resources import resource_path
from server.security.access import public
from server.services.registry import services

bp = Blueprint("assets", __name__)
ONE_DAY = 86400


@bp.get("/assets/<path:filename>")
@public
def asset(filename: str):
    """Serve a file under assets/ (path traversal is refused by send_from_directory)."""
    return send_from_directory(resource_path("assets"), filename, max_age=ONE_DAY)


@bp.get("/branding/logo.png")
@public
def logo():
    """Serve the corporate logo (BRAND_LOGO)."""
    return send_file(services().settings.brand_logo, mimetype="image/png", max_age=ONE_DAY)


@bp.get("/favicon.ico")
@public
def favicon():
    """Serve the browser tab icon."""
    return send_from_directory(resource_path("assets/images"), "favicon.png", max_age=ONE_DAY)
