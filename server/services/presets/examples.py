"""Example files: ``examples/<name>.json`` in a group folder, each filling one script's form.

The shape is ``{"script": "<file>.py", "name": text, "description"?: text,
"parameters": {...}}`` where a text is a string or one string per language. Malformed
files are skipped with a warning; files (or the folder) whose real path leaves the group
are skipped too, so a link cannot expose what lies outside it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from server.services.messages import Message
from server.settings import LANGUAGES

FOLDER = "examples"
MAX_BYTES = 256 * 1024
MAX_NAME = 100
MAX_DESCRIPTION = 2000
KEYS = {"script", "name", "description", "parameters"}


@dataclass(frozen=True)
class Example:
    """One example file: its stem, the script it is for, its texts and values."""

    stem: str
    script: str
    name: str | dict[str, str]
    description: str | dict[str, str] | None
    parameters: dict[str, Any]


def read_examples(group_folder: Path) -> tuple[list[Example], list[Message]]:
    """Return the usable examples of a group folder and a warning per file skipped."""
    folder = group_folder / FOLDER
    if not folder.is_dir():
        return [], []
    base = group_folder.resolve()
    if not folder.resolve().is_relative_to(base):
        return [], [Message("examples/ leads outside the group folder: ignored")]
    found: list[Example] = []
    warnings: list[Message] = []
    for file in sorted(folder.glob("*.json")):
        label = f"{FOLDER}/{file.name}"
        if not file.resolve().is_relative_to(base) or not file.is_file():
            warnings.append(
                Message("{file} is not a file inside the group folder: ignored", file=label)
            )
            continue
        example, problem = _read(file, label)
        if problem:
            warnings.append(problem)
        elif example is not None:
            found.append(example)
    return found, warnings


def _read(file: Path, label: str) -> tuple[Example | None, Message | None]:
    """Return the example of one file, or why it was ignored."""
    try:
        if file.stat().st_size > MAX_BYTES:
            return None, Message(
                "{file}: larger than {size} KiB; it was ignored", file=label, size=MAX_BYTES // 1024
            )
        document = json.loads(file.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        return None, Message("{file}: not UTF-8 text; it was ignored", file=label)
    except ValueError as exc:
        return None, Message(
            "{file}: not valid JSON ({error}); it was ignored", file=label, error=str(exc)
        )
    except OSError as exc:
        return None, Message(
            "{file}: cannot be read ({error}); it was ignored", file=label, error=exc.strerror
        )
    if not isinstance(document, dict):
        return None, Message("{file}: not a JSON object; it was ignored", file=label)
    return _example(file.stem, label, document)


def _example(
    stem: str, label: str, document: dict[str, Any]
) -> tuple[Example | None, Message | None]:
    script = document.get("script")
    if not isinstance(script, str) or not script.endswith(".py") or "/" in script or "\\" in script:
        return None, Message(
            '{file}: "script" must name a .py file of the group; it was ignored', file=label
        )
    name = document.get("name")
    if not _is_text(name, MAX_NAME):
        return None, Message(
            '{file}: "name" must be a text (up to {limit} characters) or one per language; '
            "it was ignored",
            file=label, limit=MAX_NAME,
        )  # fmt: skip
    description = document.get("description")
    if description is not None and not _is_text(description, MAX_DESCRIPTION):
        return None, Message(
            '{file}: "description" must be a text or one text per language; it was ignored',
            file=label,
        )
    parameters = document.get("parameters", {})
    if not isinstance(parameters, dict):
        return None, Message(
            '{file}: "parameters" must be a JSON object; it was ignored', file=label
        )
    unknown = sorted(set(document) - KEYS)
    if unknown:
        return None, Message(
            "{file}: unknown keys {keys}; it was ignored", file=label, keys=unknown
        )
    return Example(stem, script, name, description, parameters), None


def _is_text(value: Any, limit: int) -> bool:
    """Return True for a non-empty string up to ``limit`` characters, or an object of such
    strings by known language."""
    texts = value.values() if isinstance(value, dict) and set(value) <= set(LANGUAGES) else [value]
    return bool(value) and all(
        isinstance(text, str) and 0 < len(text.strip()) and len(text) <= limit for text in texts
    )


def example_warnings(group_folder: Path) -> list[Message]:
    """Return what is wrong with a group's example files (for the group's scan warnings)."""
    found, warnings = read_examples(group_folder)
    for example in found:
        if not (group_folder / example.script).is_file():
            warnings.append(
                Message(
                    "{file}: no script {script} here",
                    file=f"{FOLDER}/{example.stem}.json",
                    script=example.script,
                )  # fmt: skip
            )
    return warnings
