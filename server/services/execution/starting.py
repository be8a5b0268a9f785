"""What starting a run is made of: its plan, its context, its records and its first notes."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from server.models import ExecutionLog, Script, ScriptGroup, ScriptProcess, UserProject, utcnow
from server.services.catalog.environments import PythonEnvironment
from server.services.execution.capture import OutputCapture
from server.services.execution.launch import RunContext
from server.services.execution.run import Runner


@dataclass(frozen=True)
class RunPlan:
    """A validated run request: what runs, for whom, where, with which values."""

    script: Script
    group: ScriptGroup
    runner: Runner
    project: UserProject
    folder: Path
    script_path: Path
    params: list[dict[str, Any]]
    values: dict[str, Any]
    env: PythonEnvironment
    port: int
    meta: dict[str, Any]

    def secrets(self) -> list[str]:
        """Return the values of secret parameters (masked wherever they might be printed)."""
        return [
            str(self.values[p["name"]])
            for p in self.params
            if p.get("type") == "secret" and p["name"] in self.values
        ]


def run_context(plan: RunPlan, logo: Path) -> RunContext:
    """Return the context of a new run: a fresh execution id and interface token."""
    return RunContext(
        execution_id=str(uuid.uuid4()),
        script_path=plan.script_path,
        data_dir=plan.folder,
        user_level=plan.runner.level,
        port=plan.port,
        project_id=plan.project.id,
        project_name=plan.project.project_name,
        theme=plan.runner.theme,
        language=plan.runner.language,
        interface_token=secrets.token_urlsafe(32),
        base_url="",
        logo=logo,
    )


def log_path(root: Path, username: str, execution_id: str) -> Path:
    """Return ``<root>/<user>/<YYYY-MM-DD>/execution_<id>.log``."""
    return root / username / date.today().isoformat() / f"execution_{execution_id}.log"


def execution_record(
    plan: RunPlan,
    context: RunContext,
    argv: list[str],
    masked: dict[str, Any],
    log_file: Path,
    manager: dict[str, Any],
) -> ExecutionLog:
    """Return the execution record of a run that is starting."""
    return ExecutionLog(
        execution_uuid=context.execution_id,
        script_id=plan.script.id,
        group_id=plan.group.id,
        script_name=(plan.script.display_name or plan.script.filename)[:100],
        user_id=plan.runner.user_id,
        project_id=plan.project.id,
        status="running",
        trigger=plan.runner.trigger,
        schedule_id=plan.runner.schedule_id,
        start_time=utcnow(),
        parameters=masked,
        conda_environment=plan.env.name,
        flask_port=plan.port,
        log_path=str(log_file),
        environment={
            "python": plan.env.python,
            "python_version": plan.env.python_version,
            "kind": plan.env.kind,
            "requested_environment": plan.group.conda_environment,
            "fallback": plan.env.stands_in_for is not None,
            "working_directory": plan.group.directory_path,
            "data_dir": str(plan.folder),
            "argv": argv[1:],  # secrets are never on the command line
            "manager": manager,
        },
    )


def process_row(plan: RunPlan, execution_id: str, pid: int, session_id: str) -> ScriptProcess:
    """Return the process row of a started run; only a declared interface is listed as a
    (starting) interface session from the start, others once their port answers."""
    return ScriptProcess(
        script_id=plan.script.id,
        user_id=plan.runner.user_id,
        project_id=plan.project.id,
        process_id=pid,
        flask_port=plan.port,
        tab_session_id=session_id if plan.meta["interface"] else None,
        execution_uuid=execution_id,
        status="starting",
        started_at=utcnow(),
        last_ping=utcnow(),
    )


def describe(capture: OutputCapture, plan: RunPlan, context: RunContext, masked: Any) -> None:
    """Write the manager's opening notes of a run into its debug stream."""
    runner, env = plan.runner, plan.env
    capture.debug(f"ScriptsManager run {context.execution_id}")
    capture.debug(f"script: {context.script_path} (group {plan.group.folder})")
    capture.debug(f"user: {runner.username} ({runner.level}), project: {context.project_name}")
    if env.stands_in_for:
        capture.debug(
            f"the group's Python environment {env.stands_in_for!r} is not available here: "
            "running on the manager's own Python instead (CONDA_FALLBACK)"
        )
    capture.debug(f"python: {env.python} ({env.kind} {env.python_version or ''})".rstrip())
    capture.debug(f"parameters: {masked}")
    wanted = plan.meta.get("flask_port")
    if wanted and wanted != plan.port:
        capture.debug(
            f"port {wanted} (@flask_port) is taken or outside the port range: {plan.port}"
        )
