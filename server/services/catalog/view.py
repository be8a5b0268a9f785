"""Effective metadata of groups and scripts, and their localised presentation."""

from __future__ import annotations

from typing import Any

from server.models import Script, ScriptGroup
from server.services.catalog.fields import merge_layers
from server.services.catalog.parameters import localise

DEFAULT_TIMEOUT = 300


def group_defaults(folder: str) -> dict[str, Any]:
    """Return the metadata a group has when its metadata.json says nothing."""
    return {
        "name": {"en": folder.replace("_", " ").capitalize()},
        "description": {},
        "icon": "folder",
        "required_level": "operator",
        "category": None,
        "conda_environment": None,
        "queue": None,  # EXECUTION_BACKEND=celery: the workers' queue its runs go to
        "auto_discovery": True,
        "execution_timeout": DEFAULT_TIMEOUT,
    }


def effective_group(group: ScriptGroup) -> dict[str, Any]:
    """Return a group's metadata: defaults, then metadata.json, then edits."""
    return merge_layers(group_defaults(group.folder or group.name), group.declared, group.edited)


def script_defaults(script: Script, group_meta: dict[str, Any]) -> dict[str, Any]:
    """Return the metadata a script has without a header: mostly its group's."""
    stem = script.filename.removesuffix(".py")
    return {
        "display_name": {"en": stem.replace("_", " ").capitalize()},
        "description": {},
        "description_long": {},
        "required_level": group_meta["required_level"],
        "category": group_meta.get("category"),
        "tags": [],
        "parameters": [],
        "execution_timeout": group_meta["execution_timeout"],
        "auto_open_interface": True,
        "requires_parameters": False,
        "interface": False,  # True: the script must serve its port (start time-out applies)
    }


def effective_script(
    script: Script, group: ScriptGroup, group_meta: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Return a script's metadata: group defaults, header, script_metadata.json, edits
    (``group_meta``: the group's effective metadata, when the caller has it already)."""
    declared = script.declared or {}
    group_meta = group_meta or effective_group(group)
    return merge_layers(
        script_defaults(script, group_meta),
        declared.get("header"),
        declared.get("file"),
        script.edited,
    )


def localised_text(value: Any, language: str) -> str:
    """Return the text of a per-language value in ``language`` (English as fallback)."""
    return localise(value, language) or ""
