"""Tags: the scripts' own (system) tags and each user's personal tags."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select

from server.database import Database
from server.models import Script, ScriptGroup, UserScriptTag, utcnow
from server.services.audit import Actor, AuditLog
from server.services.catalog.catalog import Catalog
from server.services.catalog.fields import TagRules


def split_tags(text: str | None) -> list[str]:
    """Return the tags of a comma-separated column."""
    return [tag for tag in (text or "").split(",") if tag]


@dataclass
class TagCount:
    """A tag, how many visible scripts carry it, and whether it is a system or own tag."""

    tag: str
    count: int = 0
    system: bool = False
    user: bool = False


class TagService:
    """Read and change personal tags; search scripts by tags."""

    def __init__(self, db: Database, catalog: Catalog, audit: AuditLog, rules: TagRules) -> None:
        self._db = db
        self._catalog = catalog
        self._audit = audit
        self.rules = rules

    def user_tags(self, user_id: int) -> dict[int, list[str]]:
        """Return the user's tags of every script they tagged, by script id."""
        rows = self._db.session.scalars(
            select(UserScriptTag).where(UserScriptTag.user_id == user_id)
        )
        return {row.script_id: split_tags(row.tags) for row in rows}

    def set_user_tags(
        self, user_id: int, script: Script, tags: list[str], actor: Actor
    ) -> list[str]:
        """Replace the user's tags on one script."""
        cleaned = self.rules.clean(tags)
        session = self._db.session
        row = session.scalar(
            select(UserScriptTag).where(
                UserScriptTag.user_id == user_id, UserScriptTag.script_id == script.id
            )
        )
        if not cleaned:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(
                UserScriptTag(
                    user_id=user_id,
                    script_id=script.id,
                    tags=",".join(cleaned),
                    created_at=utcnow(),
                )
            )
        else:
            row.tags = ",".join(cleaned)
        self._audit.record(actor, "script.tags_update", f"script:{script.id}", {"tags": cleaned})
        session.commit()
        return cleaned

    def search(
        self, user_id: int, level: str, wanted: list[str], match_all: bool
    ) -> list[tuple[Script, ScriptGroup]]:
        """Return visible scripts carrying all (or any) of the tags, system or personal."""
        wanted_set = {tag.lower() for tag in wanted}
        personal = self.user_tags(user_id)
        found = []
        for script, group in self._catalog.visible_scripts(level):
            tags = {t.lower() for t in split_tags(script.tags) + personal.get(script.id, [])}
            hit = wanted_set <= tags if match_all else bool(wanted_set & tags)
            if hit:
                found.append((script, group))
        return sorted(found, key=lambda pair: (pair[0].display_name or "").lower())

    def tag_counts(self, user_id: int) -> list[tuple[str, int]]:
        """Return the user's personal tags with how many scripts carry each."""
        counts = Counter(tag for tags in self.user_tags(user_id).values() for tag in tags)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def visible_tags(self, user_id: int, level: str) -> list[TagCount]:
        """Return every tag on a script the user may see: its count and whose tag it is."""
        personal = self.user_tags(user_id)
        found: dict[str, TagCount] = {}
        for script, _group in self._catalog.visible_scripts(level):
            own = {t.lower() for t in split_tags(script.tags)}
            mine = {t.lower() for t in personal.get(script.id, [])}
            for tag in own | mine:
                entry = found.setdefault(tag, TagCount(tag))
                entry.count += 1
                entry.system = entry.system or tag in own
                entry.user = entry.user or tag in mine
        return sorted(found.values(), key=lambda entry: (-entry.count, entry.tag))
