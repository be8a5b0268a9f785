"""What a child receives: argv, environment and working folder (CONTRACTS.md)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from server.resources import RUN_SCRIPT_VARIABLE, is_frozen
from server.services.catalog.environments import MANAGER, PythonEnvironment
from server.services.catalog.parameters import value_text

PASSTHROUGH = (
    "PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP",
    "SYSTEMROOT", "SYSTEMDRIVE", "COMSPEC", "PATHEXT", "WINDIR", "USERPROFILE", "APPDATA",
    "LOCALAPPDATA", "PROGRAMDATA", "DISPLAY", "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR",
    "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "LD_LIBRARY_PATH",
)  # fmt: skip


@dataclass(frozen=True)
class RunContext:
    """Everything the standard arguments and variables are made of."""

    execution_id: str
    script_path: Path
    data_dir: Path
    user_level: str
    port: int
    project_id: int
    project_name: str
    theme: str
    language: str
    interface_token: str
    base_url: str
    logo: Path


def argv_for(
    env: PythonEnvironment,
    context: RunContext,
    values: dict[str, Any],
    params: list[dict[str, Any]],
) -> list[str]:
    """Return the command line: interpreter, script, the seven standard arguments, parameters.

    Each parameter is one item ``--name=value``, so no value (``--user-level=admin``,
    ``-h``) can pass for an option. Secret parameters are left off the command line (other
    local users can read it); the script finds them in ``SCRIPTSMANAGER_PARAMETERS``.
    """
    argv = [
        env.python,
        str(context.script_path),
        "--data-dir", str(context.data_dir),
        "--user-level", context.user_level,
        "--port", str(context.port),
        "--project-id", str(context.project_id),
        "--project-name", context.project_name,
        "--theme", context.theme,
        "--language", context.language,
    ]  # fmt: skip
    kinds = {p["name"]: p.get("type", "string") for p in params}
    for name, value in values.items():
        if value is None or kinds.get(name) == "secret":
            continue
        argv.append(f"--{name}={value_text(value)}")
    return argv


def environment_for(
    env: PythonEnvironment,
    context: RunContext,
    values: dict[str, Any],
    sdk_path: Path,
    parent: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Return the child's explicit environment: a short pass-through list plus ours."""
    parent = os.environ if parent is None else parent
    child = {k: v for k, v in parent.items() if k in PASSTHROUGH or k.startswith("LC_")}
    if env.kind == "conda":
        prefix = Path(env.path)
        folders = [prefix / "bin"] if sys.platform != "win32" else [prefix, prefix / "Scripts"]
        child["PATH"] = os.pathsep.join([*map(str, folders), child.get("PATH", "")])
        child["CONDA_PREFIX"] = str(prefix)
        child["CONDA_DEFAULT_ENV"] = env.name
    elif env.kind == "venv":
        child["VIRTUAL_ENV"] = env.path
    if is_frozen():
        _leave_bundle(child, parent, runs_in_bundle=env.kind == MANAGER)
    child.update(
        {
            "PYTHONPATH": str(sdk_path),
            "PYTHONIOENCODING": "utf-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "SCRIPTSMANAGER_EXECUTION_ID": context.execution_id,
            "SCRIPTSMANAGER_PARAMETERS": json.dumps(values, ensure_ascii=False),
            "SCRIPTSMANAGER_INTERFACE_TOKEN": context.interface_token,
            "SCRIPTSMANAGER_BASE_URL": context.base_url,
            "SCRIPTSMANAGER_LOGO": str(context.logo),
        }
    )
    return child


def _leave_bundle(child: dict[str, str], parent: Mapping[str, str], runs_in_bundle: bool) -> None:
    """Adapt a packaged app's child: its own executable runs the script, with no bundle
    libraries forced on other interpreters."""
    if runs_in_bundle:
        child[RUN_SCRIPT_VARIABLE] = "1"
    # The bundle's loader prepends its own folder; give other Pythons the user's value back.
    original = parent.get("LD_LIBRARY_PATH_ORIG")
    if original is not None:
        child["LD_LIBRARY_PATH"] = original
    elif not runs_in_bundle:
        child.pop("LD_LIBRARY_PATH", None)
