"""What the manager and its workers share in Redis: key names and the run stream's entries.

Per run ``<id>``:
- ``sm:run:<id>:out``, a stream the worker appends to and the manager reads in order:
  ``{"k": "started", "pid", "created", "worker", "host"}``, then ``{"k": "stdout"|"stderr",
  "d": bytes}`` chunks and ``{"k": "usage", "mem", "cpu"}`` samples, and last
  ``{"k": "end", "exit", "mem", "cpu"}``. The manager deletes it once read to the end.
- ``sm:run:<id>:control``, a list the worker pops: ``stop <grace seconds>``.
- ``sm:run:<id>:alive``, set by the worker every few seconds with a short expiry: gone
  before the end entry means the worker was lost.

Per worker ``sm:worker:<name>`` (JSON, short expiry): host, queues, concurrency, runs.
``sm:storage`` (JSON): the data folder marker the manager wrote, checked at worker start.
"""

from __future__ import annotations

import json
from typing import Any

TASK = "scriptsmanager.run_script"
DEFAULT_QUEUE = "scriptsmanager"
ALIVE_EVERY = 2.0  # seconds between a worker's heartbeats (run and worker keys)
ALIVE_FOR = 10  # seconds a heartbeat counts; a worker silent longer is lost
STORAGE = "sm:storage"
WORKER_PREFIX = "sm:worker:"


def stream(execution_id: str) -> str:
    """Return the key of a run's output stream."""
    return f"sm:run:{execution_id}:out"


def control(execution_id: str) -> str:
    """Return the key of a run's control list."""
    return f"sm:run:{execution_id}:control"


def alive(execution_id: str) -> str:
    """Return the key of a run's heartbeat."""
    return f"sm:run:{execution_id}:alive"


def worker(name: str) -> str:
    """Return the key of a worker's heartbeat."""
    return WORKER_PREFIX + name


def queue_of(queue: str | None) -> str:
    """Return the Celery queue of a group's runs."""
    return queue or DEFAULT_QUEUE


def dumps(value: dict[str, Any]) -> str:
    """Encode a heartbeat value."""
    return json.dumps(value, separators=(",", ":"))
