"""Declarations of options listed by a command: ``options_from`` on a select or multiselect.

``{"command": ["python", "list_sites.py", "--region", "{region}"], "timeout": 10,
"cache_seconds": 60}``: the group's Python runs a helper file of the script's folder. An
item that is exactly ``{name}`` becomes the current value of another parameter, so the
options depend on it. No shell ever reads the command, and no other program can be named.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from server.services.errors import InvalidInput

KEY = "options_from"
FIELD = "parameters"
INTERPRETER = "python"
SOURCE_KEYS = {"command", "timeout", "cache_seconds"}
DEFAULT_TIMEOUT, MIN_TIMEOUT, MAX_TIMEOUT = 10, 1, 60
DEFAULT_CACHE, MIN_CACHE, MAX_CACHE = 60, 0, 3600
MAX_ARGUMENTS, MAX_ARGUMENT_LENGTH = 64, 1000
PLACEHOLDER = re.compile(r"\{([A-Za-z][A-Za-z0-9_]{0,63})\}")
# A placeholder's value must be known while the form is filled, and may not leave the manager.
UNLINKABLE_TYPES = ("secret", "file")


def is_dynamic(param: dict[str, Any]) -> bool:
    """Return True when a declaration takes its options from a command."""
    return isinstance(param.get(KEY), dict)


def check_source(item: dict[str, Any], kind: str, number: int) -> bool:
    """Return True when declaration ``number`` has a well-formed ``options_from`` (False
    when it has none); raise InvalidInput saying what is wrong with it."""
    if KEY not in item:
        return False
    name, source = item.get("name"), item[KEY]
    if kind not in ("select", "multiselect"):
        raise InvalidInput(
            "parameter #{number}: only a select or multiselect can have options_from "
            "({name!r}); it was ignored",
            field=FIELD, number=number, name=name,
        )  # fmt: skip
    if "options" in item:
        raise InvalidInput(
            "parameter #{number}: {name!r} has both options and options_from; it was ignored",
            field=FIELD, number=number, name=name,
        )  # fmt: skip
    if not isinstance(source, dict):
        raise InvalidInput(
            "parameter #{number}: options_from of {name!r} must be an object; it was ignored",
            field=FIELD, number=number, name=name,
        )  # fmt: skip
    if unknown := sorted(set(source) - SOURCE_KEYS):
        raise InvalidInput(
            "parameter #{number}: options_from of {name!r} has unknown keys {keys}; "
            "it was ignored",
            field=FIELD, number=number, name=name, keys=unknown,
        )  # fmt: skip
    _check_command(source.get("command"), name, number)
    _check_seconds(source, "timeout", MIN_TIMEOUT, MAX_TIMEOUT, name, number)
    _check_seconds(source, "cache_seconds", MIN_CACHE, MAX_CACHE, name, number)
    return True


def _check_command(command: Any, name: Any, number: int) -> None:
    """Raise InvalidInput unless ``command`` is ``["python", "<helper file>", args...]``."""
    if isinstance(command, str):
        raise InvalidInput(
            "parameter #{number}: the command of {name!r} must be a list of arguments, "
            "not a shell command line; it was ignored",
            field=FIELD, number=number, name=name,
        )  # fmt: skip
    if not (
        isinstance(command, list)
        and 2 <= len(command) <= MAX_ARGUMENTS
        and all(isinstance(i, str) and 0 < len(i) <= MAX_ARGUMENT_LENGTH for i in command)
        and not any("\x00" in item for item in command)
    ):
        raise InvalidInput(
            "parameter #{number}: the command of {name!r} must be a list of 2 to {most} "
            "non-empty texts; it was ignored",
            field=FIELD, number=number, name=name, most=MAX_ARGUMENTS,
        )  # fmt: skip
    if command[0] != INTERPRETER or not is_helper_path(command[1]):
        raise InvalidInput(
            "parameter #{number}: the command of {name!r} must start with \"python\" and "
            "a file inside the script's folder; it was ignored",
            field=FIELD, number=number, name=name,
        )  # fmt: skip
    if any(("{" in item or "}" in item) and not PLACEHOLDER.fullmatch(item) for item in command):
        raise InvalidInput(
            "parameter #{number}: a placeholder in the command of {name!r} must be a whole "
            "argument such as \"{{region}}\"; it was ignored",
            field=FIELD, number=number, name=name,
        )  # fmt: skip


def is_helper_path(text: str) -> bool:
    """Return True for a relative path that stays inside its folder (no option, no ``..``)."""
    if text.startswith("-") or PLACEHOLDER.fullmatch(text) or "\\" in text:
        return False
    posix, windows = PurePosixPath(text), PureWindowsPath(text)
    return not (posix.is_absolute() or windows.drive or windows.root or ".." in posix.parts)


def _check_seconds(
    source: dict[str, Any], key: str, low: int, high: int, name: Any, number: int
) -> None:
    value = source.get(key)
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(
            "parameter #{number}: {key} of {name!r} must be a whole number of seconds from "
            "{low} to {high}; it was ignored",
            field=FIELD, number=number, key=key, name=name, low=low, high=high,
        )  # fmt: skip


def depends_on(param: dict[str, Any]) -> list[str]:
    """Return the parameters a dynamic declaration's command names, in order, once each."""
    names: list[str] = []
    for item in param[KEY]["command"][2:]:
        found = PLACEHOLDER.fullmatch(item)
        if found and found.group(1) not in names:
            names.append(found.group(1))
    return names


