"""Every setting, declared once: defaults, then ``<home>/config.json``, then the environment.

Each field of :class:`Settings` carries its environment name, its place in
``config.json`` (the specification's "Configuration Options" layout), its unit and a
help text. The README's configuration table is generated from these declarations.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from server.resources import is_frozen, resource_path

APP_NAME = "ScriptsManager"
LANGUAGES = ("en", "es", "it", "fr")


class SettingsError(ValueError):
    """A configuration value is missing or malformed."""


def setting(
    default: Any,
    help: str,
    *,
    env: str,
    json_path: str | None = None,
    unit: str = "",
    secret: bool = False,
) -> Any:
    """Declare one setting: its default, environment name, config.json path and help."""
    meta = {"env": env, "json_path": json_path, "unit": unit, "help": help, "secret": secret}
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Settings:
    """The resolved configuration of one manager process."""

    home: Path | None = setting(
        None,
        "Root of all run-time state. Default: the user data folder (the site data folder "
        "when SHARED_INSTALL is true).",
        env="SCRIPTSMANAGER_HOME",
    )
    shared_install: bool = setting(
        False,
        "Use the machine-wide data folder as the default home (shared workstation service).",
        env="SHARED_INSTALL",
    )
    base_data_path: Path | None = setting(
        None,
        "The data tree: per-run data, logs, project backups. Default: <home>/data.",
        env="BASE_DATA_PATH",
        json_path="data_management.base_data_path",
    )
    backup_path: Path | None = setting(
        None,
        "System backups. Default: <home>/backup.",
        env="BACKUP_PATH",
        json_path="backup.backup_path",
    )
    database_url: str | None = setting(
        None,
        "SQLAlchemy URL. Default: sqlite:///<BASE_DATA_PATH>/scriptsmanager.db.",
        env="DATABASE_URL",
        json_path="database.url",
    )
    script_groups_path: Path | None = setting(
        None,
        "The folder scanned for script groups. Default: the shipped script_groups/ "
        "(packaged app: <home>/script_groups, seeded with the shipped examples).",
        env="SCRIPT_GROUPS_PATH",
        json_path="script_groups_path",
    )
    secret_key: str | None = setting(
        None,
        "Session signing key. Default: generated once into <home>/secret_key (mode 0600).",
        env="SECRET_KEY",
        secret=True,
    )
    watch_script_groups: bool = setting(
        True,
        "Rescan a group within about a second when its files change (hot reload).",
        env="WATCH_SCRIPT_GROUPS",
        json_path="script_groups_watch",
    )
    conda_auto_detect: bool = setting(
        True,
        "Look for conda and its environments at start-up.",
        env="CONDA_AUTO_DETECT",
        json_path="conda.auto_detect",
    )
    max_tags_per_script: int = setting(
        20,
        "Tags on one script (its own or one user's).",
        env="MAX_TAGS_PER_SCRIPT",
        json_path="tagging.max_tags_per_script",
    )
    max_tag_length: int = setting(
        30,
        "Characters in one tag (letters, digits, underscore, dash).",
        env="MAX_TAG_LENGTH",
        json_path="tagging.max_tag_length",
    )
    port_range_start: int = setting(
        5200,
        "First port handed to script interfaces.",
        env="PORT_RANGE_START",
        json_path="web_interface.port_range.start",
    )
    port_range_end: int = setting(
        5400,
        "Last port handed to script interfaces.",
        env="PORT_RANGE_END",
        json_path="web_interface.port_range.end",
    )
    session_timeout: int = setting(
        1800,
        "Time without heartbeat before an interface is shut down.",
        env="SESSION_TIMEOUT",
        json_path="web_interface.session_timeout",
        unit="s",
    )
    heartbeat_interval: int = setting(
        30,
        "Interval of the interface heartbeat sent by browser tabs.",
        env="HEARTBEAT_INTERVAL",
        json_path="web_interface.heartbeat_interval",
        unit="s",
    )
    cleanup_interval: int = setting(
        300,
        "Interval of the periodic clean-up of stale interfaces and ports.",
        env="CLEANUP_INTERVAL",
        json_path="web_interface.cleanup_interval",
        unit="s",
    )
    interface_start_timeout: int = setting(
        30,
        "Time a script declared as an interface (@interface: true) has to answer on its port.",
        env="INTERFACE_START_TIMEOUT",
        json_path="web_interface.start_timeout",
        unit="s",
    )
    max_concurrent_interfaces: int = setting(
        20,
        "Interfaces open at once, all users together.",
        env="MAX_CONCURRENT_INTERFACES",
        json_path="web_interface.max_concurrent_interfaces",
    )
    max_interfaces_per_user: int = setting(
        5,
        "Interfaces open at once for one user.",
        env="MAX_INTERFACES_PER_USER",
        json_path="web_interface.max_interfaces_per_user",
    )
    port_check_retries: int = setting(
        3,
        "Binding attempts for one port before the next one is tried.",
        env="PORT_CHECK_RETRIES",
        json_path="web_interface.port_check_retries",
    )
    default_language: str = setting(
        "en",
        "Language for visitors and new users: en, es, it or fr.",
        env="DEFAULT_LANGUAGE",
        json_path="documentation.default_language",
    )
    max_projects_per_user: int = setting(
        50,
        "Projects one user may own.",
        env="MAX_PROJECTS_PER_USER",
        json_path="multi_user.max_projects_per_user",
    )
    stop_grace_period: int = setting(
        5,
        "Time a stopped script gets between SIGTERM and SIGKILL.",
        env="STOP_GRACE_PERIOD",
        json_path="execution.stop_grace_period",
        unit="s",
    )
    max_output_in_database: int = setting(
        1048576,
        "Output kept per stream in the database row (start and end); the log file keeps all.",
        env="MAX_OUTPUT_IN_DATABASE",
        json_path="execution.max_output_in_database",
        unit="bytes",
    )
    max_memory_per_script: int = setting(
        0,
        "Address-space limit of each script process where the OS supports it (0: none).",
        env="MAX_MEMORY_PER_SCRIPT",
        json_path="execution.max_memory_mb",
        unit="MiB",
    )
    max_upload_size: int = setting(
        200,
        "Largest request body, file uploads included.",
        env="MAX_UPLOAD_SIZE",
        json_path="data_management.max_upload_mb",
        unit="MiB",
    )
    auth_session_lifetime: int = setting(
        43200,
        "Time a login stays valid without activity.",
        env="AUTH_SESSION_LIFETIME",
        json_path="security.session_lifetime",
        unit="s",
    )
    login_max_failures: int = setting(
        5,
        "Failed logins for one user name (four times as many for one address) before "
        "further attempts are refused with 429.",
        env="LOGIN_MAX_FAILURES",
        json_path="security.login_max_failures",
    )
    login_lockout: int = setting(
        900,
        "Window over which failed logins are counted, and the wait after a refusal.",
        env="LOGIN_LOCKOUT",
        json_path="security.login_lockout",
        unit="s",
    )
    session_cookie_secure: bool = setting(
        False,
        "Send the session cookie only over HTTPS (set when served behind TLS).",
        env="SESSION_COOKIE_SECURE",
        json_path="security.session_cookie_secure",
    )
    brand_name: str = setting(
        "SIDEL",
        "Corporate name shown in the header and window titles.",
        env="BRAND_NAME",
        json_path="branding.name",
    )
    brand_logo: Path | None = setting(
        None,
        "Corporate logo (PNG). Default: the shipped assets/images/SIDEL.png.",
        env="BRAND_LOGO",
        json_path="branding.logo",
    )
    log_level: str = setting(
        "INFO",
        "Level of logs/system/application.log.",
        env="LOG_LEVEL",
        json_path="logging.level",
    )

    # Derived paths: valid once resolve() has run.
    @property
    def logs_path(self) -> Path:
        """Return the root of the log tree."""
        return self._path("base_data_path") / "logs"

    @property
    def config_file(self) -> Path:
        """Return the path of ``<home>/config.json``."""
        return self._path("home") / "config.json"

    def _path(self, name: str) -> Path:
        value = getattr(self, name)
        if value is None:
            raise SettingsError(f"{name} is not resolved; call resolve() first")
        return value


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


def describe() -> list[dict[str, str]]:
    """Return one row per setting: env name, config.json path, default, unit, help."""
    rows = []
    for item in fields(Settings):
        meta = item.metadata
        default = item.default if item.default is not MISSING else ""
        rows.append(
            {
                "env": meta["env"],
                "json_path": meta["json_path"] or "",
                "default": "" if default is None else str(default),
                "unit": meta["unit"],
                "help": meta["help"],
            }
        )
    return rows


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
    if not 1024 <= settings.port_range_start <= settings.port_range_end <= 65535:
        raise SettingsError("PORT_RANGE_START..PORT_RANGE_END must lie within 1024..65535")
    for name in ("session_timeout", "heartbeat_interval", "cleanup_interval"):
        if getattr(settings, name) <= 0:
            raise SettingsError(f"{name.upper()} must be positive")
    if settings.max_upload_size < 1 or settings.stop_grace_period < 0:
        raise SettingsError("MAX_UPLOAD_SIZE must be positive and STOP_GRACE_PERIOD not negative")
    if settings.login_max_failures < 1 or settings.login_lockout < 1:
        raise SettingsError("LOGIN_MAX_FAILURES and LOGIN_LOCKOUT must be positive")


def markdown_table() -> str:
    """Return the README's configuration table."""
    lines = ["| variable | config.json key | default | meaning |", "|---|---|---|---|"]
    for row in describe():
        default = f"{row['default']} {row['unit']}".strip() if row["default"] else "see meaning"
        key = f"`{row['json_path']}`" if row["json_path"] else "—"
        meaning = row["help"].replace("<", "&lt;")
        lines.append(f"| `{row['env']}` | {key} | {default} | {meaning} |")
    return "\n".join(lines)


def update_readme(path: Path) -> None:
    """Replace the configuration table between the README's settings markers."""
    text = path.read_text(encoding="utf-8")
    head, rest = text.split("<!-- settings:start -->", 1)
    _old, tail = rest.split("<!-- settings:end -->", 1)
    table = f"<!-- settings:start -->\n{markdown_table()}\n<!-- settings:end -->"
    path.write_text(head + table + tail, encoding="utf-8")


if __name__ == "__main__":
    update_readme(Path(__file__).resolve().parent.parent / "README.md")
