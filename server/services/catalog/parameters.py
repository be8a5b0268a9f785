"""Script parameters: check declarations, validate submitted values, describe as JSON Schema.

A declaration is an object with ``name``, ``type`` and optionally ``required``,
``default``, ``options``, ``min``, ``max``, ``step``, ``pattern``, ``unit``, ``visible_if``
(``{"field": name, "equals": value}`` or ``{"field": name, "in": [values]}``) and
``description`` (a string or one per language). A select or multiselect may list its
options from a command instead (``options_from``, see options_from.py).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from server.services.catalog.options_from import check_source, is_dynamic, keep_linked, schema_of
from server.services.errors import InvalidInput
from server.services.messages import Message

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
    "visible_if", "description", "label", "placeholder", "options_from",
}  # fmt: skip
MAX_TEXT = 100_000
SECRET_MASK = "********"
FIELD = "parameters"  # the field a declaration problem names


def check_declarations(
    raw: Any, strict: bool = False
) -> tuple[list[dict[str, Any]], list[Message]]:
    """Return the usable declarations and a warning for each one dropped or repaired.

    With ``strict``, raise InvalidInput (field ``parameters``) at the first problem instead.
    """
    warnings: list[Message] = []

    def note(problem: InvalidInput) -> None:
        if strict:
            raise problem
        warnings.append(problem.text)
        if isinstance(problem.__cause__, InvalidInput):  # what is wrong with a default
            warnings.append(problem.__cause__.text)

    if raw in (None, []):
        return [], []
    if not isinstance(raw, list):
        note(InvalidInput("@parameters must be a JSON list of objects", field=FIELD))
        return [], warnings
    kept: list[dict[str, Any]] = []
    for number, item in enumerate(raw, start=1):
        try:
            _check_declaration(item, {p["name"] for p in kept}, number)
        except InvalidInput as problem:
            note(problem)
            continue
        if unknown := set(item) - KNOWN_KEYS:
            note(_unknown_keys(item["name"], unknown))
        kept.append({key: value for key, value in item.items() if key in KNOWN_KEYS})
    kept = keep_linked(kept, note)
    names = {p["name"] for p in kept}
    for param in kept:
        condition = param.get("visible_if")
        if condition is not None and not _valid_condition(condition, names - {param["name"]}):
            note(_bad_condition(param["name"]))
            del param["visible_if"]
    return kept, warnings


def _unknown_keys(name: str, unknown: set[str]) -> InvalidInput:
    return InvalidInput(
        "parameter {name!r}: unknown keys {keys} ignored",
        field=FIELD, name=name, keys=sorted(unknown),
    )  # fmt: skip


def _bad_condition(name: str) -> InvalidInput:
    return InvalidInput(
        "parameter {name!r}: visible_if ignored (bad condition)", field=FIELD, name=name
    )


def _check_declaration(item: Any, taken: set[str], number: int) -> None:
    """Raise InvalidInput saying why declaration ``number`` cannot be used."""
    if not isinstance(item, dict):
        raise InvalidInput(
            "parameter #{number}: not an object; it was ignored", field=FIELD, number=number
        )
    name, kind = item.get("name"), item.get("type", "string")
    _check_name(name, taken, number)
    if kind not in TYPES:
        raise InvalidInput(
            "parameter #{number}: type {kind!r} is not one of {types}; it was ignored",
            field=FIELD, number=number, kind=kind, types=", ".join(TYPES),
        )  # fmt: skip
    options = item.get("options")
    dynamic = check_source(item, kind, number)  # raises for a bad options_from
    if (
        kind in ("select", "multiselect")
        and not dynamic
        and not (
            isinstance(options, list)
            and options
            and all(isinstance(o, str | int | float) for o in options)
        )
    ):
        raise InvalidInput(
            "parameter #{number}: {kind} {name!r} needs a non-empty list of options; "
            "it was ignored",
            field=FIELD, number=number, kind=kind, name=name,
        )  # fmt: skip
    _check_declared_bounds(item, name, number)
    _check_pattern_and_default(item, name, kind, number)


def _check_name(name: Any, taken: set[str], number: int) -> None:
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise InvalidInput(
            "parameter #{number}: name {name!r} is not a valid identifier; it was ignored",
            field=FIELD, number=number, name=name,
        )  # fmt: skip
    if name in taken:
        raise InvalidInput(
            "parameter #{number}: duplicate name {name!r}; it was ignored",
            field=FIELD, number=number, name=name,
        )  # fmt: skip
    clash = next((o for o in STANDARD_OPTIONS if o.startswith(f"--{name}")), None)
    if clash:
        raise InvalidInput(
            "parameter #{number}: name {name!r} would be read as the standard argument "
            "{option}; it was ignored",
            field=FIELD, number=number, name=name, option=clash,
        )  # fmt: skip


def _check_declared_bounds(item: dict[str, Any], name: str, number: int) -> None:
    """Raise InvalidInput when ``min``, ``max`` or ``step`` is not a usable number."""
    for bound in ("min", "max", "step"):
        value = item.get(bound)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise InvalidInput(
                "parameter #{number}: {bound} of {name!r} must be a number; it was ignored",
                field=FIELD, number=number, bound=bound, name=name,
            )  # fmt: skip
    if item.get("step") is not None and item["step"] <= 0:
        raise InvalidInput(
            "parameter #{number}: step of {name!r} must be a positive number; it was ignored",
            field=FIELD, number=number, name=name,
        )  # fmt: skip


def _check_pattern_and_default(item: dict[str, Any], name: str, kind: str, number: int) -> None:
    """Raise InvalidInput for a bad ``pattern``, or a ``default`` the type refuses (the
    refusal is the cause)."""
    pattern = item.get("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except (re.error, TypeError) as exc:
            raise InvalidInput(
                "parameter #{number}: pattern of {name!r} is not a valid regular expression; "
                "it was ignored",
                field=FIELD, number=number, name=name,
            ) from exc  # fmt: skip
    if "default" in item and item["default"] is not None:
        try:
            coerce({**item, "type": kind}, item["default"])
        except InvalidInput as exc:
            raise InvalidInput(
                "parameter #{number}: default of {name!r} is invalid; it was ignored",
                field=FIELD, number=number, name=name,
            ) from exc  # fmt: skip


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
        raise InvalidInput("{field}: not a parameter of this script.", field=unknown[0])
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
                raise InvalidInput("{field}: a value is required.", field=name)
            continue
        cleaned[name] = values[name]
    return cleaned


def coerce(param: dict[str, Any], raw: Any) -> Any:
    """Return ``raw`` converted to the parameter's type; raise InvalidInput when impossible."""
    name, kind = param["name"], param.get("type", "string")
    value = _CONVERTERS[kind](name, raw)
    _check_bounds(param, value)
    static = not is_dynamic(param)  # a command's options are checked when the run starts
    if static and kind == "select" and value not in _options(param):
        raise InvalidInput("{field}: {value!r} is not one of the options.", field=name, value=value)
    if static and kind == "multiselect":
        bad = [item for item in value if item not in _options(param)]
        if bad:
            raise InvalidInput(
                "{field}: {value!r} is not one of the options.", field=name, value=bad[0]
            )
    pattern = param.get("pattern")
    if pattern and kind in ("string", "secret") and not re.fullmatch(pattern, value):
        raise InvalidInput("{field}: the value does not match the expected format.", field=name)
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
        raise InvalidInput("{field}: must be at least {low}.", field=name, low=low)
    if high is not None and measure > high:
        raise InvalidInput("{field}: must be at most {high}.", field=name, high=high)
    step = param.get("step")
    if step and kind in ("int", "float") and not _on_step(value, low or 0, step):
        raise InvalidInput(
            "{field}: must be a multiple of {step} from {start}.",
            field=name,
            step=step,
            start=low or 0,
        )


