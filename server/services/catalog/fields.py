"""The metadata fields of scripts and groups: cleaning, layering and localising.

Layers, lowest first: group defaults, the script header, ``scripts/script_metadata.json``,
then edits made in the app. Per-language fields merge language by language.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from server.security.levels import LEVELS
from server.services.catalog.parameters import check_declarations
from server.services.errors import InvalidInput
from server.services.messages import Message
from server.settings import LANGUAGES

LOCALISED = {"display_name": 100, "description": 2000, "description_long": 255, "name": 100}
MAX_TIMEOUT = 7 * 24 * 3600
TAG_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
QUEUE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
EDITABLE_SCRIPT_FIELDS = (
    "display_name", "description", "description_long", "required_level", "category",
    "tags", "parameters", "execution_timeout", "auto_open_interface", "requires_parameters",
    "interface",
)  # fmt: skip


@dataclass(frozen=True)
class TagRules:
    """Limits on tags (the specification's ``tagging`` settings)."""

    max_count: int = 20
    max_length: int = 30

    def clean(self, tags: Any, field: str = "tags") -> list[str]:
        """Return unique tags (order kept); raise InvalidInput when a rule is broken."""
        if isinstance(tags, str):
            tags = [tag for tag in tags.split(",")]
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise InvalidInput("tags must be a list of text values.", field=field)
        cleaned: list[str] = []
        for tag in (t.strip() for t in tags):
            if not tag or tag in cleaned:
                continue
            if len(tag) > self.max_length or not TAG_PATTERN.fullmatch(tag):
                raise InvalidInput(
                    "tag {tag!r}: use up to {max_length} letters, digits, underscores or "
                    "dashes.",
                    field=field, tag=tag[:40], max_length=self.max_length,
                )  # fmt: skip
            cleaned.append(tag)
        if len(cleaned) > self.max_count:
            raise InvalidInput(
                "at most {max_count} tags are allowed.", field=field, max_count=self.max_count
            )
        return cleaned


def clean_fields(
    raw: dict[str, Any], rules: TagRules, allowed: tuple[str, ...] = EDITABLE_SCRIPT_FIELDS
) -> dict[str, Any]:
    """Return validated metadata fields; raise InvalidInput naming the first bad field."""
    cleaned: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in allowed:
            raise InvalidInput("{field}: not an editable field.", field=key)
        cleaned[key] = _CLEANERS[key](key, value, rules)
    return cleaned


def clean_fields_leniently(
    raw: dict[str, Any], rules: TagRules, allowed: tuple[str, ...] = EDITABLE_SCRIPT_FIELDS
) -> tuple[dict[str, Any], list[Message]]:
    """Return the valid fields and a warning for each invalid or unknown one."""
    cleaned: dict[str, Any] = {}
    warnings: list[Message] = []
    for key, value in raw.items():
        if key == "parameters" and "parameters" in allowed:
            cleaned[key], problems = check_declarations(value)
            warnings.extend(problems)
            continue
        try:
            cleaned.update(clean_fields({key: value}, rules, allowed))
        except InvalidInput as exc:
            warnings.append(exc.text)
    return cleaned, warnings


def merge_layers(*layers: dict[str, Any] | None) -> dict[str, Any]:
    """Merge metadata layers, later ones winning; per-language fields merge per language."""
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in (layer or {}).items():
            if key in LOCALISED and isinstance(value, dict):
                merged[key] = {**merged.get(key, {}), **value}
            else:
                merged[key] = value
    return merged


def localised(value: Any) -> dict[str, str]:
    """Return a per-language dict from a string (English) or a dict."""
    if isinstance(value, str):
        return {"en": value}
    return dict(value) if isinstance(value, dict) else {}


def _localised(key: str, value: Any, _rules: TagRules) -> dict[str, str]:
    texts = localised(value)
    if not texts and value not in (None, {}):
        raise InvalidInput("{field}: give a text or one text per language.", field=key)
    for language, text in texts.items():
        if language not in LANGUAGES:
            raise InvalidInput(
                "{field}: {language!r} is not a supported language.", field=key, language=language
            )
        if not isinstance(text, str) or len(text) > LOCALISED[key]:
            raise InvalidInput(
                "{field}: at most {limit} characters.", field=key, limit=LOCALISED[key]
            )
    return {language: text.strip() for language, text in texts.items()}


def _level(key: str, value: Any, _rules: TagRules) -> str:
    if value not in LEVELS:
        raise InvalidInput("{field}: must be one of {levels}.", field=key, levels=", ".join(LEVELS))
    return value


def _short_text(key: str, value: Any, _rules: TagRules) -> str:
    if not isinstance(value, str) or len(value) > 100:
        raise InvalidInput("{field}: a text of at most 100 characters.", field=key)
    return value.strip()


def _timeout(key: str, value: Any, _rules: TagRules) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_TIMEOUT:
        raise InvalidInput(
            "{field}: whole seconds between 1 and {limit}.", field=key, limit=MAX_TIMEOUT
        )
    return value


def _flag(key: str, value: Any, _rules: TagRules) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput("{field}: must be true or false.", field=key)
    return value


def _tags(key: str, value: Any, rules: TagRules) -> list[str]:
    return rules.clean(value, field=key)


def _parameters(_key: str, value: Any, _rules: TagRules) -> list[dict[str, Any]]:
    params, _warnings = check_declarations(value, strict=True)
    return params


def _port(key: str, value: Any, _rules: TagRules) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1024 <= value <= 65535:
        raise InvalidInput("{field}: a port between 1024 and 65535.", field=key)
    return value


def _environment(key: str, value: Any, _rules: TagRules) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 255:
        raise InvalidInput("{field}: an environment name or path.", field=key)
    return value.strip()


def _queue(key: str, value: Any, _rules: TagRules) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not QUEUE_NAME.fullmatch(value):
        raise InvalidInput("{field}: a queue name (letters, digits, . _ -, at most 64).", field=key)
    return value


_CLEANERS: dict[str, Callable[[str, Any, TagRules], Any]] = {
    "display_name": _localised,
    "description": _localised,
    "description_long": _localised,
    "name": _localised,
    "required_level": _level,
    "category": _short_text,
    "icon": _short_text,
    "tags": _tags,
    "parameters": _parameters,
    "execution_timeout": _timeout,
    "auto_open_interface": _flag,
    "requires_parameters": _flag,
    "interface": _flag,
    "auto_discovery": _flag,
    "flask_port": _port,
    "conda_environment": _environment,
    "queue": _queue,
}
GROUP_FIELDS = (
    "name", "description", "icon", "required_level", "category", "conda_environment",
    "queue", "auto_discovery", "execution_timeout",
)  # fmt: skip
SCRIPT_FILE_FIELDS = (*EDITABLE_SCRIPT_FIELDS, "flask_port")
