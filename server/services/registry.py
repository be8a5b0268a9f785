"""The composition root: every service built once, with explicit collaborators."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from server.database import Database
from server.layout import Layout
from server.resources import resource_path
from server.services.audit import AuditLog
from server.services.auth import AuthService
from server.services.health import HealthService
from server.services.i18n import Translations
from server.services.passwords import Passwords
from server.services.throttle import LoginThrottle
from server.services.users import UserService
from server.settings import Settings

EXTENSION_KEY = "scriptsmanager"


@dataclass
class Services:
    """Every service of one manager process."""

    settings: Settings
    layout: Layout
    db: Database
    audit: AuditLog
    i18n: Translations
    users: UserService
    auth: AuthService
    health: HealthService

    def shutdown(self) -> None:
        """Release what the services hold (connections, children, threads)."""
        self.db.dispose()


def build_services(settings: Settings) -> Services:
    """Build every service from resolved settings."""
    layout = Layout.from_settings(settings)
    assert settings.database_url
    db = Database(settings.database_url)
    audit = AuditLog(db, layout.audit_logs)
    passwords = Passwords()
    throttle = LoginThrottle(settings.login_max_failures, settings.login_lockout)
    return Services(
        settings=settings,
        layout=layout,
        db=db,
        audit=audit,
        i18n=Translations(resource_path("translations"), settings.default_language),
        users=UserService(db, passwords, audit, layout.script_data, settings.default_language),
        auth=AuthService(db, passwords, throttle, audit, settings.auth_session_lifetime),
        health=HealthService(db, settings),
    )


def services() -> Services:
    """Return the services of the current Flask app."""
    return current_app.extensions[EXTENSION_KEY]
