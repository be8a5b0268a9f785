"""The records of a run in flight: who started it, its uploads, and its live state."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from server.services.audit import Actor
from server.services.execution.capture import OutputCapture
from server.services.execution.process import Usage


@dataclass(frozen=True)
class Runner:
    """Who starts a run, with the preferences the script receives; a schedule starts runs
    in its owner's name (``trigger`` "schedule", with its ``schedule_id``)."""

    user_id: int
    username: str
    level: str
    language: str
    theme: str
    trigger: str = "manual"
    schedule_id: int | None = None

    def actor(self, remote_addr: str | None = None) -> Actor:
        """Return the audit actor."""
        return Actor(self.user_id, self.username, remote_addr)


@dataclass
class Upload:
    """A file sent with a run for a ``file`` parameter."""

    parameter: str
    filename: str
    stream: BinaryIO


@dataclass(frozen=True)
class InterfaceLimit:
    """An interface limit one more interface would pass: ``open`` of ``limit`` are open,
    counting only the user's own when ``per_user``."""

    open: int
    limit: int
    per_user: bool

    def __str__(self) -> str:  # for the run's debug output
        if self.per_user:
            return f"you have {self.open} interfaces open, the most allowed ({self.limit})"
        return f"{self.open} interfaces are open, the most allowed ({self.limit})"


@dataclass
class Run:
    """A live run."""

    execution_id: str
    user_id: int
    process: Any
    capture: OutputCapture
    port: int
    token: str
    timeout: int
    session_id: str
    script_id: int
    script_name: str
    project_name: str
    expects_interface: bool = False
    interface_ready: bool = False
    started: float = field(default_factory=time.monotonic)
    end_reason: str | None = None
    exited: threading.Event = field(default_factory=threading.Event)  # reaped by the monitor
    finished: threading.Event = field(default_factory=threading.Event)  # recorded
    usage: Usage = field(default_factory=Usage)
