"""Projects: each user's named data folders per group, ``project_default`` always there."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import func, select

from server.database import Database
from server.models import ScriptGroup, UserProject, utcnow
from server.services.audit import Actor, AuditLog
from server.services.errors import Conflict, InvalidInput, NotFound
from server.services.quota.service import QuotaService
from server.services.safe_paths import safe_component

DEFAULT_PROJECT = "project_default"


class ProjectService:
    """Create, rename, delete and locate users' projects and their data folders."""

    def __init__(
        self, db: Database, audit: AuditLog, root: Path, max_per_user: int, quotas: QuotaService
    ) -> None:
        self._db = db
        self._audit = audit
        self._root = root
        self._max = max_per_user
        self._quotas = quotas

    def folder(self, group: ScriptGroup, username: str, project: UserProject) -> Path:
        """Return (and create) ``<data>/script_groups/<group>/<user>/<project>/``."""
        path = self._root / safe_component(group.folder or "", "group") / username
        path = path / safe_component(project.project_name, "project_name")
        path.mkdir(parents=True, exist_ok=True)
        return path

    def default(self, user_id: int, group: ScriptGroup) -> UserProject:
        """Return the user's default project of a group, creating it on first use."""
        session = self._db.session
        project = session.scalar(
            select(UserProject).where(
                UserProject.user_id == user_id,
                UserProject.group_id == group.id,
                UserProject.is_default.is_(True),
            )
        )
        if project is None:
            project = UserProject(
                user_id=user_id, group_id=group.id, project_name=DEFAULT_PROJECT, is_default=True
            )
            session.add(project)
            session.commit()
        return project

    def list(self, user_id: int, group_id: int | None = None) -> list[UserProject]:
        """Return the user's projects, optionally of one group."""
        query = select(UserProject).where(UserProject.user_id == user_id)
        if group_id is not None:
            query = query.where(UserProject.group_id == group_id)
        order = (UserProject.group_id, UserProject.is_default.desc(), UserProject.project_name)
        return list(self._db.session.scalars(query.order_by(*order)))

    def get(self, user_id: int, project_id: int, is_admin: bool = False) -> UserProject:
        """Return a project the user owns (admins: any); raise NotFound otherwise."""
        project = self._db.session.get(UserProject, project_id)
        if project is None or (project.user_id != user_id and not is_admin):
            raise NotFound("Project {project_id} does not exist.", project_id=project_id)
        return project

    def create(
        self, user_id: int, group: ScriptGroup, name: str, description: str | None, actor: Actor
    ) -> UserProject:
        """Create a project; 409 for a taken name or past MAX_PROJECTS_PER_USER."""
        safe_component(name, "project_name")
        session = self._db.session
        count = session.scalar(select(func.count()).where(UserProject.user_id == user_id)) or 0
        if count >= self._max:
            raise Conflict("You already have {count} projects, the most allowed.", count=self._max)
        if self._named(user_id, group.id, name):
            raise Conflict(
                "A project named {name!r} exists in this group.", field="project_name", name=name
            )
        project = UserProject(
            user_id=user_id,
            group_id=group.id,
            project_name=name,
            description=description,
            is_default=False,
        )
        session.add(project)
        session.flush()
        self._audit.record(actor, "project.create", f"project:{project.id}", {"name": name})
        session.commit()
        return project

    def update(
        self,
        project: UserProject,
        group: ScriptGroup,
        username: str,
        name: str | None,
        description: str | None,
        actor: Actor,
    ) -> UserProject:
        """Rename a project (its folder moves) or change its description."""
        if name is not None and name != project.project_name:
            safe_component(name, "project_name")
            if project.is_default:
                raise Conflict("The default project cannot be renamed.")
            if self._named(project.user_id, project.group_id, name):
                raise Conflict("A project named {name!r} exists in this group.", name=name)
            old = self.folder(group, username, project)
            project.project_name = name
            new = old.parent / name
            old.rename(new)
        if description is not None:
            if len(description) > 2000:
                raise InvalidInput("description: at most 2000 characters.", field="description")
            project.description = description
        self._audit.record(actor, "project.update", f"project:{project.id}")
        self._db.session.commit()
        return project

    def delete(self, project: UserProject, group: ScriptGroup, username: str, actor: Actor) -> None:
        """Delete a project and its data folder (never the default project)."""
        if project.is_default:
            raise Conflict("The default project cannot be deleted.")
        shutil.rmtree(self.folder(group, username, project), ignore_errors=True)
        self._quotas.changed(username)
        self._audit.record(
            actor, "project.delete", f"project:{project.id}", {"name": project.project_name}
        )
        self._db.session.delete(project)
        self._db.session.commit()

    def at_folder(self, user_id: int, group_folder: str, name: str) -> UserProject | None:
        """Return the user's project whose data folder is ``<group_folder>/<user>/<name>``
        (None for a folder no project owns)."""
        return self._db.session.scalar(
            select(UserProject)
            .join(ScriptGroup, ScriptGroup.id == UserProject.group_id)
            .where(
                UserProject.user_id == user_id,
                ScriptGroup.folder == group_folder,
                UserProject.project_name == name,
            )
        )

    def touch(self, project: UserProject) -> None:
        """Record that the project was just used."""
        project.last_accessed = utcnow()
        self._db.session.commit()

    def _named(self, user_id: int, group_id: int | None, name: str) -> bool:
        return bool(
            self._db.session.scalar(
                select(UserProject.id).where(
                    UserProject.user_id == user_id,
                    UserProject.group_id == group_id,
                    func.lower(UserProject.project_name) == name.lower(),
                )
            )
        )
