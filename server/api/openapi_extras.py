"""What the routes cannot say about themselves: success codes, media types, bodies they read
themselves, and the links that lead from one operation's answer to the next request."""

from __future__ import annotations

from typing import Any

from server.api.common import RESERVED_WORDS, SAFE_PART
from server.api.converters import MAX_ID, MIN_ID
from server.security.levels import LEVELS
from server.services.catalog.fields import EDITABLE_SCRIPT_FIELDS, LOCALISED, MAX_TIMEOUT
from server.services.catalog.parameters import NAME_PATTERN, TYPES
from server.settings import LANGUAGES

JSON = "application/json"
ERROR_REF = {"$ref": "#/components/schemas/Error"}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": "string", "description": "The request field at fault."},
            },
        }
    },
}

# Success answers other than ``200`` with a JSON body: (status, media types).
SUCCESS: dict[str, tuple[str, tuple[str, ...]]] = {
    "admin_users_api.create_user": ("201", (JSON,)),
    "auth_api.create_first_admin": ("201", (JSON,)),
    "projects_api.create_project": ("201", (JSON,)),
    "presets_api.create_preset": ("201", (JSON,)),
    "log_filters_api.create_filter": ("201", (JSON,)),
    "api_tokens_api.create_token": ("201", (JSON,)),
    "data_api.write_file": ("201", (JSON,)),
    "data_api.backup": ("201", (JSON,)),
    "runs_api.execute": ("202", (JSON,)),
    "system_api.create_backup": ("202", (JSON,)),
    "system_api.restore_backup": ("202", (JSON,)),
    "interfaces_api.beacon": ("204", ()),
    "data_api.read_file": ("200", ("*/*",)),  # the file itself, typed by its name
    "project_files_api.archive": ("200", ("application/zip",)),
    "project_files_api.download_backup": ("200", ("application/zip",)),
    "project_files_api.upload_files": ("201", (JSON,)),
    "logs_api.download": ("200", ("text/plain", JSON, "text/csv")),
    "admin_logs_api.export": ("200", (JSON, "text/csv")),
    "logs_bulk_api.bulk": ("200", (JSON, "application/zip")),
}
# Sub-paths of the data folder: safe names (see safe_component) joined by slashes; written
# files are .json ones.
_JSON_NAME = rf"(?!(?:{RESERVED_WORDS})\.)[A-Za-z0-9][A-Za-z0-9._-]{{0,94}}\.json"
_SUB_PATH = f"{SAFE_PART}(?:/{SAFE_PART})*"
SUB_PATHS = {
    "data_api.read_file": _SUB_PATH,
    "data_api.delete_file": _SUB_PATH,
    "data_api.write_file": f"(?:{SAFE_PART}/)*{_JSON_NAME}",
}
# Further documented answers that are not errors.
OTHER_ANSWERS = {"health_api.health": {"503": "Unhealthy: the same report, with the reasons."}}


def _int_or_null() -> dict[str, Any]:
    return {"anyOf": [{"type": "integer", "minimum": MIN_ID, "maximum": MAX_ID}, {"type": "null"}]}


def _localised(length: int) -> dict[str, Any]:
    text = {"type": "string", "maxLength": length}
    per_language = {
        "type": "object",
        "properties": {language: text for language in LANGUAGES},
        "additionalProperties": False,
    }
    return {"anyOf": [text, per_language]}


def _metadata_fields() -> dict[str, Any]:
    """Return the schema of each editable metadata field (null reverts it to the files)."""
    flag = {"type": "boolean"}
    tag = {"type": "string", "pattern": r"^\s*(?:[A-Za-z0-9_-]+)?\s*$"}
    declaration = {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "pattern": NAME_PATTERN.pattern},
            "type": {"enum": list(TYPES)},
        },
    }
    fields: dict[str, Any] = {key: _localised(length) for key, length in LOCALISED.items()}
    fields |= {
        "required_level": {"enum": list(LEVELS)},
        "category": {"type": "string", "maxLength": 100},
        "tags": {"anyOf": [{"type": "array", "items": tag}, {"type": "string"}]},
        "parameters": {"type": "array", "items": declaration},
        "execution_timeout": {"type": "integer", "minimum": 1, "maximum": MAX_TIMEOUT},
        "auto_open_interface": flag,
        "requires_parameters": flag,
        "interface": flag,
    }
    return {key: {"anyOf": [fields[key], {"type": "null"}]} for key in EDITABLE_SCRIPT_FIELDS}


