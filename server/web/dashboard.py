"""What the dashboard shows a user besides the groups: projects, favourites, recent runs,
and for admins a health summary."""

from __future__ import annotations

from typing import Any

from flask import session
from flask_login import current_user

from server.api.admin_users import project_json
from server.api.projects import ACTIVE_KEY
from server.api.shortcuts import last_run_json, script_summary_json
from server.models import ScriptGroup
from server.security.levels import allows
from server.services.health import in_language
from server.services.registry import services


def group_projects(groups: list[ScriptGroup]) -> dict[int, dict[str, Any]]:
    """Return per group id the user's projects and the id of the active one.

    The active one is the session's choice (``POST /api/projects/<id>/set-active``), else
    the group's default project (created on first use, as the projects API does)."""
    svc = services()
    chosen = session.get(ACTIVE_KEY, {})
    mine = svc.projects.list(current_user.id)
    shaped: dict[int, dict[str, Any]] = {}
    for group in groups:
        default = svc.projects.default(current_user.id, group)
        projects = [p for p in mine if p.group_id == group.id]
        if default not in projects:
            projects.insert(0, default)
        ids = {p.id for p in projects}
        active = chosen.get(str(group.id))
        shaped[group.id] = {
            "projects": [project_json(p) for p in projects],
            "active_id": active if active in ids else default.id,
        }
    return shaped


def favourites() -> list[dict[str, Any]]:
    """Return the user's visible favourite scripts, shaped for the list."""
    found = services().shortcuts.favourites(current_user.id, current_user.user_level)
    return [script_summary_json(script, group, True) for script, group in found]


def recent() -> list[dict[str, Any]]:
    """Return the scripts the user ran lately with their last run, shaped for the list."""
    svc = services()
    starred = svc.shortcuts.favourite_ids(current_user.id)
    found = svc.shortcuts.recent(current_user.id, current_user.user_level)
    return [
        {**script_summary_json(s, g, s.id in starred), "last_run": last_run_json(run)}
        for s, g, run in found
    ]


def health() -> dict[str, Any] | None:
    """Return the health report for admins, its reasons in their language (None for
    everyone else)."""
    if not allows(current_user.user_level, "admin"):
        return None
    svc = services()
    language = svc.i18n.pick(current_user.preferred_language)
    return in_language(svc.health.report(), svc.i18n, language)
