"""Errors as ``{"error": {"code", "message"}}`` for the API; pages get an HTML error page."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from server.proxy.origin import is_proxied
from server.services.errors import NotAuthenticated, ServiceError, StorageFull
from server.services.messages import Message
from server.services.registry import services
from server.services.storage import storage_error
from server.web import current_language

logger = logging.getLogger(__name__)

# Werkzeug's answers, in the server's own words (translated in translations/messages/).
HTTP_MESSAGES = {
    400: "The request could not be understood.",
    401: "Sign in to continue.",
    403: "You are not allowed to do this.",
    404: "Nothing was found at this address.",
    405: "This address does not accept the {method} method.",
    413: "The request is larger than this server accepts.",
    415: "The request body has a type this address does not accept.",
    429: "Too many requests; wait a moment and try again.",
}
CSRF_MESSAGE = "The page's security token is missing or has expired; reload the page and try again."
CRASH_MESSAGE = "Something went wrong on the server."


MACHINE_PATHS = ("/health", "/metrics")


def wants_json() -> bool:
    """Return True when the request is for the API (or a machine: /health, /metrics) rather
    than a page."""
    path = request.path
    return path.startswith("/api/") or path in MACHINE_PATHS or request.is_json


def error_response(status: int, code: str, text: Message, field: str | None = None):
    """Return a JSON error body or the HTML error page, in the asker's language."""
    message = services().i18n.message(text, current_language())
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
        response, status = error_response(exc.status, exc.code, exc.text, exc.field)
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
        logger.info("%s %s refused: %s", request.method, request.path, exc.description)
        return error_response(400, "csrf_failed", Message(CSRF_MESSAGE))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        status = exc.code or 500
        template = HTTP_MESSAGES.get(status, CRASH_MESSAGE)
        return error_response(status, code, Message(template, method=request.method))

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", Message(CRASH_MESSAGE))
