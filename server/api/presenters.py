"""JSON shapes of catalog objects, localised for the caller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request, url_for
from flask_login import current_user

from server.models import ExecutionLog, Script, ScriptGroup
from server.security.levels import allows
from server.services.catalog.scan_warnings import warning_texts
from server.services.catalog.view import effective_group, effective_script, localised_text
from server.services.live_output import LiveOutput
from server.services.registry import services
from server.settings import LANGUAGES

OUTPUT_KEYS = {"output": "stdout", "error_output": "stderr", "debug_output": "debug"}


def request_language() -> str:
    """Return ``?lang=`` when supported, else the user's language."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    return current_user.preferred_language if current_user.is_authenticated else "en"


def can_see_warnings() -> bool:
    """Return True for developers and admins."""
    return current_user.is_authenticated and allows(current_user.user_level, "developer")


def group_json(group: ScriptGroup, script_count: int | None = None) -> dict[str, Any]:
    """Shape a group."""
    meta, language = effective_group(group), request_language()
    data: dict[str, Any] = {
        "id": group.id,
        "folder": group.folder,
        "name": localised_text(meta["name"], language) or group.folder,
        "description": localised_text(meta["description"], language),
        "icon": meta.get("icon") or "folder",
        "required_level": group.required_level,
        "category": meta.get("category"),
        "conda_environment": group.conda_environment,
        "environment_state": environment_state(group),
        "execution_timeout": meta.get("execution_timeout"),
    }
    if script_count is not None:
        data["script_count"] = script_count
    if can_see_warnings():
        data["warnings"] = warning_texts(group.warnings, services().i18n.messages, language)
    return data


def environment_state(group: ScriptGroup) -> str:
    """Return ``ok`` when the group's environment is usable here, else ``fallback`` (runs
    use the manager's Python) or ``refused`` (CONDA_FALLBACK is off)."""
    svc = services()
    if svc.environments.is_available(group.conda_environment):
        return "ok"
    return "fallback" if svc.settings.conda_fallback else "refused"


def group_scripts_json(group_id: int) -> tuple[ScriptGroup, list[dict[str, Any]]]:
    """Return a group the caller may see and its visible scripts, shaped (with their tags)."""
    svc = services()
    group = svc.catalog.group_for(group_id, current_user.user_level)
    personal = svc.tags.user_tags(current_user.id)
    scripts = svc.catalog.scripts_of(group, current_user.user_level)
    shown = GroupShown.of(group)
    return group, [shown.script_json(script, personal.get(script.id)) for script in scripts]


def script_json(
    script: Script, group: ScriptGroup, user_tags: list[str] | None = None
) -> dict[str, Any]:
    """Shape a script with its effective metadata in the caller's language."""
    return GroupShown.of(group).script_json(script, user_tags)


@dataclass(frozen=True)
class GroupShown:
    """What every script of a group shows of it, worked out once for the caller."""

    group: ScriptGroup
    meta: dict[str, Any]
    language: str
    environment_state: str
    warnings: bool

    @classmethod
    def of(cls, group: ScriptGroup) -> GroupShown:
        return cls(group, effective_group(group), request_language(),
                   environment_state(group), can_see_warnings())  # fmt: skip

    def script_json(self, script: Script, user_tags: list[str] | None) -> dict[str, Any]:
        """Shape one of the group's scripts."""
        group, language = self.group, self.language
        meta = effective_script(script, group, self.meta)
        data: dict[str, Any] = {
            "id": script.id,
            "group_id": group.id,
            "group_name": localised_text(self.meta["name"], language),
            "filename": script.filename,
            "display_name": localised_text(meta["display_name"], language) or script.filename,
            "description": localised_text(meta["description"], language),
            "required_level": meta["required_level"],
            "category": meta.get("category"),
            "tags": meta["tags"],
            "user_tags": user_tags or [],
            "parameters": meta["parameters"],
            "conda_environment": group.conda_environment,
            "environment_state": self.environment_state,
            "execution_timeout": meta["execution_timeout"],
            "auto_open_interface": meta["auto_open_interface"],
            "requires_parameters": meta["requires_parameters"],
            "last_modified": iso_time(script.last_modified),
        }
        if self.warnings:
            data["warnings"] = warning_texts(script.warnings, services().i18n.messages, language)
        return data


def execution_json(record: ExecutionLog, outputs: dict[str, str] | None = None) -> dict[str, Any]:
    """Shape an execution record; with ``outputs``, include the three text streams."""
    end = record.end_time
    duration = (end - record.start_time).total_seconds() if end and record.start_time else None
    data: dict[str, Any] = {
        "execution_id": record.execution_uuid,
        "script_id": record.script_id,
        "script_name": record.script_name,
        "group_id": record.group_id,
        "project_id": record.project_id,
        "user_id": record.user_id,
        "status": record.status,
        "exit_code": record.exit_code,
        "parameters": record.parameters or {},
        "conda_environment": record.conda_environment,
        "flask_port": record.flask_port,
        "start_time": iso_time(record.start_time),
        "end_time": iso_time(end),
        "duration_seconds": round(duration, 3) if duration is not None else None,
        "peak_memory_bytes": record.peak_memory_bytes,
        "cpu_seconds": record.cpu_seconds,
        "trigger": record.trigger,
        "schedule_id": record.schedule_id,
    }
    if outputs is not None:
        data.update({key: outputs[stream] for key, stream in OUTPUT_KEYS.items()})
        data["environment"] = {
            k: v for k, v in (record.environment or {}).items() if k != "manager"
        }
    return data


def live_execution_json(record: ExecutionLog, live: LiveOutput) -> dict[str, Any]:
    """Shape a running run with the tail of each stream; ``cursor`` (give it back as
    ``?after=``), ``<stream>_truncated`` when lines before its text were left out, and
    ``log_url``, where the full log file is read."""
    data = execution_json(record, live.texts)
    data["cursor"] = live.cursor
    for key, stream in OUTPUT_KEYS.items():
        data[f"{key}_truncated"] = live.truncated[stream]
    data["log_url"] = url_for("logs_api.run_content", execution_id=record.execution_uuid)
    return data


def iso_time(value) -> str | None:
    """Return a stored (UTC) time as ISO 8601 with a Z, None for none."""
    return value.isoformat() + "Z" if value else None
