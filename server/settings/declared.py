"""The declarations: each setting with its default, environment name, config.json path and help."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    backup_enabled: bool = setting(
        True,
        "Take a system backup of the data tree every day at BACKUP_SCHEDULE_TIME.",
        env="BACKUP_ENABLED",
        json_path="backup.enabled",
    )
    backup_schedule_time: str = setting(
        "02:00",
        "Local time of day (HH:MM) of the daily system backup.",
        env="BACKUP_SCHEDULE_TIME",
        json_path="backup.schedule_time",
    )
    backup_retention_days: int = setting(
        30,
        "System backups older than this are deleted after each backup.",
        env="BACKUP_RETENTION_DAYS",
        json_path="backup.retention_days",
        unit="days",
    )
    backup_max_size_gb: int = setting(
        10,
        "Largest data tree a backup takes and a restore extracts (uncompressed).",
        env="BACKUP_MAX_SIZE_GB",
        json_path="backup.max_backup_size_gb",
        unit="GiB",
    )
    backup_max_files: int = setting(
        50000,
        "Most files and folders a backup takes and a restore extracts.",
        env="BACKUP_MAX_FILES",
        json_path="backup.max_files",
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
    conda_fallback: bool = setting(
        True,
        "Run a group whose conda environment or venv is unavailable on the manager's own "
        "Python, with a note in the run's console; false refuses the run (409).",
        env="CONDA_FALLBACK",
        json_path="conda.fallback",
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
    interface_port: int = setting(
        0,
        "Port of the interfaces' own origin in server mode: script pages are served through "
        "the proxy only there, never on the manager's origin. 0: a free port, chosen at start.",
        env="INTERFACE_PORT",
        json_path="web_interface.proxy_port",
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
        "Interval of the clean-up of ports whose process is gone (closed tabs and lost "
        "heartbeats are checked every second).",
        env="CLEANUP_INTERVAL",
        json_path="web_interface.cleanup_interval",
        unit="s",
    )
    execution_backend: str = setting(
        "local",
        "Where runs start: local (child processes of the manager) or celery (worker "
        "processes or hosts started with `scriptsmanager worker`, through CELERY_BROKER_URL).",
        env="EXECUTION_BACKEND",
        json_path="execution.backend",
    )
    celery_broker_url: str = setting(
        "redis://127.0.0.1:6379/0",
        "Redis of the celery backend: its broker, and the relay of live output, stops and "
        "worker heartbeats.",
        env="CELERY_BROKER_URL",
        json_path="execution.broker_url",
    )
    worker_host: str = setting(
        "127.0.0.1",
        "`scriptsmanager worker`: the address of this host that the manager reaches script "
        "interfaces on (scripts' interfaces listen on it).",
        env="WORKER_HOST",
        json_path="execution.worker_host",
    )
    schedule_misfire_grace: int = setting(
        300,
        "A scheduled run late by less than this (the manager was restarting, the machine "
        "slept) still runs, once; a later one is skipped until its next time.",
        env="SCHEDULE_MISFIRE_GRACE",
        json_path="scheduling.misfire_grace",
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
    mermaid_enabled: bool = setting(
        True,
        "Draw the mermaid code blocks of script documentation as diagrams (in a sandboxed "
        "frame); false shows their source as code.",
        env="MERMAID_ENABLED",
        json_path="documentation.mermaid_enabled",
    )
    max_projects_per_user: int = setting(
        50,
        "Projects one user may own.",
        env="MAX_PROJECTS_PER_USER",
        json_path="multi_user.max_projects_per_user",
    )
    storage_quota_mb: int = setting(
        0,
        "Disk space one user's data folders and run logs may take (1 MB = 1,048,576 bytes); "
        "at 80 % a notice, past it new runs and data writes are refused (507). An admin may "
        "set another quota per user. 0: no quota.",
        env="STORAGE_QUOTA_MB",
        json_path="multi_user.storage_quota_mb",
        unit="MB",
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
        "Memory limit of a script (0: none): the address space of each of its processes on "
        "Linux and macOS, the memory committed by its whole process tree on Windows.",
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
        "Failed logins for one account from one address (four times as many for one "
        "account or one address overall) before further attempts from there wait, with "
        "delays doubling from 10 s (429).",
        env="LOGIN_MAX_FAILURES",
        json_path="security.login_max_failures",
    )
    login_lockout: int = setting(
        900,
        "Window over which failed logins are counted, and the longest wait.",
        env="LOGIN_LOCKOUT",
        json_path="security.login_lockout",
        unit="s",
    )
    desktop_require_login: bool = setting(
        False,
        "Make the desktop window ask for a login. By default the personal desktop signs in "
        "the OS user's own account (an admin with no password) without a login page; "
        "server mode and --connect always ask.",
        env="DESKTOP_REQUIRE_LOGIN",
        json_path="security.desktop_require_login",
    )
    trusted_hosts: str = setting(
        "",
        "Host names (comma-separated) the manager answers to besides localhost, 127.0.0.1 "
        "and ::1 (and the --host it listens on); any other Host header gets 400. A leading "
        "dot allows subdomains (.example.com).",
        env="TRUSTED_HOSTS",
        json_path="security.trusted_hosts",
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
    log_retention_days_viewer: int = setting(
        7,
        "Runs of viewers are deleted, with their log files, once older than this.",
        env="LOG_RETENTION_DAYS_VIEWER",
        json_path="logging.retention_days.viewer",
        unit="days",
    )
    log_retention_days_operator: int = setting(
        30,
        "Runs of operators are deleted, with their log files, once older than this.",
        env="LOG_RETENTION_DAYS_OPERATOR",
        json_path="logging.retention_days.operator",
        unit="days",
    )
    log_retention_days_developer: int = setting(
        90,
        "Runs of developers are deleted, with their log files, once older than this.",
        env="LOG_RETENTION_DAYS_DEVELOPER",
        json_path="logging.retention_days.developer",
        unit="days",
    )
    log_retention_days_admin: int = setting(
        365,
        "Runs of admins are deleted, with their log files, once older than this.",
        env="LOG_RETENTION_DAYS_ADMIN",
        json_path="logging.retention_days.admin",
        unit="days",
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