def timeout_of(param: dict[str, Any]) -> int:
    """Return the seconds a dynamic declaration's command may take."""
    return param[KEY].get("timeout", DEFAULT_TIMEOUT)


def cache_seconds_of(param: dict[str, Any]) -> int:
    """Return the seconds a dynamic declaration's options are kept."""
    return param[KEY].get("cache_seconds", DEFAULT_CACHE)


def keep_linked(
    params: list[dict[str, Any]], note: Callable[[InvalidInput], None]
) -> list[dict[str, Any]]:
    """Return the declarations without the dynamic ones whose placeholders are unusable
    (unknown, itself, a secret or file, or a cycle); ``note`` gets each problem."""
    kept = list(params)
    while True:
        bad = next((p for p in kept if is_dynamic(p) and _link_problem(p, kept)), None)
        if bad is None:
            return kept
        note(_link_problem(bad, kept))  # type: ignore[arg-type]
        kept.remove(bad)


def _link_problem(param: dict[str, Any], params: list[dict[str, Any]]) -> InvalidInput | None:
    by_name = {p["name"]: p for p in params}
    name = param["name"]
    for target in depends_on(param):
        other = by_name.get(target)
        if target == name or other is None or other.get("type") in UNLINKABLE_TYPES:
            return InvalidInput(
                "parameter {name!r}: the placeholder {{{target}}} must name another "
                "parameter that is not a secret or a file; it was ignored",
                field=FIELD, name=name, target=target,
            )  # fmt: skip
    if _in_cycle(name, by_name):
        return InvalidInput(
            "parameter {name!r}: the options depend on themselves through other "
            "parameters; it was ignored",
            field=FIELD, name=name,
        )  # fmt: skip
    return None


def _in_cycle(start: str, by_name: dict[str, dict[str, Any]]) -> bool:
    """Return True when following placeholders from ``start`` leads back to it."""
    seen: set[str] = set()
    waiting = [start]
    while waiting:
        current = by_name.get(waiting.pop())
        if current is None or not is_dynamic(current):
            continue
        for target in depends_on(current):
            if target == start:
                return True
            if target not in seen:
                seen.add(target)
                waiting.append(target)
    return False


def schema_of(param: dict[str, Any]) -> dict[str, Any]:
    """Return what the JSON Schema says of a dynamic declaration instead of an enum."""
    return {"depends_on": depends_on(param), "cache_seconds": cache_seconds_of(param)}
