"""From execution events to Socket.IO rooms, in batches, with replay for late subscribers.

Output chunks are collected as they come and emitted as ``log`` events: at once after a
quiet spell, then at most every ~50 ms while output keeps coming (consecutive chunks of
one stream become one event). Each event carries the sequence
number of its last chunk; a client drops any event whose ``seq`` it has already seen,
which makes replay-then-stream exact. Nothing here can block a child: publishing only
appends to a list.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from flask_socketio import SocketIO, join_room

logger = logging.getLogger(__name__)

NAMESPACE = "/logs"
BATCH_INTERVAL = 0.05
REPLAY_FILE_BYTES = 512 * 1024
FILE_PREFIXES = (("[stderr] ", "stderr"), ("[debug] ", "debug"))


def execution_room(execution_id: str) -> str:
    """Return the room of one execution."""
    return f"execution:{execution_id}"


def user_room(user_id: int) -> str:
    """Return the room of one user's executions (dashboard)."""
    return f"user:{user_id}"


def lines_of(data: bytes) -> list[str]:
    """Return the text lines of complete-line bytes."""
    text = data.decode("utf-8", errors="replace")
    return text[:-1].split("\n") if text.endswith("\n") else text.split("\n")


class LogBridge:
    """Listen to execution events and emit them to subscribed browsers."""

    def __init__(self, socketio: SocketIO) -> None:
        self._socketio = socketio
        self._pending: dict[str, list[tuple[str, int, bytes]]] = defaultdict(list)
        self._watchers: dict[str, set[str]] = defaultdict(set)  # execution -> sids
        self._lock = threading.Lock()  # guards _pending and _watchers
        self._emit_lock = threading.Lock()  # orders replays before live events
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._last_flush = 0.0

    # -- execution events (called from reader and monitor threads) ---------------------

    def on_output(self, execution_id: str, stream: str, seq: int, data: bytes) -> None:
        """Queue a chunk when someone watches the execution."""
        if execution_id in self._watchers:
            with self._lock:
                self._pending[execution_id].append((stream, seq, data))
            if time.monotonic() - self._last_flush >= BATCH_INTERVAL:
                self._wake.set()  # after a quiet spell, send at once: slow scripts stay live

    def on_status(
        self, execution_id: str, user_id: int | None, status: str, exit_code: int | None
    ) -> None:
        """Send the last output, then the status, to the execution's and the user's rooms."""
        payload = {"execution_id": execution_id, "status": status, "exit_code": exit_code}
        with self._emit_lock:
            self._flush(execution_id)
            self._socketio.emit(
                "status", payload, to=execution_room(execution_id), namespace=NAMESPACE
            )
            if user_id is not None:
                self._socketio.emit("status", payload, to=user_room(user_id), namespace=NAMESPACE)

    def on_interface(self, user_id: int, session: dict[str, object]) -> None:
        """Tell the user's pages that an interface is ready (to open it) or closed."""
        payload = {**session, "url": f"/interfaces/{session['session_id']}/"}
        self._socketio.emit("interface", payload, to=user_room(user_id), namespace=NAMESPACE)

    # -- subscriptions (called from Socket.IO handlers) ----------------------------------

    def subscribe(
        self,
        sid: str,
        execution_id: str,
        snapshot: Callable[[], list[tuple[str, int, bytes]] | None],
        log_path: str | None,
        status: dict[str, object],
    ) -> None:
        """Join the room, replay what was captured so far, then let live events flow.

        The watcher is registered before the snapshot is taken, so no chunk falls between
        the two; chunks in both are dropped by the client through their ``seq``.
        """
        with self._emit_lock:
            with self._lock:
                self._watchers[execution_id].add(sid)
            join_room(execution_room(execution_id), sid=sid, namespace=NAMESPACE)
            live_chunks = snapshot()
            chunks = live_chunks if live_chunks is not None else _file_chunks(log_path)
            for event in _events(execution_id, chunks):
                self._socketio.emit("log", event, to=sid, namespace=NAMESPACE)
            if live_chunks is None:
                self._socketio.emit("status", status, to=sid, namespace=NAMESPACE)

    def forget(self, sid: str) -> None:
        """Drop a disconnected client from every execution it watched."""
        with self._lock:
            for execution_id in [e for e, sids in self._watchers.items() if sid in sids]:
                self._watchers[execution_id].discard(sid)
                if not self._watchers[execution_id]:
                    del self._watchers[execution_id]
                    self._pending.pop(execution_id, None)

    # -- the batching loop ---------------------------------------------------------------

    def run(self) -> None:
        """Emit queued output at most every BATCH_INTERVAL (at once after a quiet spell)."""
        while not self._stopping.is_set():
            self._wake.wait(BATCH_INTERVAL)
            self._wake.clear()
            if not self._pending:
                continue
            try:
                with self._emit_lock:
                    for execution_id in list(self._pending):
                        self._flush(execution_id)
            except Exception:  # keep streaming for everyone else
                logger.exception("live log batch failed")
            self._last_flush = time.monotonic()

    def stop(self) -> None:
        """End the batching loop."""
        self._stopping.set()
        self._wake.set()

    def _flush(self, execution_id: str) -> None:
        with self._lock:
            chunks = self._pending.pop(execution_id, [])
        for event in _events(execution_id, chunks):
            self._socketio.emit("log", event, to=execution_room(execution_id), namespace=NAMESPACE)


def _events(execution_id: str, chunks: list[tuple[str, int, bytes]]) -> list[dict[str, object]]:
    """Merge consecutive chunks of one stream into ``log`` events (decoded once each)."""
    runs: list[tuple[str, int, list[bytes]]] = []
    for stream, seq, data in chunks:
        if runs and runs[-1][0] == stream:
            runs[-1][2].append(data)
            runs[-1] = (stream, seq, runs[-1][2])
        else:
            runs.append((stream, seq, [data]))
    return [
        {"execution_id": execution_id, "stream": stream, "lines": lines_of(b"".join(parts)),
         "seq": seq}
        for stream, seq, parts in runs
    ]  # fmt: skip


def _file_chunks(log_path: str | None) -> list[tuple[str, int, bytes]]:
    """Rebuild (stream, seq, data) chunks from the end of a finished run's log file."""
    path = Path(log_path or "")
    if not path.is_file():
        return []
    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.seek(max(0, size - REPLAY_FILE_BYTES))
        data = handle.read()
    if size > REPLAY_FILE_BYTES:
        data = data[data.find(b"\n") + 1 :]
    chunks: list[tuple[str, int, bytes]] = []
    for seq, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1):
        stream = "stdout"
        for prefix, name in FILE_PREFIXES:
            if line.startswith(prefix):
                stream, line = name, line[len(prefix) :]
                break
        chunks.append((stream, seq, (line + "\n").encode("utf-8")))
    return chunks
