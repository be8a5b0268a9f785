"""Script parameters: check declarations, validate submitted values, describe as JSON Schema.

A declaration is an object with ``name``, ``type`` and optionally ``required``,
``default``, ``options``, ``min``, ``max``, ``step``, ``pattern``, ``unit``, ``visible_if``
(``{"field": name, "equals": value}`` or ``{"field": name, "in": [values]}``) and
``description`` (a string or one per language).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from server.services.errors import InvalidInput

TYPES = (
    "string", "text", "int", "float", "bool", "select", "multiselect",
    "date", "path", "file", "secret",
)  # fmt: skip
NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
# The script contract's standard options. argparse takes a unique prefix for the whole name
# ("--data" for "--data-dir"), so a parameter may be neither one of them nor a prefix.
STANDARD_OPTIONS = (
    "--data-dir", "--user-level", "--port", "--project-id", "--project-name", "--theme",
    "--language",
)  # fmt: skip
KNOWN_KEYS = {
    "name", "type", "required", "default", "options", "min", "max", "step", "pattern", "unit",
    "visible_if", "description", "label", "placeholder",
}  # fmt: skip
MAX_TEXT = 100_000
SECRET_MASK = "********"


def check_declarations(raw: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """Return the usable declarations and a warning for each one dropped or repaired."""
    if raw in (None, []):
        return [], []
    if not isinstance(raw, list):
        return [], ["@parameters must be a JSON list of objects"]
    kept: list[dict[str, Any]] = []
    warnings: list[str] = []
    for index, item in enumerate(raw):
        problem = _declaration_problem(item, {p["name"] for p in kept})
        if problem:
            warnings.append(f"parameter #{index + 1}: {problem}; it was ignored")
            continue
        unknown = set(item) - KNOWN_KEYS
        if unknown:
            warnings.append(f"parameter {item['name']!r}: unknown keys {sorted(unknown)} ignored")
        kept.append({key: value for key, value in item.items() if key in KNOWN_KEYS})
    names = {p["name"] for p in kept}
    for param in kept:
        condition = param.get("visible_if")
        if condition is not None and not _valid_condition(condition, names - {param["name"]}):
            warnings.append(f"parameter {param['name']!r}: visible_if ignored (bad condition)")
            del param["visible_if"]
    return kept, warnings


def _declaration_problem(item: Any, taken: set[str]) -> str | None:
    if not isinstance(item, dict):
        return "not an object"
    name, kind = item.get("name"), item.get("type", "string")
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        return f"name {name!r} is not a valid identifier"
    if name in taken:
        return f"duplicate name {name!r}"
    clash = next((o for o in STANDARD_OPTIONS if o.startswith(f"--{name}")), None)
    if clash:
        return f"name {name!r} would be read as the standard argument {clash}"
    if kind not in TYPES:
        return f"type {kind!r} is not one of {', '.join(TYPES)}"
    options = item.get("options")
    if kind in ("select", "multiselect") and not (
        isinstance(options, list)
        and options
        and all(isinstance(o, str | int | float) for o in options)
    ):
        return f"{kind} {name!r} needs a non-empty list of options"
    bounds = _bounds_problem(item, name)
    if bounds:
        return bounds
    pattern = item.get("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except (re.error, TypeError):
            return f"pattern of {name!r} is not a valid regular expression"
    if "default" in item and item["default"] is not None:
        try:
            coerce({**item, "type": kind}, item["default"])
        except InvalidInput as exc:
            return f"default of {name!r} is invalid: {exc.message}"
    return None


def _bounds_problem(item: dict[str, Any], name: str) -> str | None:
    """Return what is wrong with ``min``, ``max`` and ``step``, or None."""
    for bound in ("min", "max", "step"):
        value = item.get(bound)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            return f"{bound} of {name!r} must be a number"
    if item.get("step") is not None and item["step"] <= 0:
        return f"step of {name!r} must be a positive number"
    return None


def _valid_condition(condition: Any, names: set[str]) -> bool:
    return (
        isinstance(condition, dict)
        and condition.get("field") in names
        and ("equals" in condition or isinstance(condition.get("in"), list))
    )


def is_visible(param: dict[str, Any], values: dict[str, Any]) -> bool:
    """Return True when the parameter's ``visible_if`` condition holds for ``values``."""
    condition = param.get("visible_if")
    if not condition:
        return True
    current = values.get(condition["field"])
    if "equals" in condition:
        return current == condition["equals"]
    return current in condition["in"]


