"""A user's ways back to scripts: the ones they starred and the ones they ran lately."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, func, select

from server.database import Database
from server.models import ExecutionLog, Script, ScriptGroup, UserFavourite
from server.services.catalog.catalog import Catalog
from server.services.errors import Forbidden, NotFound

RECENT_LIMIT = 8
Visible = tuple[Script, ScriptGroup]


class Shortcuts:
    """Keep each user's favourite scripts and find the scripts they ran last."""

    def __init__(self, db: Database, catalog: Catalog) -> None:
        self._db = db
        self._catalog = catalog

    def favourites(self, user_id: int, level: str) -> list[Visible]:
        """Return the user's starred scripts they may still see, newest star first."""
        query = (
            select(UserFavourite.script_id)
            .where(UserFavourite.user_id == user_id)
            .order_by(UserFavourite.created_at.desc(), UserFavourite.id.desc())
        )
        return self._visible(self._db.session.scalars(query), level)

    def favourite_ids(self, user_id: int) -> set[int]:
        """Return the ids of every script the user starred."""
        query = select(UserFavourite.script_id).where(UserFavourite.user_id == user_id)
        return set(self._db.session.scalars(query))

    def add(self, user_id: int, script_id: int, level: str) -> Visible:
        """Star a visible script (again: no change); raise NotFound for any other."""
        found = self._catalog.script_for(script_id, level)
        if script_id not in self.favourite_ids(user_id):
            self._db.session.add(UserFavourite(user_id=user_id, script_id=script_id))
            self._db.session.commit()
        return found

    def remove(self, user_id: int, script_id: int, level: str) -> None:
        """Unstar a script (not starred: no change); raise NotFound for an unknown one.

        A script that is no longer visible can still be unstarred, so no star is stuck."""
        if self._db.session.get(Script, script_id) is None:
            raise NotFound("Script {script_id} does not exist.", script_id=script_id)
        self._db.session.execute(
            delete(UserFavourite).where(
                UserFavourite.user_id == user_id, UserFavourite.script_id == script_id
            )
        )
        self._db.session.commit()

    def recent(
        self, user_id: int, level: str, limit: int = RECENT_LIMIT
    ) -> list[tuple[Script, ScriptGroup, ExecutionLog]]:
        """Return the scripts the user ran last, each once with its latest run, newest first."""
        latest = func.max(ExecutionLog.id)
        ids = self._db.session.scalars(
            select(latest)
            .where(ExecutionLog.user_id == user_id, ExecutionLog.script_id.is_not(None))
            .group_by(ExecutionLog.script_id)
            .order_by(latest.desc())
            .limit(limit * 3)  # room for scripts that are no longer visible
        )
        runs = self._db.session.scalars(select(ExecutionLog).where(ExecutionLog.id.in_(list(ids))))
        ordered = sorted(runs, key=lambda run: run.id, reverse=True)
        by_script = {run.script_id: run for run in ordered}
        visible = self._visible((run.script_id for run in ordered), level)[:limit]
        return [(script, group, by_script[script.id]) for script, group in visible]

    def _visible(self, script_ids: Iterable[int | None], level: str) -> list[Visible]:
        """Return the scripts of ``script_ids`` the level may see, in the same order."""
        found: list[Visible] = []
        for script_id in script_ids:
            if script_id is None:
                continue
            try:
                found.append(self._catalog.script_for(script_id, level))
            except (NotFound, Forbidden):
                continue  # hidden, retired or above the level: simply not listed
        return found
