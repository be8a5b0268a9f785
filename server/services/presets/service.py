"""Presets of one script: the group's example files (read-only) and each user's own sets.

Ids: an example is ``"example:<file stem>"``, a user's set its integer database id. Values
are checked field by field with the same conversion a run applies (``coerce``); a preset
whose values no longer fit the script's declarations lists those fields as ``stale``.
Secret values are never kept in a preset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from server.database import Database
from server.models import ParameterPreset, Script, ScriptGroup, utcnow
from server.services.audit import Actor, AuditLog
from server.services.catalog.parameters import coerce, localise
from server.services.catalog.view import effective_script
from server.services.errors import Conflict, InvalidInput, NotFound
from server.services.names import check_name
from server.services.presets.examples import Example, read_examples

EXAMPLE_PREFIX = "example:"
MAX_PER_SCRIPT = 50  # saved sets per user and script
MAX_NAME = 100
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class Preset:
    """A preset as the caller sees it, localised."""

    id: str | int
    source: str  # "example" or "user"
    name: str
    description: str | None
    parameters: dict[str, Any]
    stale: list[str]
    created_at: datetime | None = None
    updated_at: datetime | None = None


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def stale_fields(params: list[dict[str, Any]], values: dict[str, Any]) -> list[str]:
    """Return the names in ``values`` that the declarations refuse (unknown or bad value)."""
    declared = {p["name"]: p for p in params}
    stale = []
    for name, value in values.items():
        param = declared.get(name)
        if param is None:
            stale.append(name)
            continue
        if _empty(value):
            continue
        try:
            coerce(param, value)
        except InvalidInput:
            stale.append(name)
    return stale


def clean_values(params: list[dict[str, Any]], values: dict[str, Any]) -> dict[str, Any]:
    """Return the values converted as a run would; raise InvalidInput naming a bad field.

    Empty values (left to their default) and secrets are dropped."""
    declared = {p["name"]: p for p in params}
    cleaned = {}
    for name, value in values.items():
        param = declared.get(name)
        if param is None:
            raise InvalidInput("{field}: not a parameter of this script.", field=name)
        if _empty(value) or param.get("type") == "secret":
            continue
        cleaned[name] = coerce(param, value)
    return cleaned


class PresetService:
    """List a script's presets for a user; save, change and delete the user's own."""

    def __init__(
        self, db: Database, audit: AuditLog, groups_root: Path, limit: int = MAX_PER_SCRIPT
    ) -> None:
        self._db = db
        self._audit = audit
        self._root = groups_root
        self.limit = limit

    def list(self, user_id: int, script: Script, group: ScriptGroup, language: str) -> list[Preset]:
        """Return the script's examples, then the user's own sets by name."""
        params = _declarations(script, group)
        examples = [_example_view(e, params, language) for e in self.examples(script, group)]
        rows = self._db.session.scalars(
            select(ParameterPreset)
            .where(ParameterPreset.user_id == user_id, ParameterPreset.script_id == script.id)
            .order_by(func.lower(ParameterPreset.name), ParameterPreset.id)
        )
        return examples + [_user_view(row, params) for row in rows]

    def examples(self, script: Script, group: ScriptGroup) -> list[Example]:
        """Return the group's example files for this script (none if the folder moved away)."""
        folder = Path(group.directory_path)
        if not folder.resolve().is_relative_to(self._root.resolve()):
            return []
        found, _warnings = read_examples(folder)  # discovery reports the warnings
        return [example for example in found if example.script == script.filename]

    def create(
        self,
        user_id: int,
        script: Script,
        group: ScriptGroup,
        name: str,
        parameters: dict[str, Any],
        actor: Actor,
    ) -> Preset:
        """Save a new set; InvalidInput naming a bad field, Conflict on a taken name or
        beyond the limit."""
        params = _declarations(script, group)
        name = check_name(name, MAX_NAME)
        values = clean_values(params, parameters)
        session = self._db.session
        count = session.scalar(
            select(func.count()).where(
                ParameterPreset.user_id == user_id, ParameterPreset.script_id == script.id
            )
        )
        if (count or 0) >= self.limit:
            raise Conflict(
                "You can keep up to {limit} presets per script; delete one first.", limit=self.limit
            )
        self._refuse_taken(user_id, script.id, name, None)
        now = utcnow()
        row = ParameterPreset(
            user_id=user_id, script_id=script.id, name=name, parameters=values,
            created_at=now, updated_at=now,
        )  # fmt: skip
        session.add(row)
        self._commit(flush_only=True)  # the id, for the audit event
        details = {"script_id": script.id, "name": name}
        self._audit.record(actor, "preset.create", f"preset:{row.id}", details)
        self._commit()
        return _user_view(row, params)

    def update(
        self,
        user_id: int,
        script: Script,
        group: ScriptGroup,
        preset_id: str,
        name: str | None,
        parameters: dict[str, Any] | None,
        actor: Actor,
    ) -> Preset:
        """Rename a set and/or replace its values."""
        params = _declarations(script, group)
        row = self._own(user_id, script, group, preset_id)
        changes: dict[str, Any] = {"script_id": script.id}
        if name is not None:
            name = check_name(name, MAX_NAME)
            self._refuse_taken(user_id, script.id, name, row.id)
            if name != row.name:
                changes |= {"name": name, "old_name": row.name}
                row.name = name
        if parameters is not None:
            row.parameters = clean_values(params, parameters)
            changes["parameters"] = sorted(row.parameters)
        row.updated_at = utcnow()
        self._audit.record(actor, "preset.update", f"preset:{row.id}", changes)
        self._commit()
        return _user_view(row, params)

    def delete(
        self, user_id: int, script: Script, group: ScriptGroup, preset_id: str, actor: Actor
    ) -> None:
        """Delete one of the user's sets."""
        row = self._own(user_id, script, group, preset_id)
        details = {"script_id": script.id, "name": row.name}
        self._db.session.delete(row)
        self._audit.record(actor, "preset.delete", f"preset:{row.id}", details)
        self._commit()

    def _own(
        self, user_id: int, script: Script, group: ScriptGroup, preset_id: str
    ) -> ParameterPreset:
        """Return the user's set; Conflict for an example, NotFound for anything else."""
        if preset_id.startswith(EXAMPLE_PREFIX):
            stem = preset_id.removeprefix(EXAMPLE_PREFIX)
            if any(e.stem == stem for e in self.examples(script, group)):
                raise Conflict("Examples cannot be changed or deleted; save a copy instead.")
        row = None
        digits = preset_id.isascii() and preset_id.isdigit() and len(preset_id) <= 19
        if digits and 0 < int(preset_id) <= MAX_ID:
            row = self._db.session.get(ParameterPreset, int(preset_id))
        if row is None or row.user_id != user_id or row.script_id != script.id:
            raise NotFound("Preset {preset_id} does not exist.", preset_id=preset_id)
        return row

    def _refuse_taken(self, user_id: int, script_id: int, name: str, own_id: int | None) -> None:
        taken = self._db.session.scalar(
            select(ParameterPreset.id).where(
                ParameterPreset.user_id == user_id,
                ParameterPreset.script_id == script_id,
                ParameterPreset.name == name,
            )
        )
        if taken is not None and taken != own_id:
            raise Conflict(
                "name: you already have a preset called {name!r}.", field="name", name=name
            )

    def _commit(self, flush_only: bool = False) -> None:
        session = self._db.session
        try:
            if flush_only:
                session.flush()
            else:
                session.commit()
        except IntegrityError as exc:  # a concurrent save took the name first
            session.rollback()
            raise Conflict("name: you already have a preset with this name.", field="name") from exc


def _declarations(script: Script, group: ScriptGroup) -> list[dict[str, Any]]:
    return effective_script(script, group)["parameters"]


def _without_secrets(params: list[dict[str, Any]], values: dict[str, Any]) -> dict[str, Any]:
    secrets = {p["name"] for p in params if p.get("type") == "secret"}
    return {name: value for name, value in values.items() if name not in secrets}


def _example_view(example: Example, params: list[dict[str, Any]], language: str) -> Preset:
    values = _without_secrets(params, example.parameters)
    return Preset(
        f"{EXAMPLE_PREFIX}{example.stem}", "example", localise(example.name, language) or "",
        localise(example.description, language), values, stale_fields(params, values),
    )  # fmt: skip


def _user_view(row: ParameterPreset, params: list[dict[str, Any]]) -> Preset:
    values = dict(row.parameters or {})
    return Preset(
        row.id, "user", row.name, None, values, stale_fields(params, values),
        row.created_at, row.updated_at,
    )  # fmt: skip