def validate_values(
    params: list[dict[str, Any]],
    submitted: Any,
    resolve_path: Callable[[str, str], str] | None = None,
) -> dict[str, Any]:
    """Return the cleaned values (defaults applied, hidden fields dropped).

    Raise InvalidInput naming the first bad field. ``resolve_path(value, name)`` turns a
    ``path`` value into an absolute path inside the project folder, raising InvalidInput
    with ``field=name`` otherwise.
    """
    if not isinstance(submitted, dict):
        raise InvalidInput("parameters must be a JSON object.", field="parameters")
    declared = {p["name"] for p in params}
    unknown = sorted(set(submitted) - declared)
    if unknown:
        raise InvalidInput(f"{unknown[0]}: not a parameter of this script.", field=unknown[0])
    values: dict[str, Any] = {}
    for param in params:
        name = param["name"]
        raw = submitted.get(name, param.get("default"))
        if raw is None or raw == "" or raw == []:
            values[name] = None
            continue
        values[name] = coerce(param, raw)
        if param.get("type") == "path" and resolve_path is not None:
            values[name] = resolve_path(values[name], name)
    cleaned: dict[str, Any] = {}
    for param in params:
        name = param["name"]
        if not is_visible(param, values):
            continue
        if values[name] is None:
            if param.get("required"):
                raise InvalidInput(f"{name}: a value is required.", field=name)
            continue
        cleaned[name] = values[name]
    return cleaned


def coerce(param: dict[str, Any], raw: Any) -> Any:
    """Return ``raw`` converted to the parameter's type; raise InvalidInput when impossible."""
    name, kind = param["name"], param.get("type", "string")
    value = _CONVERTERS[kind](name, raw)
    _check_bounds(param, value)
    if kind == "select" and value not in _options(param):
        raise InvalidInput(f"{name}: {value!r} is not one of the options.", field=name)
    if kind == "multiselect":
        bad = [item for item in value if item not in _options(param)]
        if bad:
            raise InvalidInput(f"{name}: {bad[0]!r} is not one of the options.", field=name)
    pattern = param.get("pattern")
    if pattern and kind in ("string", "secret") and not re.fullmatch(pattern, value):
        raise InvalidInput(f"{name}: the value does not match the expected format.", field=name)
    return value


def _options(param: dict[str, Any]) -> list[str]:
    return [str(option) for option in param.get("options", [])]


def _check_bounds(param: dict[str, Any], value: Any) -> None:
    name, kind = param["name"], param.get("type", "string")
    low, high = param.get("min"), param.get("max")
    measure = len(value) if kind in ("string", "text", "secret", "multiselect") else value
    if kind not in ("int", "float", "string", "text", "secret", "multiselect"):
        return
    if low is not None and measure < low:
        raise InvalidInput(f"{name}: must be at least {low}.", field=name)
    if high is not None and measure > high:
        raise InvalidInput(f"{name}: must be at most {high}.", field=name)
    step = param.get("step")
    if step and kind in ("int", "float") and not _on_step(value, low or 0, step):
        raise InvalidInput(f"{name}: must be a multiple of {step} from {low or 0}.", field=name)


def _on_step(value: float, start: float, step: float) -> bool:
    """Return True when ``value`` is ``start`` plus a whole number of steps (float-tolerant)."""
    count = (value - start) / step
    return math.isclose(count, round(count), abs_tol=1e-9)


def _text(limit: int) -> Callable[[str, Any], str]:
    def convert(name: str, raw: Any) -> str:
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise InvalidInput(f"{name}: must be text.", field=name)
        text = str(raw)
        if len(text) > limit or "\x00" in text:
            raise InvalidInput(f"{name}: the text is too long or contains a NUL.", field=name)
        return text

    return convert


def _int(name: str, raw: Any) -> int:
    if isinstance(raw, bool):
        raise InvalidInput(f"{name}: must be a whole number.", field=name)
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    try:
        return int(str(raw).strip()) if not isinstance(raw, int) else raw
    except ValueError as exc:
        raise InvalidInput(f"{name}: must be a whole number.", field=name) from exc


def _float(name: str, raw: Any) -> float:
    if isinstance(raw, bool):
        raise InvalidInput(f"{name}: must be a number.", field=name)
    try:
        value = float(str(raw).strip()) if not isinstance(raw, int | float) else float(raw)
    except OverflowError as exc:  # an integer beyond any float
        raise InvalidInput(f"{name}: must be a finite number.", field=name) from exc
    except ValueError as exc:
        raise InvalidInput(f"{name}: must be a number.", field=name) from exc
    if not math.isfinite(value):
        raise InvalidInput(f"{name}: must be a finite number.", field=name)
    return value


