"""The admin console: one page per part of a shared workstation's upkeep."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, render_template

from server.api.interfaces import session_json
from server.security.access import require_level
from server.security.levels import LEVELS
from server.services.errors import Unavailable
from server.services.logs import STATUSES
from server.services.registry import services
from server.settings import LANGUAGES

bp = Blueprint("admin", __name__, url_prefix="/admin")


@dataclass(frozen=True)
class AdminPage:
    """One entry of the console's side menu."""

    endpoint: str
    icon: str

    @property
    def label_key(self) -> str:
        """Return the translation key of the page's name."""
        return f"admin.page.{self.endpoint}"


PAGES = (
    AdminPage("users", "bi-people"),
    AdminPage("runs", "bi-play-circle"),
    AdminPage("interfaces", "bi-window-stack"),
    AdminPage("audit", "bi-shield-check"),
    AdminPage("system_logs", "bi-file-earmark-text"),
    AdminPage("permissions", "bi-grid-3x3"),
    AdminPage("environments", "bi-box-seam"),
    AdminPage("discovery", "bi-binoculars"),
    AdminPage("data", "bi-hdd-stack"),
    AdminPage("documentation", "bi-book"),
    AdminPage("retention", "bi-hourglass-split"),
    AdminPage("backups", "bi-archive"),
    AdminPage("configuration", "bi-sliders"),
)


@bp.context_processor
def console_menu() -> dict[str, object]:
    """Give every console page its side menu (the pages this build registers)."""
    registered = current_app.view_functions
    return {"admin_pages": [p for p in PAGES if f"admin.{p.endpoint}" in registered]}


def _page(name: str, **context: object) -> str:
    return render_template(f"admin/{name}.html", **context)


@bp.get("/users")
@require_level("admin")
def users():
    """Show user management."""
    return _page("users", levels=LEVELS)


@bp.get("/interfaces")
@require_level("admin")
def interfaces():
    """Show every open interface and the ports in use."""
    svc = services()
    sessions = svc.interfaces.list(None)
    names = svc.interfaces.script_names(sessions)
    usernames = {u.id: u.username for u in svc.users.list(1, 10_000)[0]}
    return _page(
        "interfaces",
        sessions=[session_json(s, names.get(s.execution_uuid or "")) for s in sessions],
        ports=svc.ports.in_use(),
        usernames=usernames,
        settings=svc.settings,
        backend=svc.executions.backend.name,
        workers=_workers(),
    )


def _workers() -> list[dict] | None:
    """Return the celery backend's live workers, None when its broker does not answer."""
    try:
        return services().executions.backend.workers()
    except Unavailable:
        return None


@bp.get("/runs")
@require_level("admin")
def runs():
    """Show every user's runs, live and past."""
    return _page("runs", statuses=STATUSES)


@bp.get("/audit")
@require_level("admin")
def audit():
    """Show the audit log."""
    return _page("audit")


@bp.get("/system-logs")
@require_level("admin")
def system_logs():
    """Show the application, error and access logs, newest first."""
    return _page("system_logs")


@bp.get("/permissions")
@require_level("admin")
def permissions():
    """Show the scripts x levels matrix of required levels."""
    return _page("permissions", levels=LEVELS)


@bp.get("/environments")
@require_level("admin")
def environments():
    """Show the Python environments and the one each group runs in."""
    return _page("environments")


@bp.get("/discovery")
@require_level("admin")
def discovery():
    """Show the last scan of the script groups and what it found wrong."""
    return _page("discovery")


@bp.get("/documentation")
@require_level("admin")
def documentation():
    """Show which languages each script is documented in."""
    return _page("documentation", languages=LANGUAGES)


@bp.get("/configuration")
@require_level("admin")
def configuration():
    """Show the effective settings."""
    return _page("configuration")


@bp.get("/retention")
@require_level("admin")
def retention():
    """Show log statistics, the retention days and the clean-up."""
    return _page("retention", levels=LEVELS)


@bp.get("/backups")
@require_level("admin")
def backups():
    """Show the system backups: status, progress, back up now, delete, restore."""
    return _page("backups")


@bp.get("/data")
@require_level("admin")
def data():
    """Show disk use per user and per project, each user's quota, and the data reset."""
    return _page("data", default_quota_mb=services().settings.storage_quota_mb)
