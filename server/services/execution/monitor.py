"""Watching a live run: resources, time limit, interface readiness, and recording its end."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from server.database import Database
from server.models import utcnow
from server.services.execution import process as processes
from server.services.execution.events import ExecutionEvents
from server.services.execution.records import (
    close_capture,
    close_session,
    store_end,
    update_session,
)
from server.services.execution.run import InterfaceLimit, Run
from server.services.ports import PortManager
from server.settings import Settings

logger = logging.getLogger(__name__)

DRAIN_TIMEOUT = 2.0  # pipes still open after the child ended: descendants hold them
SAMPLE_EVERY = 0.25
SAMPLE_FAST_FOR = 10.0
SAMPLE_SLOWLY = 2.0
SETTLE_RETRY_FIRST = 0.5  # seconds; doubled up to SETTLE_RETRY_MAX while writes fail
SETTLE_RETRY_MAX = 10.0
FIRST_PACE = 0.01  # seconds between the first checks of a run; doubled up to IDLE_PACE
IDLE_PACE = SAMPLE_EVERY
PROBE_EVERY = 0.01  # a refused loopback connect costs microseconds: ready within ~10 ms
PROBE_FAST_FOR = 5.0  # seconds after the start of a declared interface
PROBE_SLOWLY = 0.1  # undeclared interfaces, and declared ones after PROBE_FAST_FOR


def session_info(run: Run, status: str) -> dict[str, object]:
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


class RunMonitor:
    """One monitor thread per run calls :meth:`watch`; ``forget`` drops the run when done."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        ports: PortManager,
        events: ExecutionEvents,
        forget: Callable[[str], None],
        over_limit: Callable[[Run], InterfaceLimit | None],
    ) -> None:
        self._db = db
        self._settings = settings
        self._ports = ports
        self._events = events
        self._forget = forget
        self._over_limit = over_limit  # why a run may not serve an interface now, or None
        self.stopping = threading.Event()  # set at shutdown: no more retries

    def watch(self, run: Run) -> None:
        """Watch a run until it ends, then record its end."""
        child = run.process
        for note in child.notes():
            run.capture.debug(note)
        exit_code, rusage = self._wait_exit(run)
        run.exited.set()
        child.sample(run.usage)  # a remote child's last figures came with its end
        if rusage is not None:  # exact CPU time; ru_maxrss is not used (it counts pre-exec)
            run.usage.cpu_seconds = max(run.usage.cpu_seconds, rusage.ru_utime + rusage.ru_stime)
        if not run.capture.wait(DRAIN_TIMEOUT):
            run.capture.debug("processes started by the script still held its output: ended")
            child.terminate(0)
            run.capture.wait(DRAIN_TIMEOUT)
        for note in child.end_notes():
            run.capture.debug(note)
        child.release()
        self._finish(run, exit_code)

    def _wait_exit(self, run: Run) -> tuple[int, Any]:
        """Check a live run until its process ends; return its exit code and rusage.

        The checks (resources, interface, time limit) come at a pace growing to IDLE_PACE;
        the end of the run's output wakes the wait at once, so its end is seen at once.
        """
        child, drained = run.process, run.capture.drained
        delay, last_sample = FIRST_PACE, 0.0
        while True:
            exit_code, rusage = child.poll()
            if exit_code is not None:
                return exit_code, rusage
            now = time.monotonic()
            # Sampling walks the process table: often at first, then rarely (many runs).
            every = SAMPLE_EVERY if now - run.started < SAMPLE_FAST_FOR else SAMPLE_SLOWLY
            if now - last_sample >= every:
                child.sample(run.usage)
                last_sample = now
            pace = delay
            if not run.interface_ready and run.end_reason is None:
                pace = min(delay, self._probe_interface(run, now))
            if run.timeout and now - run.started > run.timeout and run.end_reason is None:
                run.end_reason = "timeout"
                run.capture.debug(f"the time limit of {run.timeout} s was reached: stopping")
                threading.Thread(target=self.terminate, args=(run,), daemon=True).start()
            if drained.is_set():  # a process living on after closing its output
                time.sleep(pace)
            elif drained.wait(pace):
                delay = FIRST_PACE  # the output ended: the process is ending, look often
                continue
            delay = min(delay * 2, IDLE_PACE)

    def _probe_interface(self, run: Run, now: float) -> float:
        """Mark the interface ready once the port answers (or stop it when that would pass an
        interface limit); end a declared one that never answers. Return the seconds to wait
        before the next attempt: PROBE_EVERY during a declared interface's first
        PROBE_FAST_FOR seconds."""
        if processes.port_answers(run.port, run.process.host):
            refusal = None if run.expects_interface else self._over_limit(run)
            if refusal:
                run.end_reason = "interface limit"
                run.capture.debug(f"{refusal}: stopping")
                threading.Thread(target=self.terminate, args=(run,), daemon=True).start()
                return PROBE_SLOWLY
            run.interface_ready = True
            run.capture.debug(f"the interface answers on port {run.port}")
            with self._db.job():
                update_session(
                    self._db.session, run.execution_id, status="ready", last_ping=utcnow(),
                    tab_session_id=run.session_id,
                )  # fmt: skip
                self._db.session.commit()
            self._events.interface(run.user_id, session_info(run, "ready"))
            return PROBE_SLOWLY
        if run.expects_interface and now - run.started > self._settings.interface_start_timeout:
            run.end_reason = "interface"
            run.capture.debug(
                f"the interface did not answer on port {run.port} within "
                f"{self._settings.interface_start_timeout} s: stopping"
            )
            threading.Thread(target=self.terminate, args=(run,), daemon=True).start()
            return PROBE_SLOWLY
        fast = run.expects_interface and now - run.started < PROBE_FAST_FOR
        return PROBE_EVERY if fast else PROBE_SLOWLY

    def _finish(self, run: Run, exit_code: int) -> None:
        duration = time.monotonic() - run.started
        status = "terminated" if run.end_reason else ("completed" if exit_code == 0 else "failed")
        texts = close_capture(run.capture, status, exit_code, duration, run.usage)
        self._settle(run, texts, status, exit_code, duration)
        self._forget(run.execution_id)
        self._events.status(run.execution_id, run.user_id, status, exit_code)
        if run.interface_ready:
            self._events.interface(run.user_id, session_info(run, "closed"))
        run.finished.set()

    def _settle(
        self, run: Run, texts: dict[str, str], status: str, exit_code: int, duration: float
    ) -> None:
        """Store a run's end; while the database refuses writes (disk full, locked), retry."""
        delay = SETTLE_RETRY_FIRST
        while True:
            try:
                with self._db.job():
                    # One commit: whoever sees the run ended sees its interface closed too.
                    close_session(self._db.session, run.execution_id)
                    store_end(self._db.session, run.execution_id, texts, status, exit_code,
                              duration, run.usage)  # fmt: skip
                    self._ports.release(run.port)
                return
            except Exception as exc:
                if self.stopping.is_set():
                    logger.error("end of %s not recorded (%s); settled at restart",
                                 run.execution_id, exc)  # fmt: skip
                    return
                logger.warning("could not record the end of %s (%s); retrying in %.1f s",
                               run.execution_id, exc, delay)  # fmt: skip
                self.stopping.wait(delay)
                delay = min(delay * 2, SETTLE_RETRY_MAX)

    def terminate(self, run: Run) -> None:
        """End a run's whole process tree: SIGTERM, then SIGKILL after the grace period."""
        run.process.terminate(self._settings.stop_grace_period, run.exited.wait)
