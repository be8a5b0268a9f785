"""HTML pages: login, first run, dashboard, account and user administration."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from server.security.access import public, require_level
from server.security.levels import LEVELS
from server.services.registry import services

bp = Blueprint("web", __name__)


@bp.get("/login")
@public
def login():
    """Show the login form (or the first-run page while no admin exists)."""
    if not services().users.has_admin():
        return redirect(url_for("web.setup"))
    if current_user.is_authenticated:
        return redirect(url_for("web.dashboard"))
    return render_template("auth/login.html", next_url=_safe_next(request.args.get("next")))


@bp.get("/setup")
@public
def setup():
    """Show the first-run page that creates the first admin."""
    if services().users.has_admin():
        return redirect(url_for("web.login"))
    return render_template("auth/setup.html")


@bp.get("/")
@require_level("viewer")
def dashboard():
    """Show the dashboard."""
    return render_template("dashboard/index.html")


@bp.get("/account")
@require_level("viewer")
def account():
    """Show the user's own settings: password, language and theme."""
    return render_template("auth/account.html")


@bp.get("/admin/users")
@require_level("admin")
def admin_users():
    """Show user management."""
    return render_template("admin/users.html", levels=LEVELS)


def _safe_next(target: str | None) -> str:
    """Return a local path to go to after login; anything else becomes the dashboard."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("web.dashboard")
