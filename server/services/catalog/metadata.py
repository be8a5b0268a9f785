"""Edit script metadata in the app, with history; re-read it from the files."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server.database import Database
from server.models import MetadataHistory, Script, ScriptGroup, utcnow
from server.services.audit import Actor, AuditLog
from server.services.catalog.discovery import Discovery, refresh_columns
from server.services.catalog.fields import (
    EDITABLE_SCRIPT_FIELDS,
    LOCALISED,
    TagRules,
    clean_fields,
)
from server.services.catalog.view import effective_script
from server.services.errors import InvalidInput


class MetadataService:
    """Apply developers' edits on top of the files' metadata and record each change."""

    def __init__(
        self, db: Database, discovery: Discovery, audit: AuditLog, rules: TagRules
    ) -> None:
        self._db = db
        self._discovery = discovery
        self._audit = audit
        self._rules = rules

    def update(
        self, script: Script, group: ScriptGroup, changes: dict[str, Any], actor: Actor
    ) -> dict[str, Any]:
        """Apply edits (a field set to null goes back to the files' value); return changes."""
        unknown = sorted(set(changes) - set(EDITABLE_SCRIPT_FIELDS))
        if unknown:
            raise InvalidInput("{field}: not an editable field.", field=unknown[0])
        reverts = [key for key, value in changes.items() if value is None]
        cleaned = clean_fields({k: v for k, v in changes.items() if v is not None}, self._rules)
        before = effective_script(script, group)
        edited = dict(script.edited or {})
        for key in reverts:
            edited.pop(key, None)
        for key, value in cleaned.items():
            edited[key] = {**edited.get(key, {}), **value} if key in LOCALISED else value
        script.edited = edited
        after = effective_script(script, group)
        changed = {key: after.get(key) for key in changes if before.get(key) != after.get(key)}
        for key in changed:
            self._db.session.add(
                MetadataHistory(
                    script_id=script.id,
                    user_id=actor.user_id,
                    username=actor.username or "system",
                    field=key,
                    old_value=before.get(key),
                    new_value=after.get(key),
                    changed_at=utcnow(),
                    source="revert" if key in reverts else "edit",
                )
            )
        if changed:
            refresh_columns(script, group)
            self._audit.record(
                actor, "script.metadata_update", f"script:{script.id}", {"fields": sorted(changed)}
            )
        self._db.session.commit()
        return changed

    def refresh_group(self, group: ScriptGroup, actor: Actor) -> None:
        """Re-read a group's files now; edits made in the app stay."""
        self._discovery.scan_group(group.folder or "")
        self._audit.record(actor, "group.refresh", f"group:{group.id}")
        self._db.session.commit()

    def reparse(self, script: Script, group: ScriptGroup, actor: Actor) -> Script:
        """Re-read the script's header and metadata files; edits made in the app stay."""
        script.file_mtime_ns = None
        self._db.session.flush()
        self._discovery.scan_group(group.folder or "")
        self._audit.record(actor, "script.metadata_reparse", f"script:{script.id}")
        self._db.session.commit()
        return script

    def history(self, script_id: int) -> list[MetadataHistory]:
        """Return a script's metadata changes, newest first."""
        return list(
            self._db.session.scalars(
                select(MetadataHistory)
                .where(MetadataHistory.script_id == script_id)
                .order_by(MetadataHistory.id.desc())
            )
        )
