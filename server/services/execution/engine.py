"""The execution engine: validate, launch, watch, stop and record script runs.

This process is the only owner of the children it starts. Each run has two pipe readers
(``capture``) and a monitor thread that samples resources, applies the time limit and
records the end. Runs left "running" by a manager that died are settled at start-up.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from server.database import Database
from server.layout import Layout
from server.models import (
    ExecutionLog,
    Script,
    ScriptGroup,
    ScriptProcess,
    UserProject,
    utcnow,
)
from server.services.audit import Actor, AuditLog
from server.services.catalog.environments import EnvironmentService, PythonEnvironment
from server.services.catalog.parameters import mask_secrets, validate_values
from server.services.catalog.view import effective_script
from server.services.errors import Conflict, NotFound
from server.services.execution import process as processes
from server.services.execution import records
from server.services.execution.capture import OutputCapture
from server.services.execution.events import ExecutionEvents
from server.services.execution.inputs import resolve_files, save_uploads
from server.services.execution.launch import RunContext, argv_for, environment_for
from server.services.execution.records import close_session, record_end, update_session
from server.services.execution.run import Run, Runner, Upload
from server.services.ports import PortManager
from server.services.projects import ProjectService
from server.services.safe_paths import inside
from server.settings import Settings

logger = logging.getLogger(__name__)

DRAIN_TIMEOUT = 2.0  # pipes still open after the child ended: descendants hold them
SAMPLE_EVERY = 0.25
SAMPLE_FAST_FOR = 10.0
SAMPLE_SLOWLY = 2.0
MANAGER_ID = {"pid": os.getpid(), "started": processes.create_time(os.getpid())}


class ExecutionService:
    """Start runs and keep their records."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        layout: Layout,
        ports: PortManager,
        projects: ProjectService,
        environments: EnvironmentService,
        events: ExecutionEvents,
        audit: AuditLog,
        sdk_path: Path,
    ) -> None:
        self._db = db
        self._settings = settings
        self._layout = layout
        self._ports = ports
        self._projects = projects
        self._environments = environments
        self._events = events
        self._audit = audit
        self._sdk_path = sdk_path
        self._runs: dict[str, Run] = {}
        self._lock = threading.Lock()

    # -- starting -------------------------------------------------------------------------

    def execute(
        self,
        script: Script,
        group: ScriptGroup,
        runner: Runner,
        parameters: Any,
        project: UserProject | None = None,
        uploads: list[Upload] | None = None,
        remote_addr: str | None = None,
    ) -> ExecutionLog:
        """Validate the parameters and start the script; return its execution record."""
        meta = effective_script(script, group)
        params = meta["parameters"]
        project = project or self._projects.default(runner.user_id, group)
        folder = self._projects.folder(group, runner.username, project)
        raw = dict(parameters) if isinstance(parameters, dict) else parameters
        if isinstance(raw, dict):
            raw.update(save_uploads(params, folder, uploads or []))
        values = validate_values(params, raw, lambda value: str(inside(folder, value, "path")))
        values = resolve_files(params, values, folder)
        env = self._interpreter(group)
        if meta["interface"]:
            self._check_interface_limits(runner.user_id)
        self._projects.touch(project)
        port = self._ports.allocate(script.id, runner.user_id, project.id)
        try:
            return self._launch(script, group, runner, project, folder, params, values, env, port,
                                meta, remote_addr)  # fmt: skip
        except Exception:
            self._ports.release(port)
            raise

    def _launch(
        self,
        script: Script,
        group: ScriptGroup,
        runner: Runner,
        project: UserProject,
        folder: Path,
        params: list[dict[str, Any]],
        values: dict[str, Any],
        env: PythonEnvironment,
        port: int,
        meta: dict[str, Any],
        remote_addr: str | None,
    ) -> ExecutionLog:
        execution_id = str(uuid.uuid4())
        session_id = secrets.token_urlsafe(16)
        context = RunContext(
            execution_id=execution_id,
            script_path=Path(group.directory_path) / script.filename,
            data_dir=folder,
            user_level=runner.level,
            port=port,
            project_id=project.id,
            project_name=project.project_name,
            theme=runner.theme,
            language=runner.language,
            interface_token=secrets.token_urlsafe(32),
            base_url="",
            logo=self._settings.brand_logo or Path(),
        )
        argv = argv_for(env, context, values, params)
        masked = mask_secrets(params, values)
        log_path = (
            self._layout.execution_logs
            / runner.username
            / date.today().isoformat()
            / f"execution_{execution_id}.log"
        )
        record = ExecutionLog(
            execution_uuid=execution_id,
            script_id=script.id,
            group_id=group.id,
            script_name=(script.display_name or script.filename)[:100],
            user_id=runner.user_id,
            project_id=project.id,
            status="running",
            start_time=utcnow(),
            parameters=masked,
            conda_environment=env.name,
            flask_port=port,
            log_path=str(log_path),
            environment={
                "python": env.python,
                "python_version": env.python_version,
                "kind": env.kind,
                "working_directory": group.directory_path,
                "data_dir": str(folder),
                "argv": argv[1:],  # secrets are never on the command line
                "manager": MANAGER_ID,
            },
        )
        session = self._db.session
        session.add(record)
        session.commit()
        capture = OutputCapture(
            log_path,
            self._settings.max_output_in_database,
            lambda stream, seq, data: self._events.output(execution_id, stream, seq, data),
            redact=[
                str(values[p["name"]])
                for p in params
                if p.get("type") == "secret" and p["name"] in values
            ],
        )
        capture.debug(f"ScriptsManager run {execution_id}")
        capture.debug(f"script: {context.script_path} (group {group.folder})")
        capture.debug(f"user: {runner.username} ({runner.level}), project: {project.project_name}")
        capture.debug(f"python: {env.python} ({env.kind} {env.python_version or ''})".rstrip())
        capture.debug(f"parameters: {masked}")
        try:
            child = processes.start(
                argv,
                environment_for(env, context, values, self._sdk_path),
                Path(group.directory_path),
                self._settings.max_memory_per_script,
            )
        except OSError as exc:
            capture.debug(f"the script could not be started: {exc}")
            record_end(
                self._db.session,
                record.execution_uuid,
                capture,
                "failed",
                None,
                0.0,
                processes.Usage(),
            )
            self._ports.release(port)
            self._events.status(execution_id, runner.user_id, "failed", None)
            return self._db.session.get(ExecutionLog, record.id)
        run = Run(
            execution_id=execution_id,
            user_id=runner.user_id,
            process=child,
            capture=capture,
            port=port,
            token=context.interface_token,
            timeout=meta["execution_timeout"],
            session_id=session_id,
            script_id=script.id,
            script_name=record.script_name or script.filename,
            project_name=project.project_name,
            expects_interface=bool(meta["interface"]),
        )
        with self._lock:
            self._runs[execution_id] = run
        record.pid = child.pid
        record.process_create_time = processes.create_time(child.pid)
        record.session_id = session_id
        session.add(
            ScriptProcess(
                script_id=script.id,
                user_id=runner.user_id,
                project_id=project.id,
                process_id=child.pid,
                flask_port=port,
                tab_session_id=session_id,
                execution_uuid=execution_id,
                status="starting",
                started_at=utcnow(),
                last_ping=utcnow(),
            )
        )
        session.commit()
        self._ports.activate(port, child.pid)
        capture.start(child.stdout, child.stderr)
        threading.Thread(
            target=self._monitor, args=(run,), name=f"run-{execution_id[:8]}", daemon=True
        ).start()
        self._audit.record(
            runner.actor(remote_addr), "script.execute", f"script:{script.id}",
            {"execution_id": execution_id, "project": project.project_name},
        )  # fmt: skip
        session.commit()
        self._events.status(execution_id, runner.user_id, "running", None)
        return record

    def _interpreter(self, group: ScriptGroup) -> PythonEnvironment:
        try:
            env = self._environments.describe(group.conda_environment)
        except NotFound as exc:
            raise Conflict(
                f"The group's Python environment is not available: {exc.message}"
            ) from exc
        if not env.available:
            raise Conflict(f"The group's Python environment {env.name!r} is not available.")
        return env

    # -- watching and ending --------------------------------------------------------------

    def _monitor(self, run: Run) -> None:
        pid = run.process.pid
        delay, last_sample = 0.01, 0.0
        exit_code, rusage = None, None
        while exit_code is None:
            exit_code, rusage = processes.poll_exit(run.process)
            if exit_code is not None:
                break
            now = time.monotonic()
            # Sampling walks the process table: often at first, then rarely (many runs).
            every = SAMPLE_EVERY if now - run.started < SAMPLE_FAST_FOR else SAMPLE_SLOWLY
            if now - last_sample >= every:
                run.usage.sample(pid)
                last_sample = now
            if not run.interface_ready and run.end_reason is None:
                self._probe_interface(run, now)
            if run.timeout and now - run.started > run.timeout and run.end_reason is None:
                run.end_reason = "timeout"
                run.capture.debug(f"the time limit of {run.timeout} s was reached: stopping")
                threading.Thread(target=self._terminate, args=(run,), daemon=True).start()
            time.sleep(delay)
            delay = min(delay * 2, 0.1)
        run.exited.set()
        if rusage is not None:  # exact CPU time; ru_maxrss is not used (it counts pre-exec)
            run.usage.cpu_seconds = max(run.usage.cpu_seconds, rusage.ru_utime + rusage.ru_stime)
        if not run.capture.wait(DRAIN_TIMEOUT):
            run.capture.debug("processes started by the script still held its output: ended")
            processes.terminate_tree(pid, 0)
            run.capture.wait(DRAIN_TIMEOUT)
        self._finish(run, exit_code)

    def _probe_interface(self, run: Run, now: float) -> None:
        """Mark the interface ready once the port answers; end a declared one that never does."""
        if processes.port_answers(run.port):
            run.interface_ready = True
            run.capture.debug(f"the interface answers on port {run.port}")
            with self._db.job():
                update_session(
                    self._db.session, run.execution_id, status="ready", last_ping=utcnow()
                )
                self._db.session.commit()
            self._events.interface(run.user_id, self.session_info(run, "ready"))
        elif run.expects_interface and now - run.started > self._settings.interface_start_timeout:
            run.end_reason = "interface"
            run.capture.debug(
                f"the interface did not answer on port {run.port} within "
                f"{self._settings.interface_start_timeout} s: stopping"
            )
            threading.Thread(target=self._terminate, args=(run,), daemon=True).start()

    def session_info(self, run: Run, status: str) -> dict[str, object]:
        """Describe a run's interface session for listeners."""
        return {
            "session_id": run.session_id,
            "execution_id": run.execution_id,
            "script_id": run.script_id,
            "script_name": run.script_name,
            "project_name": run.project_name,
            "port": run.port,
            "status": status,
        }

    def _finish(self, run: Run, exit_code: int) -> None:
        duration = time.monotonic() - run.started
        status = "terminated" if run.end_reason else ("completed" if exit_code == 0 else "failed")
        try:
            with self._db.job():
                # One commit: whoever sees the run ended sees its interface closed too.
                close_session(self._db.session, run.execution_id)
                record_end(
                    self._db.session,
                    run.execution_id,
                    run.capture,
                    status,
                    exit_code,
                    duration,
                    run.usage,
                )
                self._ports.release(run.port)
        except Exception:
            logger.exception("could not record the end of %s", run.execution_id)
        with self._lock:
            self._runs.pop(run.execution_id, None)
        self._events.status(run.execution_id, run.user_id, status, exit_code)
        if run.interface_ready:
            self._events.interface(run.user_id, self.session_info(run, "closed"))
        run.finished.set()

    # -- control --------------------------------------------------------------------------

    def stop(self, execution_id: str, actor: Actor, reason: str = "stopped") -> str:
        """Stop a live run (the whole process tree); return its final status."""
        with self._lock:
            run = self._runs.get(execution_id)
        if run is None:
            raise Conflict("This run is not running.")
        run.end_reason = reason
        run.capture.debug(f"{reason} by {actor.username}")
        self._terminate(run)
        run.finished.wait(self._settings.stop_grace_period + 2 * DRAIN_TIMEOUT + 5)
        self._audit.record(actor, "script.stop", f"execution:{execution_id}")
        self._db.session.commit()
        return "terminated"

    def _terminate(self, run: Run) -> None:
        processes.terminate_tree(run.process.pid, self._settings.stop_grace_period, run.exited.wait)

    def _check_interface_limits(self, user_id: int) -> None:
        with self._lock:
            open_runs = [r for r in self._runs.values() if r.expects_interface or r.interface_ready]
        if len(open_runs) >= self._settings.max_concurrent_interfaces:
            raise Conflict(
                f"{len(open_runs)} interfaces are open, the most allowed; close one first."
            )
        mine = [r for r in open_runs if r.user_id == user_id]
        if len(mine) >= self._settings.max_interfaces_per_user:
            raise Conflict(
                f"You have {len(mine)} interfaces open, the most allowed; close one first."
            )

    def live_ports(self) -> set[int]:
        """Return the ports of this manager's live runs."""
        with self._lock:
            return {run.port for run in self._runs.values()}

    def live_run(self, execution_id: str) -> Run | None:
        """Return a live run (for interface sessions: its port and token)."""
        return self._runs.get(execution_id)

    def is_live(self, execution_id: str) -> bool:
        """Return True while the run's process is being watched."""
        return execution_id in self._runs

    def live_texts(self, execution_id: str) -> dict[str, str] | None:
        """Return the output captured so far of a live run, None when it is not live."""
        run = self._runs.get(execution_id)
        return run.capture.texts() if run else None

    def replay(self, execution_id: str) -> list[tuple[str, int, bytes]] | None:
        """Return the recent chunks of a live run for a late subscriber."""
        run = self._runs.get(execution_id)
        return run.capture.snapshot() if run else None

    def wait(self, execution_id: str, timeout: float) -> bool:
        """Wait for a live run to end; True when it has."""
        run = self._runs.get(execution_id)
        return run.finished.wait(timeout) if run else True

    def live_count(self) -> int:
        """Return the number of live runs."""
        return len(self._runs)

    def recover(self) -> int:
        """Settle runs left "running" by a manager that stopped; return how many."""
        return records.settle_orphans(
            self._db.session, MANAGER_ID, self.is_live, self._ports.release,
            self._settings.stop_grace_period,
        )  # fmt: skip

    def shutdown(self) -> None:
        """Stop every live run and wait for their records."""
        with self._lock:
            runs = list(self._runs.values())
        for run in runs:
            run.end_reason = "shutdown"
            run.capture.debug("the manager is stopping")
        stoppers = [threading.Thread(target=self._terminate, args=(run,)) for run in runs]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()
        for run in runs:
            run.finished.wait(2 * DRAIN_TIMEOUT + 5)
