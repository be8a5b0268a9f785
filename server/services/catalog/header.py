"""Read the ``ScriptsManager Metadata:`` block of a script's docstring.

Every problem becomes a warning; nothing here raises for bad input, so one broken script
never stops discovery of the others.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from server.security.levels import LEVELS
from server.services.messages import Message
from server.settings import LANGUAGES

HEADER_MARK = "ScriptsManager Metadata:"
MAX_HEADER_BYTES = 256 * 1024
_KEY_LINE = re.compile(r"^\s*@([A-Za-z_][A-Za-z0-9_]*)\s*:\s?(.*)$")
_LOCALISED = ("display_name", "description", "description_long")
_LOCALISED_KEY = re.compile(rf"^({'|'.join(_LOCALISED)})(?:_({'|'.join(LANGUAGES)}))?$")
_BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
INT_KEYS = ("execution_timeout", "flask_port")
BOOL_KEYS = ("auto_open_interface", "requires_parameters", "interface")


@dataclass
class Header:
    """What a script declares about itself, normalised, with the problems found."""

    values: dict[str, Any] = field(default_factory=dict)
    warnings: list[Message] = field(default_factory=list)
    found: bool = False


def read_header(path: Path) -> Header:
    """Parse the metadata block of a script file."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_HEADER_BYTES)
    except OSError as exc:
        return Header(warnings=[Message("cannot read the file: {error}", error=exc.strerror)])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(raw) - 4:  # not just a multi-byte character cut at the limit
            return Header(warnings=[Message("the file is not UTF-8 text; its header was ignored")])
        text = raw[: exc.start].decode("utf-8-sig")
    return parse_header_text(text)


def parse_header_text(text: str) -> Header:
    """Parse the metadata block found in a script's source text."""
    start = text.find(HEADER_MARK)
    if start < 0:
        return Header()
    body = text[start + len(HEADER_MARK) :]
    ends = [i for i in (body.find('"""'), body.find("'''")) if i >= 0]
    block = body[: min(ends)] if ends else body
    header = Header(found=True)
    for key, value in _key_values(block, header.warnings):
        _store(header, key, value)
    return header


def _key_values(block: str, warnings: list[Message]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        match = _KEY_LINE.match(line)
        if match:
            pairs.append((match.group(1), [match.group(2)]))
        elif pairs:
            pairs[-1][1].append(line)
        elif line.strip():
            warnings.append(
                Message("text before the first @key was ignored: {text!r}", text=line.strip()[:60])
            )
    return [(key, "\n".join(lines).strip()) for key, lines in pairs]


def _store(header: Header, key: str, value: str) -> None:
    values, warnings = header.values, header.warnings
    localised = _LOCALISED_KEY.match(key)
    if localised:
        values.setdefault(localised.group(1), {})[localised.group(2) or "en"] = value
    elif key == "required_level":
        if value in LEVELS:
            values[key] = value
        else:
            warnings.append(
                Message(
                    "@required_level {value!r} is not one of {levels}",
                    value=value,
                    levels=", ".join(LEVELS),
                )
            )
    elif key == "category":
        values[key] = value
    elif key == "tags":
        values[key] = [tag.strip() for tag in value.split(",") if tag.strip()]
    elif key == "parameters":
        try:
            values[key] = json.loads(value) if value else []
        except ValueError as exc:
            warnings.append(
                Message(
                    "@parameters is not valid JSON ({error}, line {line})",
                    error=exc.msg,
                    line=exc.lineno,
                )
            )
    elif key in INT_KEYS:
        if value.isdigit() and int(value) > 0:
            values[key] = int(value)
        else:
            warnings.append(
                Message(
                    "@{key} must be a positive whole number, not {value!r}", key=key, value=value
                )
            )
    elif key in BOOL_KEYS:
        if value.lower() in _BOOLEANS:
            values[key] = _BOOLEANS[value.lower()]
        else:
            warnings.append(
                Message("@{key} must be true or false, not {value!r}", key=key, value=value)
            )
    else:
        warnings.append(Message("unknown key @{key} was ignored", key=key))
