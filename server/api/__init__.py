"""The JSON API: one module per resource, all mounted under /api (and /health)."""

from __future__ import annotations

from flask import Flask

from server.api import admin_users, auth, errors, health, i18n, openapi, user


def register_api(app: Flask) -> None:
    """Register every API blueprint and the JSON error handlers."""
    for module in (auth, admin_users, user, i18n, health, openapi):
        app.register_blueprint(module.bp)
    errors.register(app)