def _run_bodies() -> dict[str, Any]:
    form = {
        "type": "object",
        "properties": {
            "parameters": {"type": "string", "description": "The parameters as JSON text."},
            "project_id": {"type": "string", "pattern": r"^[0-9]{1,19}$"},
        },
        "additionalProperties": {"type": "string", "format": "binary"},
    }
    body = {
        "type": "object",
        "properties": {"parameters": {"type": "object"}, "project_id": _int_or_null()},
    }
    return {JSON: {"schema": body}, "multipart/form-data": {"schema": form}}


def free_bodies() -> dict[str, dict[str, Any]]:
    """Return the request bodies of views that read their body themselves, by endpoint."""
    metadata = {
        "type": "object",
        "minProperties": 1,
        "properties": _metadata_fields(),
        "additionalProperties": False,
    }
    stop = {"type": "object", "properties": {"execution_id": {"type": "string"}}}
    export = {"type": "object", "properties": {"format": {"enum": ["json", "csv"]}}}
    return {
        "runs_api.execute": {"required": True, "content": _run_bodies()},
        "runs_api.stop": {"required": False, "content": {JSON: {"schema": stop}}},
        "admin_logs_api.export": {"required": False, "content": {JSON: {"schema": export}}},
        "metadata_api.update_metadata": {"required": True, "content": {JSON: {"schema": metadata}}},
        "data_api.write_file": {"required": True, "content": {JSON: {"schema": {}}}},
        "project_files_api.upload_files": {"required": True, "content": _upload_body()},
    }


def _upload_body() -> dict[str, Any]:
    files = {"type": "array", "items": {"type": "string", "format": "binary"}, "minItems": 1}
    form = {"type": "object", "required": ["files"], "properties": {"files": files}}
    return {"multipart/form-data": {"schema": form}}


def _from(pointer: str, **fields: str) -> dict[str, str]:
    return {name: f"$response.body#{pointer}/{field}" for name, field in fields.items()}


_PROJECT = {"project_id": "id", "group_id": "group_id"}
_SESSION = {**_from("/session", session_id="session_id"), "script_id": "$request.path.script_id"}
_IN_PROJECT = {"group_id": "$request.path.group_id", "project_id": "$request.path.project_id"}

# The answers that first name a resource (a creation, or the list of a collection), and
# where: (endpoint, status) -> {parameter name: expression}, the resource's own id first.
# Links go to the operations that take that id; the other values only complete them.
PRODUCERS: dict[tuple[str, str], dict[str, str]] = {
    ("catalog_api.list_groups", "200"): _from("/items/0", group_id="id"),
    ("catalog_api.list_scripts", "200"): _from("/items/0", script_id="id"),
    ("projects_api.create_project", "201"): _from("/project", **_PROJECT),
    ("projects_api.list_projects", "200"): _from("/items/0", **_PROJECT),
    ("runs_api.execute", "202"): {
        **_from("", execution_id="execution_id"),
        "script_id": "$request.path.script_id",
    },
    ("logs_api.list_runs", "200"): _from("/items/0", execution_id="execution_id"),
    ("runs_api.running", "200"): _from("/items/0", execution_id="execution_id"),
    ("admin_users_api.create_user", "201"): _from("/user", user_id="id"),
    ("admin_users_api.list_users", "200"): _from("/items/0", user_id="id"),
    ("interfaces_api.open_interface", "200"): _SESSION,
    ("interfaces_api.interface_status", "200"): {
        **_from("/items/0", session_id="session_id"),
        "script_id": "$request.path.script_id",
    },
    ("environments_api.list_environments", "200"): _from("/items/0", name="name"),
    ("i18n_api.languages", "200"): _from("/items/0", language="code"),
    ("data_api.list_files", "200"): {**_from("/items/0", filename="name"), **_IN_PROJECT},
    ("data_api.write_file", "201"): {**_from("", filename="name"), **_IN_PROJECT},
    ("project_files_api.list_backups", "200"): {
        **_from("/items/0", backup_name="name"),
        **_IN_PROJECT,
    },
    ("data_api.backup", "201"): {**_from("", backup_name="backup"), **_IN_PROJECT},
    ("api_tokens_api.create_token", "201"): _from("", token_id="id"),
    ("api_tokens_api.list_tokens", "200"): _from("/items/0", token_id="id"),
    ("presets_api.create_preset", "201"): {
        **_from("/preset", preset_id="id"),
        "script_id": "$request.path.script_id",
    },
}
