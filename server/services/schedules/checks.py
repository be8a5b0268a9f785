"""What a schedule must satisfy to run: the owner's access to the script, the project and
the values, checked by the same rules as a run started by hand."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from server.models import Script, ScriptGroup, User, UserProject
from server.security.levels import level_rank
from server.services.catalog.catalog import Catalog
from server.services.catalog.parameters import validate_values
from server.services.catalog.scan_warnings import stored, warning_texts
from server.services.catalog.view import effective_script
from server.services.errors import InvalidInput, NotFound
from server.services.messages import Message, MessageCatalog
from server.services.projects import ProjectService
from server.services.safe_paths import inside

FILE_REFUSED = "{field}: file parameters cannot be scheduled."


@dataclass(frozen=True)
class Target:
    """What a schedule runs: a script of a group, in a project (None: the default one)."""

    script: Script
    group: ScriptGroup
    project: UserProject | None


def needed_level(script: Script, group: ScriptGroup) -> str:
    """Return the level running the script needs (operator at least)."""
    return max(("operator", script.required_level, group.required_level), key=level_rank)


def find_target(
    catalog: Catalog, projects: ProjectService, owner: User, script_id: int | None,
    project_id: int | None,
) -> Target:  # fmt: skip
    """Return what the owner would run; NotFound when the script or project is not the
    owner's to use, Forbidden below the script's level, InvalidInput for another group's
    project."""
    if script_id is None:
        raise_gone()
    script, group = catalog.script_to_run(script_id, owner.user_level)
    project = None
    if project_id is not None:
        project = projects.get(owner.id, project_id)
        if project.group_id != group.id:
            raise InvalidInput(
                "project_id: the project belongs to another group.", field="project_id"
            )
    return Target(script, group, project)


def raise_gone() -> None:
    """Raise the NotFound of a schedule whose script was deleted."""
    raise NotFound("The script of this schedule no longer exists.")


def check_values(projects: ProjectService, owner: User, target: Target, parameters: Any) -> None:
    """Validate values as a run would (paths inside the project folder); file parameters
    cannot be scheduled, since nobody is there to upload the file."""
    params = effective_script(target.script, target.group)["parameters"]
    files = {p["name"] for p in params if p.get("type") == "file"}
    given = sorted(files & set(parameters)) if isinstance(parameters, dict) else []
    if given:
        raise InvalidInput(FILE_REFUSED, field=given[0])
    project = target.project or projects.default(owner.id, target.group)
    folder = projects.folder(target.group, owner.username, project)
    try:
        validate_values(params, parameters, lambda value, name: str(inside(folder, value, name)))
    except InvalidInput as exc:
        if exc.field in files:  # a required file parameter
            raise InvalidInput(FILE_REFUSED, field=exc.field) from exc
        raise


def kept_reason(message: Message) -> str:
    """Return a pause reason as the ``paused_reason`` column keeps it."""
    return json.dumps(stored([message])[0], ensure_ascii=False)


def reason_text(kept: str | None, catalog: MessageCatalog, language: str) -> str | None:
    """Return a kept pause reason in ``language``; None when there is none."""
    if not kept:
        return None
    try:
        item = json.loads(kept)
    except ValueError:
        return kept
    return warning_texts([item], catalog, language)[0]
