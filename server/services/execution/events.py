"""The execution event hub: the engine publishes, listeners (live logs) subscribe."""

from __future__ import annotations

import logging
from typing import Protocol

logger = logging.getLogger(__name__)


class ExecutionListener(Protocol):
    """Receives output chunks and status changes of executions."""

    def on_output(self, execution_id: str, stream: str, seq: int, data: bytes) -> None:
        """Take complete lines of one stream; must return at once (no I/O waits)."""

    def on_status(
        self, execution_id: str, user_id: int | None, status: str, exit_code: int | None
    ) -> None:
        """Take a status change."""

    def on_interface(self, user_id: int, session: dict[str, object]) -> None:
        """Take an interface session change (``session``: session_id, execution_id, port,
        status, url, script_id, script_name, project_name)."""


class ExecutionEvents:
    """Fan events out to every listener; a failing listener never stops the others."""

    def __init__(self) -> None:
        self._listeners: list[ExecutionListener] = []

    def subscribe(self, listener: ExecutionListener) -> None:
        """Add a listener."""
        self._listeners.append(listener)

    def output(self, execution_id: str, stream: str, seq: int, data: bytes) -> None:
        """Publish complete lines of one stream."""
        for listener in self._listeners:
            try:
                listener.on_output(execution_id, stream, seq, data)
            except Exception:  # a listener's bug must not lose the child's output
                logger.exception("output listener failed")

    def status(
        self, execution_id: str, user_id: int | None, status: str, exit_code: int | None
    ) -> None:
        """Publish a status change."""
        for listener in self._listeners:
            try:
                listener.on_status(execution_id, user_id, status, exit_code)
            except Exception:  # see output()
                logger.exception("status listener failed")

    def interface(self, user_id: int, session: dict[str, object]) -> None:
        """Publish an interface session change."""
        for listener in self._listeners:
            try:
                listener.on_interface(user_id, session)
            except Exception:  # see output()
                logger.exception("interface listener failed")
