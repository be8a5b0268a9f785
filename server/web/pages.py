"""HTML pages: login, first run, dashboard, catalog, logs and account."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user
from flask_wtf.csrf import generate_csrf

from server.api.presenters import execution_json, group_json, group_scripts_json, script_json
from server.security.access import public, require_level
from server.security.levels import LEVELS, allows
from server.security.redirects import safe_next
from server.services.audit import Actor
from server.services.catalog.view import effective_script
from server.services.errors import NotAuthenticated
from server.services.registry import services
from server.web import dashboard as dashboard_view

bp = Blueprint("web", __name__)


@bp.get("/login")
@public
def login():
    """Show the login form (the first-run page while no admin exists; the desktop sign-in
    in the personal desktop)."""
    if current_user.is_authenticated:
        return redirect(url_for("web.dashboard"))
    if services().desktop_account.enabled:
        return redirect(url_for("web.desktop_sign_in"))
    if not services().users.has_admin():
        return redirect(url_for("web.setup"))
    return render_template("auth/login.html", next_url=_safe_next(request.args.get("next")))


@bp.get("/auth/window")
@public
def window_login():
    """Log a new window in with a window ticket, then go on; the login form when it failed."""
    next_url = _safe_next(request.args.get("next"))
    try:
        user = services().auth.redeem_ticket(
            request.args.get("ticket", ""), request.remote_addr or "", request.user_agent.string
        )
    except NotAuthenticated:
        return redirect(url_for("web.login", next=next_url))
    session.clear()
    session.permanent = True
    login_user(user)
    # The CSRF secret goes into the session now: made later, by the page's first request,
    # it could be lost to a parallel request that saves the session without it.
    generate_csrf()
    return redirect(next_url)


@bp.get("/desktop/sign-in")
@public
def desktop_sign_in():
    """The personal desktop window's sign-in page: it waits for the ticket the shell hands
    it in-process (a browser that opens it gets none, and is told so)."""
    if not services().desktop_account.enabled:
        return redirect(url_for("web.login"))
    if current_user.is_authenticated:
        return redirect(url_for("web.dashboard"))
    return render_template("auth/desktop_sign_in.html")


@bp.get("/setup")
@public
def setup():
    """Show the first-run page (with the server's one-time setup token) that creates the
    first admin; without the token, say where to find the link (403)."""
    first_run = services().first_run
    if first_run.pending_token() is None:
        return redirect(url_for("web.login"))
    token = request.args.get("token", "")
    if not first_run.accepts(token):
        return render_template("auth/setup.html", token=None), 403
    return render_template("auth/setup.html", token=token)


@bp.get("/")
@require_level("viewer")
def dashboard():
    """Show the dashboard: groups with their active project, favourites, recent scripts
    and (admins) a health summary."""
    groups = services().catalog.groups_for(current_user.user_level)
    return render_template(
        "dashboard/index.html",
        groups=[group_json(group, count) for group, count in groups],
        projects=dashboard_view.group_projects([group for group, _count in groups]),
        favourites=dashboard_view.favourites(),
        recent=dashboard_view.recent(),
        health=dashboard_view.health(),
    )


@bp.get("/groups/<int:group_id>")
@require_level("viewer")
def group(group_id: int):
    """Show a group's scripts with search and filters."""
    group, items = group_scripts_json(group_id)
    starred = services().shortcuts.favourite_ids(current_user.id)
    return render_template(
        "catalog/group.html", group=group_json(group), scripts=items, favourite_ids=starred
    )


@bp.get("/scripts/<int:script_id>")
@require_level("viewer")
def script(script_id: int):
    """Show a script: documentation, parameters, tags and (developer+) its metadata."""
    svc = services()
    script, group = svc.catalog.script_for(script_id, current_user.user_level)
    personal = svc.tags.user_tags(current_user.id).get(script.id)
    return render_template(
        "catalog/script.html",
        script=script_json(script, group, personal),
        group=group_json(group),
        metadata=effective_script(script, group),
        levels=LEVELS,
        favourite_ids=svc.shortcuts.favourite_ids(current_user.id),
        mermaid_enabled=svc.settings.mermaid_enabled,
    )


@bp.get("/tags")
@require_level("viewer")
def tags():
    """Show every visible tag and the scripts carrying all (or any) of the chosen ones."""
    return render_template("catalog/tags.html")


@bp.get("/logs")
@require_level("viewer")
def logs():
    """Show the user's run history with filters and search."""
    return render_template("logs/list.html")


@bp.get("/logs/<execution_id>")
@require_level("viewer")
def log_detail(execution_id: str):
    """Show one run: output, errors, debug, parameters, environment."""
    svc = services()
    reader = Actor(current_user.id, current_user.username, request.remote_addr)
    record = svc.logs.read(execution_id, reader, allows(current_user.user_level, "admin"))
    return render_template("logs/detail.html", run=execution_json(record))


@bp.get("/account")
@require_level("viewer")
def account():
    """Show the user's own settings: password, language and theme."""
    return render_template("auth/account.html")


def _safe_next(target: str | None) -> str:
    """Return a local path to go to after login; anything else becomes the dashboard."""
    return safe_next(target, url_for("web.dashboard"))
