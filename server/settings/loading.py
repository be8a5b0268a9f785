"""Resolving settings: defaults, then ``<home>/config.json``, then the environment."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from server.resources import is_frozen, resource_path
from server.settings.declared import APP_NAME, LANGUAGES, Settings, SettingsError

MAX_RETENTION_DAYS = 36500  # a hundred years: more is a typing error


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Build the settings from defaults, config.json, the environment and overrides."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    env_values = _from_environ(environ)
    home_hint = overrides.get("home") or env_values.get("home")
    shared = overrides.get("shared_install", env_values.get("shared_install", False))
    home = Path(home_hint) if home_hint else _default_home(bool(shared))
    values.update(_from_config_file(home / "config.json"))
    values.update(env_values)
    values.update(overrides)
    values["home"] = home
    return resolve(Settings(**values))


def resolve(settings: Settings) -> Settings:
    """Fill derived defaults and check every value."""
    home = Path(settings.home or _default_home(settings.shared_install)).resolve()
    data = Path(settings.base_data_path or home / "data").resolve()
    resolved = replace(
        settings,
        home=home,
        base_data_path=data,
        backup_path=Path(settings.backup_path or home / "backup").resolve(),
        database_url=settings.database_url or f"sqlite:///{data / 'scriptsmanager.db'}",
        script_groups_path=Path(settings.script_groups_path or _default_groups(home)).resolve(),
        brand_logo=Path(settings.brand_logo or resource_path("assets/images/SIDEL.png")),
    )
    _validate(resolved)
    return resolved


def ensure_secret_key(settings: Settings) -> Settings:
    """Return settings with a secret key, generating and storing one (mode 0600) if needed."""
    if settings.secret_key:
        return settings
    key_file = settings._path("home") / "secret_key"
    if key_file.exists():
        key = key_file.read_text(encoding="utf-8").strip()
    else:
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(key)
    return replace(settings, secret_key=key)


def _default_groups(home: Path) -> Path:
    # A packaged app's own folder is read-only: its groups live (and are edited) in home.
    return home / "script_groups" if is_frozen() else resource_path("script_groups")


def _default_home(shared: bool) -> Path:
    if shared:
        return Path(platformdirs.site_data_dir(APP_NAME, appauthor=False))
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def _from_environ(environ: Mapping[str, str]) -> dict[str, Any]:
    values = {}
    for item in fields(Settings):
        raw = environ.get(item.metadata["env"])
        if raw not in (None, ""):
            values[item.name] = _coerce(item.name, item.type, raw)
    return values


def _from_config_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SettingsError(f"{path} is not valid JSON: {exc}") from exc
    values = {}
    for item in fields(Settings):
        json_path = item.metadata["json_path"]
        found, raw = _lookup(document, json_path) if json_path else (False, None)
        if found and raw is not None:
            values[item.name] = _coerce(item.name, item.type, raw)
    return values


def _lookup(document: Any, dotted: str) -> tuple[bool, Any]:
    node = document
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _coerce(name: str, type_name: Any, raw: Any) -> Any:
    kind = str(type_name)
    try:
        if kind.startswith("bool"):
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise ValueError(raw)
            return text in ("1", "true", "yes", "on")
        if kind.startswith("int"):
            if isinstance(raw, bool):
                raise ValueError(raw)
            return int(raw)
        if kind.startswith("Path"):
            return Path(str(raw)).expanduser()
        return str(raw)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"setting {name}: {raw!r} is not a valid {kind}") from exc


def _validate(settings: Settings) -> None:
    if settings.default_language not in LANGUAGES:
        raise SettingsError(f"DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}")
    if not 0 <= settings.interface_port <= 65535:
        raise SettingsError("INTERFACE_PORT must lie within 0..65535")
    if not 1024 <= settings.port_range_start <= settings.port_range_end <= 65535:
        raise SettingsError("PORT_RANGE_START..PORT_RANGE_END must lie within 1024..65535")
    for name in (
        "session_timeout",
        "heartbeat_interval",
        "cleanup_interval",
        "schedule_misfire_grace",
    ):
        if getattr(settings, name) <= 0:
            raise SettingsError(f"{name.upper()} must be positive")
    if settings.execution_backend not in ("local", "celery"):
        raise SettingsError("EXECUTION_BACKEND must be local or celery")
    if settings.execution_backend == "celery" and importlib.util.find_spec("celery") is None:
        raise SettingsError(
            "EXECUTION_BACKEND=celery needs Celery: pip install 'scriptsmanager[celery]'"
        )
    if settings.max_upload_size < 1 or settings.stop_grace_period < 0:
        raise SettingsError("MAX_UPLOAD_SIZE must be positive and STOP_GRACE_PERIOD not negative")
    if settings.login_max_failures < 1 or settings.login_lockout < 1:
        raise SettingsError("LOGIN_MAX_FAILURES and LOGIN_LOCKOUT must be positive")
    if settings.storage_quota_mb < 0:
        raise SettingsError("STORAGE_QUOTA_MB must not be negative (0: no quota)")
    _validate_backup(settings)
    for level in ("viewer", "operator", "developer", "admin"):
        if not 1 <= getattr(settings, f"log_retention_days_{level}") <= MAX_RETENTION_DAYS:
            raise SettingsError(
                f"LOG_RETENTION_DAYS_{level.upper()} must lie within 1..{MAX_RETENTION_DAYS}"
            )


def _validate_backup(settings: Settings) -> None:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", settings.backup_schedule_time):
        raise SettingsError("BACKUP_SCHEDULE_TIME must be a time of day as HH:MM (24 h)")
    for name in ("backup_retention_days", "backup_max_size_gb", "backup_max_files"):
        if getattr(settings, name) < 1:
            raise SettingsError(f"{name.upper()} must be positive")


def sources(settings: Settings, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return where each setting's value came from: environment, config.json, default or
    override (given in code or on the command line), judged by comparing the values."""
    environ = os.environ if environ is None else environ
    env_values = _from_environ(environ)
    try:
        file_values = _from_config_file(settings.config_file)
    except SettingsError:
        file_values = {}
    found = {}
    for item in fields(Settings):
        value = getattr(settings, item.name)
        if item.name in env_values and _same(env_values[item.name], value):
            found[item.name] = "environment"
        elif item.name in file_values and _same(file_values[item.name], value):
            found[item.name] = "config.json"
        elif item.default is None or _same(item.default, value):
            found[item.name] = "default"
        else:
            found[item.name] = "override"
    return found


def _same(raw: Any, value: Any) -> bool:
    if isinstance(raw, Path) and isinstance(value, Path):
        return raw.expanduser().resolve() == value
    return bool(raw == value)
