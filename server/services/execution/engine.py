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
from pathlib import Path
from typing import Any

from server.database import Database
from server.layout import Layout
from server.models import ExecutionLog, Script, ScriptGroup, UserProject
from server.services.audit import Actor, AuditLog
from server.services.catalog.dynamic_options import DynamicOptions
from server.services.catalog.environments import EnvironmentService, PythonEnvironment
from server.services.catalog.parameters import mask_secrets, validate_values
from server.services.catalog.view import effective_group, effective_script
from server.services.errors import Conflict, NotFound
from server.services.execution import limits, records
from server.services.execution import process as processes
from server.services.execution.capture import OutputCapture
from server.services.execution.children import Backend, Child, LocalBackend, StartRequest
from server.services.execution.events import ExecutionEvents
from server.services.execution.inputs import resolve_files, save_uploads
from server.services.execution.launch import RunContext, argv_for, environment_for
from server.services.execution.monitor import DRAIN_TIMEOUT, RunMonitor
from server.services.execution.records import close_capture, store_end
from server.services.execution.run import InterfaceLimit, Run, Runner, Upload
from server.services.execution.starting import (
    RunPlan,
    describe,
    execution_record,
    log_path,
    process_row,
    run_context,
)
from server.services.ports import PortManager
from server.services.projects import ProjectService
from server.services.quota.service import QuotaService
from server.services.safe_paths import inside
from server.settings import Settings

