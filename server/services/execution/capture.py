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

from server.services.execution.search_terms import SearchTerms

CHUNK_SIZE = 64 * 1024
MAX_PARTIAL_LINE = 64 * 1024
REPLAY_BYTES = 512 * 1024
PREFIXES = {"stdout": b"", "stderr": b"[stderr] ", "debug": b"[debug] "}
STREAMS = tuple(PREFIXES)

Publish = Callable[[str, int, bytes], None]
logger = logging.getLogger(__name__)


class BoundedText:
    """Keep the start and the end of a stream within a byte limit."""

    def __init__(self, limit: int, terms: SearchTerms | None = None) -> None:
        self._head_limit = limit // 4
        self._tail_limit = limit - self._head_limit
        self._head = bytearray()
        self._tail = bytearray()
        self._terms = terms
        self.dropped = 0

    def add(self, data: bytes) -> None:
        """Append whole lines, dropping whole lines from the middle when over the limit
        (their words go to the search terms)."""
        room = self._head_limit - len(self._head)
        if room > 0:
            cut = data.rfind(b"\n", 0, room) + 1 or room
            self._head += data[:cut]
            data = data[cut:]
            if data:
                self._head_limit = len(self._head)  # the head is full: it ends at a line end
        if data:
            self._tail += data
            excess = len(self._tail) - self._tail_limit
            if excess > 0:
                cut = self._tail.find(b"\n", excess - 1) + 1 or excess
                if self._terms is not None:
                    self._terms.add(bytes(self._tail[:cut]))
                del self._tail[:cut]
                self.dropped += cut

    def text(self) -> str:
        """Return the kept text, noting what was left out."""
        head = self._head.decode("utf-8", errors="replace")
        tail = self._tail.decode("utf-8", errors="replace")
        if not self.dropped:
            return head + tail
        return f"{head}\n… {self.dropped} bytes left out here; the log file has them all …\n{tail}"

    def last(self, count: int) -> tuple[bytes, int]:
        """Return the last ``count`` bytes added (fewer when the left-out middle comes
        sooner) and the number of bytes added in all; copies at most ``count`` bytes."""
        total = len(self._head) + self.dropped + len(self._tail)
        if count <= 0:
            return b"", total
        if count <= len(self._tail) or self.dropped:
            return bytes(self._tail[-count:]), total
        start = max(0, len(self._head) - (count - len(self._tail)))
        return bytes(self._head[start:] + self._tail), total


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
        self.terms = SearchTerms()  # the words of the stdout and stderr left out of _kept
        self._kept = {stream: BoundedText(limit, self.terms if stream != "debug" else None)
                      for stream in STREAMS}  # fmt: skip
        self._partial = {"stdout": b"", "stderr": b""}
        self._replay: deque[tuple[str, int, bytes]] = deque()
        self._replay_bytes = 0
        self._readers: list[threading.Thread] = []
        self._open_pipes = 0
        self.drained = threading.Event()  # set once every pipe reached its end
        self.seq = 0
        self.bytes_read = 0
        self.unwritten = 0  # bytes the log file could not take (disk full)

    def start(self, stdout: BinaryIO, stderr: BinaryIO) -> None:
        """Start one reader thread per pipe."""
        self._open_pipes = 2
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

    def since(self, after: int | None, limit: int) -> tuple[int, dict[str, tuple[bytes, bool]]]:
        """Return the seq of the last chunk and, per stream, the end (at most ``limit``
        bytes) of the text of the chunks after seq ``after`` (of all the text when None),
        with True when some of that text is left out. Costs the chunks since ``after``."""
        with self._lock:
            fresh: dict[str, int | None] = dict.fromkeys(STREAMS)  # None: the whole stream
            gap = False
            if after is not None:
                fresh = dict.fromkeys(STREAMS, 0)
                for stream, seq, data in reversed(self._replay):
                    if seq <= after:
                        break
                    fresh[stream] += len(data)
                # Chunks older than the replay are gone from it: whose they were is unknown.
                gap = bool(self._replay) and after < self._replay[0][1] - 1
            parts = {}
            for stream, kept in self._kept.items():
                wanted = fresh[stream]
                data, total = kept.last(limit if wanted is None else min(wanted, limit))
                parts[stream] = (data, gap or len(data) < (total if wanted is None else wanted))
            return self.seq, parts

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
        with self._lock:
            self._open_pipes -= 1
            if not self._open_pipes:
                self.drained.set()

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
