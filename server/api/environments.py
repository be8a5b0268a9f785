"""Python environments: conda detection, details, and the environment of each group."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user
from pydantic import Field

from server.api.common import Body, accepts, actor
from server.api.presenters import group_json, request_language
from server.security.access import require_level
from server.services.catalog.environments import as_dict
from server.services.errors import NotFound
from server.services.registry import services

bp = Blueprint("environments_api", __name__, url_prefix="/api")


class Assignment(Body):
    """A conda environment name, an absolute venv path, or null for the manager's Python."""

    environment: str | None = Field(max_length=255)


def _listing() -> dict[str, object]:
    svc = services()
    envs = svc.environments
    return {
        "conda_available": envs.conda_executable is not None,
        "conda_executable": envs.conda_executable,
        "message": svc.i18n.message(envs.last_error, request_language()),
        "items": [as_dict(env) for env in envs.list()],
    }


@bp.get("/conda/environments")
@require_level("viewer")
def list_environments():
    """List the manager's Python and the detected conda environments."""
    return jsonify(_listing())


@bp.post("/conda/refresh")
@require_level("developer")
def refresh_environments():
    """Detect conda and its environments again."""
    services().environments.refresh()
    return jsonify(_listing())


@bp.get("/conda/environments/<name>/info")
@require_level("viewer")
def environment_info(name: str):
    """Describe one environment, with its installed packages."""
    envs = services().environments
    known = {env.name: env for env in envs.list()}
    if name not in known:
        raise NotFound("The environment {name!r} is not known.", name=name)
    env = known[name]
    return jsonify({"environment": as_dict(env), "packages": envs.packages(env)})


@bp.post("/script-groups/<int:group_id>/conda")
@require_level("developer")
@accepts(Assignment)
def assign_environment(group_id: int, body: Assignment):
    """Set the environment a group's scripts run in."""
    svc = services()
    group = svc.catalog.group_for(group_id, current_user.user_level)
    env = svc.environments.assign(group, body.environment, actor())
    return jsonify({"group": group_json(group), "environment": as_dict(env)})
