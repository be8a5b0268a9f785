"""Read access to the catalog, filtered by the caller's level."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from server.database import Database
from server.models import Script, ScriptGroup
from server.security.levels import allows
from server.services.errors import Forbidden, NotFound

# How many active scripts each group holds at each required level.
SCRIPTS_BY_GROUP_AND_LEVEL = (
    select(Script.group_id, Script.required_level, func.count())
    .where(Script.is_active.is_(True))
    .group_by(Script.group_id, Script.required_level)
)


class Catalog:
    """Find the groups and scripts a user of a given level may see."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def groups_for(self, level: str) -> list[tuple[ScriptGroup, int]]:
        """Return the visible active groups with the number of scripts visible in each."""
        session = self._db.session
        groups = [
            g
            for g in session.scalars(
                select(ScriptGroup)
                .where(ScriptGroup.is_active.is_(True))
                .order_by(ScriptGroup.name)
            )
            if allows(level, g.required_level)
        ]
        counts: Counter[int] = Counter()
        for group_id, required, count in session.execute(SCRIPTS_BY_GROUP_AND_LEVEL):
            if allows(level, required):
                counts[group_id] += count
        return [(group, counts[group.id]) for group in groups]

    def group_for(self, group_id: int, level: str) -> ScriptGroup:
        """Return a visible active group; raise NotFound otherwise."""
        group = self._db.session.get(ScriptGroup, group_id)
        if group is None or not group.is_active or not allows(level, group.required_level):
            raise NotFound("Script group {group_id} does not exist.", group_id=group_id)
        return group

    def scripts_in(self, group_id: int, level: str) -> list[Script]:
        """Return the visible active scripts of a visible group."""
        return self.scripts_of(self.group_for(group_id, level), level)

    def scripts_of(self, group: ScriptGroup, level: str) -> list[Script]:
        """Return the visible active scripts of a group the caller found visible."""
        scripts = self._db.session.scalars(
            select(Script)
            .where(Script.group_id == group.id, Script.is_active.is_(True))
            .order_by(Script.display_name)
        )
        return [s for s in scripts if allows(level, s.required_level)]

    def script_for(self, script_id: int, level: str) -> tuple[Script, ScriptGroup]:
        """Return a visible active script and its group; raise NotFound otherwise."""
        script = self._db.session.get(Script, script_id)
        if script is None or not script.is_active or not allows(level, script.required_level):
            raise NotFound("Script {script_id} does not exist.", script_id=script_id)
        return script, self.group_for(script.group_id, level)

    def script_to_run(self, script_id: int, level: str) -> tuple[Script, ScriptGroup]:
        """Return a script the level may run; Forbidden when it exists above the level."""
        session = self._db.session
        script = session.get(Script, script_id)
        group = session.get(ScriptGroup, script.group_id) if script else None
        if script is None or group is None or not (script.is_active and group.is_active):
            raise NotFound("Script {script_id} does not exist.", script_id=script_id)
        if not (allows(level, script.required_level) and allows(level, group.required_level)):
            raise Forbidden(
                "Running this script needs the {level} level.", level=script.required_level
            )
        return script, group

    def visible_scripts(self, level: str) -> list[tuple[Script, ScriptGroup]]:
        """Return every script the level may see, with its group."""
        groups = {group.id: group for group, _count in self.groups_for(level)}
        scripts = self._db.session.scalars(select(Script).where(Script.is_active.is_(True)))
        return [
            (s, groups[s.group_id])
            for s in scripts
            if s.group_id in groups and allows(level, s.required_level)
        ]
