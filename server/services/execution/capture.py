"""Output capture: pipe readers writing the run's log file, bounded copies and live chunks.

Chunks are cut at line ends, so lines of stdout and stderr never mix in the log file.
stdout lines are written as they are; stderr and debug lines carry a ``[stderr] `` or
``[debug] `` prefix. Every chunk gets a sequence number; live subscribers and replays use
it to drop duplicates.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

CHUNK_SIZE = 64 * 1024
MAX_PARTIAL_LINE = 64 * 1024
REPLAY_BYTES = 512 * 1024
PREFIXES = {"stdout": b"", "stderr": b"[stderr] ", "debug": b"[debug] "}
STREAMS = tuple(PREFIXES)

Publish = Callable[[str, int, bytes], None]
logger = logging.getLogger(__name__)


class BoundedText:
    """Keep the start and the end of a stream within a byte limit."""

    def __init__(self, limit: int) -> None:
        self._head_limit = limit // 4
        self._tail_limit = limit - self._head_limit
        self._head = bytearray()
        self._tail = bytearray()
        self.dropped = 0

    def add(self, data: bytes) -> None:
        """Append bytes, dropping from the middle when over the limit."""
        room = self._head_limit - len(self._head)
        if room > 0:
            self._head += data[:room]
            data = data[room:]
        if data:
            self._tail += data
            excess = len(self._tail) - self._tail_limit
            if excess > 0:
                del self._tail[:excess]
                self.dropped += excess

    def text(self) -> str:
        """Return the kept text, noting what was left out."""
        head = self._head.decode("utf-8", errors="replace")
        tail = self._tail.decode("utf-8", errors="replace")
        if not self.dropped:
            return head + tail
        return f"{head}\n… {self.dropped} bytes left out here; the log file has them all …\n{tail}"


def frame(stream: str, data: bytes) -> bytes:
    """Return complete lines as written in the log file (prefixed unless stdout)."""
    prefix = PREFIXES[stream]
    if not prefix:
        return data
    body = data[:-1] if data.endswith(b"\n") else data
    return prefix + body.replace(b"\n", b"\n" + prefix) + b"\n"


class OutputCapture:
    """Read a child's pipes into the log file, bounded per-stream copies and live chunks."""

    def __init__(
        self, log_path: Path, limit: int, publish: Publish, redact: list[str] | None = None
    ) -> None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_path = log_path
        self._file: BinaryIO = open(log_path, "ab", buffering=0)  # noqa: SIM115 - closed in close()
        self._publish = publish
        # Secret parameter values are masked wherever a script might print them.
        self._redact = [secret.encode("utf-8") for secret in redact or [] if len(secret) >= 3]
        self._lock = threading.Lock()
        self._kept = {stream: BoundedText(limit) for stream in STREAMS}
        self._partial = {"stdout": b"", "stderr": b""}
        self._replay: deque[tuple[str, int, bytes]] = deque()
        self._replay_bytes = 0
        self._readers: list[threading.Thread] = []
        self.seq = 0
        self.bytes_read = 0
        self.unwritten = 0  # bytes the log file could not take (disk full)

    def start(self, stdout: BinaryIO, stderr: BinaryIO) -> None:
        """Start one reader thread per pipe."""
        for name, pipe in (("stdout", stdout), ("stderr", stderr)):
            reader = threading.Thread(
                target=self._read, args=(name, pipe), name=f"capture-{name}", daemon=True
            )
            reader.start()
            self._readers.append(reader)

    def debug(self, message: str) -> None:
        """Add a manager message to the debug stream."""
        self._emit("debug", message.rstrip("\n").encode("utf-8") + b"\n")

    def wait(self, timeout: float) -> bool:
        """Wait for both pipes to reach their end; return False on time-out."""
        for reader in self._readers:
            reader.join(timeout)
        return not any(reader.is_alive() for reader in self._readers)

    def texts(self) -> dict[str, str]:
        """Return the kept text of each stream."""
        with self._lock:
            return {stream: kept.text() for stream, kept in self._kept.items()}

    def snapshot(self) -> list[tuple[str, int, bytes]]:
        """Return the recent chunks (stream, seq, data) kept for late subscribers."""
        with self._lock:
            return list(self._replay)

    def close(self) -> None:
        """Close the log file (noting in the kept text what it could not take)."""
        with self._lock:
            if self.unwritten:
                note = f"{self.unwritten} bytes could not be written to the log file (disk full)\n"
                self._kept["debug"].add(note.encode())
            try:
                self._file.close()
            except OSError:
                logger.warning("log %s could not be closed cleanly", self.log_path)

    def _write(self, framed: bytes) -> None:
        """Append to the log file; on a write error (a full disk) count the loss and go on."""
        try:
            self._file.write(framed)
        except OSError as exc:
            if not self.unwritten:
                logger.warning("log %s: %s; output kept in memory only", self.log_path, exc)
            self.unwritten += len(framed)

    def _read(self, name: str, pipe: BinaryIO) -> None:
        fd = pipe.fileno()
        try:
            while True:
                data = os.read(fd, CHUNK_SIZE)
                if not data:
                    break
                self.bytes_read += len(data)
                self._take(name, data)
        except OSError:  # the pipe was closed under us: the child is gone
            pass
        finally:
            pipe.close()
        rest = self._partial[name]
        if rest:
            self._partial[name] = b""
            self._emit(name, rest + b"\n")

    def _take(self, name: str, data: bytes) -> None:
        data = self._partial[name] + data
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            if len(data) < MAX_PARTIAL_LINE:
                self._partial[name] = data
                return
            cut = len(data)  # an endless line: pass it on in pieces
        self._partial[name] = data[cut:]
        self._emit(name, data[:cut] if data[:cut].endswith(b"\n") else data[:cut] + b"\n")

    def _emit(self, stream: str, data: bytes) -> None:
        for secret in self._redact:
            data = data.replace(secret, b"********")
        with self._lock:
            if self._file.closed:
                return
            self._write(frame(stream, data))
            self._kept[stream].add(data)
            self.seq += 1
            seq = self.seq
            self._replay.append((stream, seq, data))
            self._replay_bytes += len(data)
            while self._replay_bytes > REPLAY_BYTES and len(self._replay) > 1:
                self._replay_bytes -= len(self._replay.popleft()[2])
            self._publish(stream, seq, data)