def _bool(name: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise InvalidInput(f"{name}: must be true or false.", field=name)


def _date(name: str, raw: Any) -> str:
    try:
        return date.fromisoformat(str(raw).strip()).isoformat()
    except ValueError as exc:
        raise InvalidInput(f"{name}: must be a date (YYYY-MM-DD).", field=name) from exc


def _multi(name: str, raw: Any) -> list[str]:
    items = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(i, str | int | float) for i in items):
        raise InvalidInput(f"{name}: must be a list of options.", field=name)
    return [str(item).strip() for item in items if str(item).strip()]


def _file_name(name: str, raw: Any) -> str:
    text = _text(255)(name, raw)
    if text in (".", "..") or "/" in text or "\\" in text:
        raise InvalidInput(f"{name}: must be a plain file name.", field=name)
    return text


_CONVERTERS: dict[str, Callable[[str, Any], Any]] = {
    "string": _text(10_000),
    "text": _text(MAX_TEXT),
    "secret": _text(10_000),
    "select": _text(10_000),
    "path": _text(4096),
    "file": _file_name,
    "int": _int,
    "float": _float,
    "bool": _bool,
    "date": _date,
    "multiselect": _multi,
}


def value_text(value: Any) -> str:
    """Return a value as a person types it: true/false, comma-separated lists, JSON objects."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(value_text(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # a float parameter typed as "1" reads "1", not "1.0"
    return str(value)


def mask_secrets(params: list[dict[str, Any]], values: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of ``values`` with every secret replaced by a mask (for logs and pages)."""
    secrets = {p["name"] for p in params if p.get("type") == "secret"}
    return {k: (SECRET_MASK if k in secrets and v is not None else v) for k, v in values.items()}


def json_schema(params: list[dict[str, Any]], language: str = "en") -> dict[str, Any]:
    """Describe the parameters as a JSON Schema (draft 2020-12) for form generation."""
    properties = {p["name"]: _property_schema(p, language) for p in params}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": [p["name"] for p in params if p.get("required") and not p.get("visible_if")],
        "additionalProperties": False,
    }


_SCHEMA_TYPES = {
    "string": {"type": "string"},
    "text": {"type": "string", "x-widget": "textarea"},
    "secret": {"type": "string", "format": "password", "writeOnly": True},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "path": {"type": "string", "x-widget": "project-path"},
    "file": {"type": "string", "x-widget": "upload"},
    "select": {"type": "string"},
    "multiselect": {"type": "array", "uniqueItems": True},
}


def _property_schema(param: dict[str, Any], language: str) -> dict[str, Any]:
    kind = param.get("type", "string")
    schema: dict[str, Any] = {**_SCHEMA_TYPES[kind], "x-type": kind}
    description = localise(param.get("description"), language)
    if description:
        schema["description"] = description
    label = localise(param.get("label"), language)
    schema["title"] = label or param["name"].replace("_", " ").capitalize()
    if kind == "select":
        schema["enum"] = _options(param)
    if kind == "multiselect":
        schema["items"] = {"type": "string", "enum": _options(param)}
    numeric = kind in ("int", "float")
    bounds = {"min": "minimum", "max": "maximum"} if numeric else {}
    if kind in ("string", "text", "secret"):
        bounds = {"min": "minLength", "max": "maxLength"}
    elif kind == "multiselect":
        bounds = {"min": "minItems", "max": "maxItems"}
    for key, schema_key in bounds.items():
        if param.get(key) is not None:
            schema[schema_key] = param[key]
    if numeric and param.get("step") is not None:
        schema["x-step"] = param["step"]
    for key, schema_key in (("pattern", "pattern"), ("unit", "x-unit")):
        if param.get(key) is not None:
            schema[schema_key] = param[key]
    if param.get("default") is not None and kind != "secret":
        schema["default"] = param["default"]
    if param.get("visible_if"):
        schema["x-visible-if"] = param["visible_if"]
        schema["x-required"] = bool(param.get("required"))
    return schema


def localise(value: Any, language: str) -> str | None:
    """Return a per-language value in ``language``, else English, else any; strings as is."""
    if isinstance(value, dict):
        return value.get(language) or value.get("en") or next(iter(value.values()), None)
    return value if isinstance(value, str) else None
