"""The user's projects: list, create, rename, delete, and the active project per group."""

from __future__ import annotations

from flask import Blueprint, jsonify, session
from flask_login import current_user
from pydantic import Field

from server.api.admin_users import project_json
from server.api.common import Body, Id, ProjectName, accepts, actor
from server.api.query import IntArg, reads
from server.security.access import require_level
from server.services.registry import services

bp = Blueprint("projects_api", __name__, url_prefix="/api/projects")
ACTIVE_KEY = "active_projects"


class NewProject(Body):
    """A project to create in a group."""

    project_name: ProjectName
    group_id: Id
    description: str | None = Field(default=None, max_length=2000)


class ProjectUpdate(Body):
    """A new name or description."""

    project_name: ProjectName | None = None
    description: str | None = Field(default=None, max_length=2000)


GROUP = IntArg("group_id", "Only the projects of this group (its default project is created).")
ACTIVE_GROUP = IntArg("group_id", "The group whose active project to return.", required=True)


@bp.get("")
@require_level("viewer")
@reads(GROUP)
def list_projects():
    """List the user's projects (``?group_id=`` for one group; its default is created)."""
    svc = services()
    group_id = GROUP.read()
    if group_id is not None:
        svc.projects.default(
            current_user.id, svc.catalog.group_for(group_id, current_user.user_level)
        )
    items = [project_json(p) for p in svc.projects.list(current_user.id, group_id)]
    return jsonify({"items": items})


@bp.post("")
@require_level("operator")
@accepts(NewProject)
def create_project(body: NewProject):
    """Create a project in a group."""
    svc = services()
    group = svc.catalog.group_for(body.group_id, current_user.user_level)
    project = svc.projects.create(
        current_user.id, group, body.project_name, body.description, actor()
    )
    return jsonify({"project": project_json(project)}), 201


@bp.put("/<int:project_id>")
@require_level("operator")
@accepts(ProjectUpdate)
def update_project(project_id: int, body: ProjectUpdate):
    """Rename a project (its data folder moves) or change its description."""
    svc = services()
    project = svc.projects.get(current_user.id, project_id)
    group = svc.catalog.group_for(project.group_id, current_user.user_level)
    svc.projects.update(
        project, group, current_user.username, body.project_name, body.description, actor()
    )
    return jsonify({"project": project_json(project)})


@bp.delete("/<int:project_id>")
@require_level("operator")
def delete_project(project_id: int):
    """Delete a project and its data folder (not the default project)."""
    svc = services()
    project = svc.projects.get(current_user.id, project_id)
    group = svc.catalog.group_for(project.group_id, current_user.user_level)
    svc.projects.delete(project, group, current_user.username, actor())
    return jsonify({"status": "deleted"})


@bp.post("/<int:project_id>/set-active")
@require_level("viewer")
def set_active(project_id: int):
    """Make a project the active one of its group for this session."""
    project = services().projects.get(current_user.id, project_id)
    active = dict(session.get(ACTIVE_KEY, {}))
    active[str(project.group_id)] = project.id
    session[ACTIVE_KEY] = active
    return jsonify({"project": project_json(project)})


@bp.get("/active")
@require_level("viewer")
@reads(ACTIVE_GROUP)
def get_active():
    """Return the active project of ``?group_id=`` (the default one unless another was set)."""
    svc = services()
    group_id = ACTIVE_GROUP.read()
    group = svc.catalog.group_for(group_id, current_user.user_level)
    chosen = session.get(ACTIVE_KEY, {}).get(str(group_id))
    projects = {p.id: p for p in svc.projects.list(current_user.id, group_id)}
    project = projects.get(chosen) or svc.projects.default(current_user.id, group)
    return jsonify({"project": project_json(project)})
