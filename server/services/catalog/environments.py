"""Python environments for groups: conda environments, plain venvs, the manager's own Python.

A group's ``conda_environment`` is a conda environment name, an absolute path to a venv
(or to a Python executable), or empty for the interpreter running the manager.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from sqlalchemy import select

from server.database import Database
from server.models import CondaEnvironment, ScriptGroup, utcnow
from server.services.audit import Actor, AuditLog
from server.services.errors import Conflict, InvalidInput, NotFound
from server.services.messages import Message

logger = logging.getLogger(__name__)

PROBE_TIMEOUT = 20
VERSION_CODE = "import platform; print(platform.python_version())"
MANAGER = "manager"
IS_WINDOWS = sys.platform == "win32"
CONDA_LIST_FAILED = "conda env list failed: {error}"


def conda_locations(home: Path | None = None) -> list[str]:
    """Return where conda is looked for, after ``CONDA_EXE`` and the PATH."""
    home = home or Path.home()
    if IS_WINDOWS:
        return [
            r"C:\ProgramData\Miniconda3\Scripts\conda.exe",
            r"C:\ProgramData\Anaconda3\Scripts\conda.exe",
            str(home / "Miniconda3" / "Scripts" / "conda.exe"),
            str(home / "Anaconda3" / "Scripts" / "conda.exe"),
        ]
    return [
        "/opt/conda/bin/conda",
        "/usr/local/bin/conda",
        str(home / "miniconda3" / "bin" / "conda"),
        str(home / "anaconda3" / "bin" / "conda"),
        str(home / "miniforge3" / "bin" / "conda"),
    ]


@dataclass(frozen=True)
class PythonEnvironment:
    """An interpreter a group can run in."""

    name: str
    kind: str  # conda, venv or manager
    path: str
    python: str
    python_version: str | None
    available: bool
    stands_in_for: str | None = None  # the group's environment this one replaces (fallback)


def python_in(prefix: Path, windows: bool = IS_WINDOWS) -> Path:
    """Return the interpreter of an environment prefix (venv or conda) laid out for Windows
    (``windows``) or POSIX.

    POSIX: ``bin/python`` for both. Windows: a venv (it has ``pyvenv.cfg``, or only
    ``Scripts\\python.exe``) keeps it in ``Scripts``, a conda prefix (or a plain
    installation) at its root.
    """
    if not windows:
        return prefix / "bin" / "python"
    root, venv = prefix / "python.exe", prefix / "Scripts" / "python.exe"
    if (prefix / "pyvenv.cfg").is_file() or (venv.is_file() and not root.is_file()):
        return venv
    return root


def probe_version(python: str) -> str | None:
    """Return the Python version an interpreter reports, None when it does not run."""
    try:
        result = subprocess.run(
            [python, "-c", VERSION_CODE], capture_output=True, text=True, timeout=PROBE_TIMEOUT
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None


class EnvironmentService:
    """Detect conda environments, describe interpreters and assign them to groups."""

    def __init__(
        self,
        db: Database,
        audit: AuditLog,
        conda_hint: str | None = None,
        candidates: list[str] | None = None,
    ) -> None:
        self._db = db
        self._audit = audit
        self._conda_hint = conda_hint
        self._candidates = conda_locations() if candidates is None else candidates
        self.conda_executable: str | None = None
        self.last_error: Message | None = None  # why conda environments could not be listed

    def find_conda(self) -> str | None:
        """Return the first conda executable that answers ``--version``."""
        from shutil import which

        for candidate in [self._conda_hint, which("conda"), *self._candidates]:
            if not candidate or not Path(candidate).is_file():
                continue
            try:
                result = subprocess.run(
                    [candidate, "--version"], capture_output=True, timeout=PROBE_TIMEOUT
                )
            except (OSError, subprocess.TimeoutExpired):
                continue
            if result.returncode == 0:
                return candidate
        return None

    def refresh(self) -> list[PythonEnvironment]:
        """Ask conda for its environments and store them; missing ones become unavailable."""
        self.conda_executable = self.find_conda()
        prefixes: list[Path] = []
        self.last_error = None
        if self.conda_executable is None:
            self.last_error = Message(
                "conda was not found; groups run in venvs or the manager's Python"
            )
        else:
            prefixes, self.last_error = self._conda_prefixes(self.conda_executable)
        with ThreadPoolExecutor(max_workers=4) as pool:
            versions = list(pool.map(lambda p: probe_version(str(python_in(p))), prefixes))
        session = self._db.session
        known = {env.name: env for env in session.scalars(select(CondaEnvironment))}
        seen = set()
        for prefix, version in zip(prefixes, versions, strict=True):
            name = _env_name(prefix, prefixes)
            seen.add(name)
            record = known.get(name) or CondaEnvironment(name=name, detected_at=utcnow())
            record.path, record.python_version = str(prefix), version
            record.is_available, record.last_verified = version is not None, utcnow()
            session.add(record)
        for name, record in known.items():
            if name not in seen:
                record.is_available = False
        session.commit()
        return self.list()

    def list(self) -> list[PythonEnvironment]:
        """Return the manager's interpreter and every known conda environment."""
        envs = [self._manager()]
        for record in self._db.session.scalars(
            select(CondaEnvironment).order_by(CondaEnvironment.name)
        ):
            envs.append(
                PythonEnvironment(
                    record.name,
                    "conda",
                    record.path,
                    str(python_in(Path(record.path))),
                    record.python_version,
                    record.is_available,
                )
            )
        return envs

    def describe(self, value: str | None) -> PythonEnvironment:
        """Return the interpreter a group setting names; raise NotFound when it does not exist."""
        if not value or value == MANAGER:
            return self._manager()
        if os.path.isabs(value):
            path = Path(value)
            python = path if path.is_file() else python_in(path)
            version = probe_version(str(python)) if python.is_file() else None
            if version is None:
                raise NotFound("No working Python at {path}.", path=value)
            return PythonEnvironment(path.name, "venv", str(path), str(python), version, True)
        record = self._db.session.scalar(
            select(CondaEnvironment).where(CondaEnvironment.name == value)
        )
        if record is None:
            raise NotFound(
                "The conda environment {name!r} is not known; refresh the list.", name=value
            )
        return PythonEnvironment(
            record.name, "conda", record.path, str(python_in(Path(record.path))),
            record.python_version, record.is_available,
        )  # fmt: skip

    def for_run(self, value: str | None, fallback: bool) -> PythonEnvironment:
        """Return the interpreter a run of a group uses: its environment, or the manager's
        Python standing in for one that is unavailable here (Conflict when not allowed)."""
        try:
            env = self.describe(value)
        except NotFound as exc:
            if not fallback:
                raise _missing_for_run(value) from exc
            return replace(self._manager(), stands_in_for=value)
        if env.available:
            return env
        if not fallback:
            raise Conflict(
                "The group's Python environment {name!r} is not available here.", name=env.name
            )
        return replace(self._manager(), stands_in_for=value)

    def is_available(self, value: str | None) -> bool:
        """Return whether a group's environment is usable here, cheaply (no interpreter is
        started): the manager's Python, a known available conda environment, or an
        existing venv interpreter."""
        if not value or value == MANAGER:
            return True
        if os.path.isabs(value):
            path = Path(value)
            return (path if path.is_file() else python_in(path)).is_file()
        record = self._db.session.scalar(
            select(CondaEnvironment).where(CondaEnvironment.name == value)
        )
        return record is not None and record.is_available

    def packages(self, env: PythonEnvironment) -> list[dict[str, str]]:
        """Return the packages installed in an environment (empty when pip is missing)."""
        try:
            command = [env.python, "-m", "pip", "list", "--format", "json"]
            result = subprocess.run(command, capture_output=True, text=True, timeout=60)
            return json.loads(result.stdout) if result.returncode == 0 else []
        except (OSError, ValueError, subprocess.TimeoutExpired):
            return []

    def assign(self, group: ScriptGroup, value: str | None, actor: Actor) -> PythonEnvironment:
        """Set a group's environment (None: the manager's Python); edits win over the file."""
        if value is not None and (not isinstance(value, str) or len(value) > 255):
            raise InvalidInput(
                "environment must be a name or an absolute path.", field="environment"
            )
        env = self.describe(value or None)
        if not env.available:
            raise InvalidInput(
                "The environment {name!r} is not available.", field="environment", name=env.name
            )
        group.edited = {**(group.edited or {}), "conda_environment": value or None}
        group.conda_environment = value or None
        self._audit.record(
            actor, "group.environment", f"group:{group.id}", {"environment": value or MANAGER}
        )
        self._db.session.commit()
        return env

    def _conda_prefixes(self, conda: str) -> tuple[list[Path], Message | None]:
        try:
            result = subprocess.run(
                [conda, "env", "list", "--json"], capture_output=True, text=True, timeout=60
            )
            envs = json.loads(result.stdout).get("envs", []) if result.returncode == 0 else None
        except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
            return [], Message(CONDA_LIST_FAILED, error=str(exc))
        if envs is None:
            return [], Message(CONDA_LIST_FAILED, error=result.stderr.strip()[:200])
        return [Path(p) for p in envs if isinstance(p, str)], None

    @staticmethod
    def _manager() -> PythonEnvironment:
        version = ".".join(map(str, sys.version_info[:3]))
        return PythonEnvironment(MANAGER, MANAGER, sys.prefix, sys.executable, version, True)


def _missing_for_run(value: str | None) -> Conflict:
    """Return the refusal of a run whose group names an environment that does not exist."""
    if value and os.path.isabs(value):
        return Conflict(
            "The group's Python environment is not available: no working Python at {path}.",
            path=value,
        )
    return Conflict(
        "The group's Python environment is not available: the conda environment {name!r} is "
        "not known; refresh the list.",
        name=value,
    )


def _env_name(prefix: Path, prefixes: list[Path]) -> str:
    """Name environments as conda does: the root prefix is ``base``, others by folder."""
    others = [p for p in prefixes if p != prefix]
    if any(other.is_relative_to(prefix) for other in others):
        return "base"
    return prefix.name


def as_dict(env: PythonEnvironment) -> dict[str, object]:
    """Shape an environment for the API."""
    return asdict(env)