def _on_step(value: float, start: float, step: float) -> bool:
    """Return True when ``value`` is ``start`` plus a whole number of steps (float-tolerant)."""
    count = (value - start) / step
    return math.isclose(count, round(count), abs_tol=1e-9)


def _text(limit: int) -> Callable[[str, Any], str]:
    def convert(name: str, raw: Any) -> str:
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise InvalidInput("{field}: must be text.", field=name)
        text = str(raw)
        if len(text) > limit or "\x00" in text:
            raise InvalidInput("{field}: the text is too long or contains a NUL.", field=name)
        return text

    return convert


def _int(name: str, raw: Any) -> int:
    if isinstance(raw, bool):
        raise InvalidInput("{field}: must be a whole number.", field=name)
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    try:
        return int(str(raw).strip()) if not isinstance(raw, int) else raw
    except ValueError as exc:
        raise InvalidInput("{field}: must be a whole number.", field=name) from exc


def _float(name: str, raw: Any) -> float:
    if isinstance(raw, bool):
        raise InvalidInput("{field}: must be a number.", field=name)
    try:
        value = float(str(raw).strip()) if not isinstance(raw, int | float) else float(raw)
    except OverflowError as exc:  # an integer beyond any float
        raise InvalidInput("{field}: must be a finite number.", field=name) from exc
    except ValueError as exc:
        raise InvalidInput("{field}: must be a number.", field=name) from exc
    if not math.isfinite(value):
        raise InvalidInput("{field}: must be a finite number.", field=name)
    return value


def _bool(name: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise InvalidInput("{field}: must be true or false.", field=name)


def _date(name: str, raw: Any) -> str:
    try:
        return date.fromisoformat(str(raw).strip()).isoformat()
    except ValueError as exc:
        raise InvalidInput("{field}: must be a date (YYYY-MM-DD).", field=name) from exc


def _multi(name: str, raw: Any) -> list[str]:
    items = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(i, str | int | float) for i in items):
        raise InvalidInput("{field}: must be a list of options.", field=name)
    return [str(item).strip() for item in items if str(item).strip()]


def _file_name(name: str, raw: Any) -> str:
    text = _text(255)(name, raw)
    if text in (".", "..") or "/" in text or "\\" in text:
        raise InvalidInput("{field}: must be a plain file name.", field=name)
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
    if is_dynamic(param):
        schema["x-options-from"] = schema_of(param)
    if kind == "select" and "x-options-from" not in schema:
        schema["enum"] = _options(param)
    if kind == "multiselect":
        schema["items"] = {"type": "string"}
        if "x-options-from" not in schema:
            schema["items"]["enum"] = _options(param)
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
