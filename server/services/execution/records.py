"""Database records of runs: their end, their interface session, and orphans after a crash."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import ExecutionLog, ScriptProcess, utcnow
from server.services.execution import process as processes
from server.services.execution.capture import OutputCapture
from server.services.execution.process import Usage

logger = logging.getLogger(__name__)


def close_capture(
    capture: OutputCapture, status: str, exit_code: int | None, duration: float, usage: Usage
) -> dict[str, str]:
    """Note the run's end in its log, close the log file and return the kept texts, with
    ``search_terms``: the words of the output they leave out."""
    memory = usage.peak_memory_bytes / 1048576
    capture.debug(
        f"finished: {status}, exit code {exit_code}, {duration:.2f} s, "
        f"peak memory {memory:.1f} MiB, CPU {usage.cpu_seconds:.2f} s"
    )
    texts = capture.texts()
    capture.close()
    return {**texts, "search_terms": capture.terms.text()}


def store_end(
    session: Session,
    execution_id: str,
    texts: dict[str, str],
    status: str,
    exit_code: int | None,
    duration: float,
    usage: Usage,
) -> None:
    """Store the run's end in its record: status, figures and kept output (not committed).

    A record another manager already settled (see ``settle_orphans``) is left as it is.
    """
    record = session.scalar(select(ExecutionLog).where(ExecutionLog.execution_uuid == execution_id))
    if record.status != "running":
        logger.warning("run %s was already settled as %s", execution_id, record.status)
        return
    record.status = status
    record.exit_code = exit_code
    record.end_time = utcnow()
    record.duration_seconds = round(duration)
    record.output, record.error_output = texts["stdout"], texts["stderr"]
    record.debug_output = texts["debug"]
    record.search_terms = texts.get("search_terms") or None
    record.peak_memory_bytes = usage.peak_memory_bytes
    record.cpu_seconds = round(usage.cpu_seconds, 3)


def close_session(session: Session, execution_id: str) -> None:
    """Mark a run's interface session closed, unless it already is."""
    session.query(ScriptProcess).filter(
        ScriptProcess.execution_uuid == execution_id,
        ScriptProcess.status.in_(("starting", "ready")),
    ).update({"status": "closed", "ended_at": utcnow()})


def update_session(session: Session, execution_id: str, **values: Any) -> None:
    """Change the interface session of a run."""
    session.query(ScriptProcess).filter(ScriptProcess.execution_uuid == execution_id).update(values)


def settle_orphans(
    session: Session,
    manager: dict[str, Any],
    is_live: Callable[[str], bool],
    release_port: Callable[[int], None],
    grace: float,
    stop_tree: Callable[[dict[str, Any], int, float | None, float], bool],
) -> int:
    """Mark runs left "running" by a stopped manager terminated, ending their processes
    (``stop_tree``: the backend's, given the record's environment, pid and start time)."""
    settled = 0
    for record in session.scalars(select(ExecutionLog).where(ExecutionLog.status == "running")):
        if is_live(record.execution_uuid):
            continue
        owner = (record.environment or {}).get("manager") or {}
        if owner != manager and processes.is_same_process(
            owner.get("pid", -1), owner.get("started")
        ):
            continue  # another live manager on this database owns it
        note = "the manager stopped while this run was going"
        if stop_tree(record.environment or {}, record.pid, record.process_create_time, grace):
            note += "; its processes were ended at restart"
        record.status = "terminated"
        record.end_time = utcnow()
        close_session(session, record.execution_uuid)
        record.debug_output = ((record.debug_output or "") + f"\n{note}").strip()
        if record.flask_port:
            release_port(record.flask_port)
        settled += 1
    session.commit()
    if settled:
        logger.warning("settled %s runs left running by a previous manager", settled)
    return settled
