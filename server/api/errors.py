"""Errors as ``{"error": {"code", "message"}}`` for the API; pages get an HTML error page."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from server.proxy.origin import is_proxied
from server.services.errors import NotAuthenticated, ServiceError, StorageFull
from server.services.registry import services
from server.services.storage import storage_error

logger = logging.getLogger(__name__)


def wants_json() -> bool:
    """Return True when the request is for the API rather than a page."""
    path = request.path
    return path.startswith("/api/") or path == "/health" or request.is_json


def error_response(status: int, code: str, message: str, field: str | None = None):
    """Return a JSON error body or the HTML error page."""
    if not wants_json():
        return render_template("error.html", status=status, message=message), status
    error: dict[str, object] = {"code": code, "message": message}
    if field:
        error["field"] = field
    return jsonify({"error": error}), status


def register(app: Flask) -> None:
    """Install handlers for service errors, HTTP errors, CSRF failures and crashes."""

    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        if isinstance(exc, NotAuthenticated) and not wants_json() and not is_proxied(request.path):
            return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
        response, status = error_response(exc.status, exc.code, exc.message, exc.field)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return response, status

    @app.errorhandler(OSError)
    @app.errorhandler(DBAPIError)
    def storage_failure(exc: Exception):
        mapped = storage_error(exc)
        if mapped is None:
            return unexpected_error(exc)
        logger.warning("%s %s refused: %s", request.method, request.path, exc)
        if isinstance(mapped, StorageFull):
            services().storage.note_full()
        return service_error(mapped)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return error_response(400, "csrf_failed", f"CSRF check failed: {exc.description}")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        return error_response(exc.code or 500, code, exc.description or exc.name)

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", "Something went wrong on the server.")