logger = logging.getLogger(__name__)

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
        quotas: QuotaService,
        options: DynamicOptions | None = None,
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
        self._quotas = quotas
        self._options = options  # checks the values of options_from parameters
        self.backend: Backend = LocalBackend()  # the composition root may set another
        self._runs: dict[str, Run] = {}
        self._lock = threading.Lock()
        self._monitor = RunMonitor(db, settings, ports, events, self._forget, self._limit_refusal)

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
        """Validate the parameters and start the script; return its execution record.
        QuotaExceeded (507) when the runner's storage quota is used up."""
        self._quotas.ensure_room(runner.username)
        meta = {**effective_script(script, group), "queue": effective_group(group)["queue"]}
        params = meta["parameters"]
        script_path = self._script_path(script, group)
        project = project or self._projects.default(runner.user_id, group)
        folder = self._projects.folder(group, runner.username, project)
        raw = dict(parameters) if isinstance(parameters, dict) else parameters
        if isinstance(raw, dict):
            raw.update(save_uploads(params, folder, uploads or []))
        values = validate_values(params, raw, lambda value, name: str(inside(folder, value, name)))
        values = resolve_files(params, values, folder)
        if self._options is not None:
            self._options.check(script, group, params, values, runner)
        env = self._interpreter(group)
        self.backend.check_queue(meta.get("queue"))
        if meta["interface"]:
            self._check_interface_limits(runner.user_id)
        self._projects.touch(project)
        port = self._ports.allocate(
            script.id, runner.user_id, project.id, preferred=meta.get("flask_port")
        )
        plan = RunPlan(
            script, group, runner, project, folder, script_path, params, values, env, port, meta
        )
        try:
            return self._launch(plan, remote_addr)
        except Exception:
            self._ports.release(port)
            raise

    def _script_path(self, script: Script, group: ScriptGroup) -> Path:
        """Return the script's file; NotFound unless it really lies under the groups folder."""
        path = Path(group.directory_path) / script.filename
        root = (self._settings.script_groups_path or Path()).resolve()
        if not path.is_file() or not path.resolve().is_relative_to(root):
            raise NotFound(
                "{script}: the script file is not in the script groups.", script=script.filename
            )
        return path

    def _launch(self, plan: RunPlan, remote_addr: str | None) -> ExecutionLog:
        context = run_context(plan, self._settings.brand_logo or Path())
        argv = argv_for(plan.env, context, plan.values, plan.params)
        masked = mask_secrets(plan.params, plan.values)
        capture, record = self._open_record(plan, context, argv, masked)
        describe(capture, plan, context, masked)
        request = StartRequest(
            context.execution_id,
            argv,
            environment_for(plan.env, context, plan.values, self._sdk_path),
            Path(plan.group.directory_path),
            self._settings.max_memory_per_script,
            plan.meta.get("queue"),
        )
        try:
            child = self.backend.start(request)
        except OSError as exc:
            return self._not_started(record, capture, plan, exc)
        self._track(plan, context, record, child, capture)
        self._audit.record(
            plan.runner.actor(remote_addr), "script.execute", f"script:{plan.script.id}",
            {"execution_id": context.execution_id, "project": plan.project.project_name},
        )  # fmt: skip
        self._db.session.commit()
        self._events.status(context.execution_id, plan.runner.user_id, "running", None)
        return record

    def _open_record(
        self, plan: RunPlan, context: RunContext, argv: list[str], masked: dict[str, Any]
    ) -> tuple[OutputCapture, ExecutionLog]:
        """Open the run's log and store its "running" record (both undone on failure)."""
        execution_id = context.execution_id
        log_file = log_path(self._layout.execution_logs, plan.runner.username, execution_id)
        capture = OutputCapture(
            log_file,
            self._settings.max_output_in_database,
            lambda stream, seq, data: self._events.output(execution_id, stream, seq, data),
            redact=plan.secrets(),
        )
        record = execution_record(plan, context, argv, masked, log_file, MANAGER_ID)
        try:
            self._db.session.add(record)
            self._db.session.commit()
        except Exception:
            capture.close()
            log_file.unlink(missing_ok=True)
            raise
        return capture, record

    def _not_started(
        self, record: ExecutionLog, capture: OutputCapture, plan: RunPlan, exc: OSError
    ) -> ExecutionLog:
        """Record a run whose process could not be started as failed."""
        capture.debug(f"the script could not be started: {exc}")
        texts = close_capture(capture, "failed", None, 0.0, processes.Usage())
        store_end(self._db.session, record.execution_uuid, texts, "failed", None, 0.0,
                  processes.Usage())  # fmt: skip
        self._db.session.commit()
        self._ports.release(plan.port)
        self._events.status(record.execution_uuid, plan.runner.user_id, "failed", None)
        return self._db.session.get(ExecutionLog, record.id)

    def _track(
        self,
        plan: RunPlan,
        context: RunContext,
        record: ExecutionLog,
        child: Child,
        capture: OutputCapture,
    ) -> None:
        """Keep a started child as a live run: its rows, its port, its readers and monitor."""
        session_id = secrets.token_urlsafe(16)
        run = Run(
            execution_id=context.execution_id,
            user_id=plan.runner.user_id,
            process=child,
            capture=capture,
            port=plan.port,
            token=context.interface_token,
            timeout=plan.meta["execution_timeout"],
            session_id=session_id,
            script_id=plan.script.id,
            script_name=record.script_name or plan.script.filename,
            project_name=plan.project.project_name,
            expects_interface=bool(plan.meta["interface"]),
        )
        with self._lock:
            self._runs[run.execution_id] = run
        record.pid = child.pid
        record.process_create_time = child.create_time
        if child.identity():  # where a remote tree lives, to find it after a restart
            record.environment = {**(record.environment or {}), **child.identity()}
        record.session_id = session_id
        self._db.session.add(process_row(plan, run.execution_id, child.pid, session_id))
        self._db.session.commit()
        self._ports.activate(plan.port, child.pid)
        capture.start(child.stdout, child.stderr)
        threading.Thread(
            target=self._monitor.watch, args=(run,), name=f"run-{run.execution_id[:8]}", daemon=True
        ).start()

    def _interpreter(self, group: ScriptGroup) -> PythonEnvironment:
        fallback = self._settings.conda_fallback
        return self._environments.for_run(group.conda_environment, fallback)

    # -- control --------------------------------------------------------------------------

    def stop(self, execution_id: str, actor: Actor, reason: str = "stopped") -> str:
        """Stop a live run (the whole process tree); return its final status."""
        with self._lock:
            run = self._runs.get(execution_id)
        if run is None:
            raise Conflict("This run is not running.")
        run.end_reason = reason
        run.capture.debug(f"{reason} by {actor.username}")
        self._monitor.terminate(run)
        run.finished.wait(self._settings.stop_grace_period + 2 * DRAIN_TIMEOUT + 5)
        self._audit.record(actor, "script.stop", f"execution:{execution_id}")
        self._db.session.commit()
        return "terminated"

    def _check_interface_limits(self, user_id: int) -> None:
        refusal = self._limit_refusal(None, user_id)
        if refusal is not None:
            raise limits.refused(refusal)

    def _limit_refusal(self, run: Run | None, user_id: int | None = None) -> InterfaceLimit | None:
        """Return why one more interface (``run``'s, or a new one of ``user_id``) would pass a
        limit; None when it fits."""
        with self._lock:
            runs = list(self._runs.values())
        settings = self._settings
        return limits.interface_refusal(
            runs, run, user_id, settings.max_concurrent_interfaces, settings.max_interfaces_per_user
        )

    def _forget(self, execution_id: str) -> None:
        with self._lock:
            self._runs.pop(execution_id, None)

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
            self._settings.stop_grace_period, self.backend.stop_orphan,
        )  # fmt: skip

    def shutdown(self) -> None:
        """Stop every live run and wait for their records."""
        self._monitor.stopping.set()
        self._terminate_all("shutdown", "the manager is stopping")

    def stop_all(self, why: str) -> int:
        """Stop every live run (a restore needs the data quiet); return how many."""
        return self._terminate_all("stopped", f"{why}: stopping")

    def _terminate_all(self, reason: str, note: str) -> int:
        with self._lock:
            runs = list(self._runs.values())
        for run in runs:
            run.end_reason = reason
            run.capture.debug(note)
        stoppers = [threading.Thread(target=self._monitor.terminate, args=(run,)) for run in runs]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()
        for run in runs:
            run.finished.wait(2 * DRAIN_TIMEOUT + 5)
        return len(runs)
