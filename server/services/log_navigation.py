"""Moving inside a run's log file without reading it whole: line numbers, parts of the
file, search forwards and backwards, and its stderr lines alone.

Every answer works on the file as it was when the call began (its size then), so a
running log can be read while it grows; its line index is extended, not rebuilt.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from server.services.errors import InvalidInput, NotFound
from server.services.log_index import (
    LineIndex,
    backward_blocks,
    build,
    count_newlines,
    forward_blocks,
    line_start,
    read_range,
    skip_lines,
)
from server.services.log_match import Needle, first_hit, last_hit, stderr_spans

MAX_QUERY = 200  # characters of a search
STDERR_SCAN = 8 << 20  # bytes one stderr page may read
CACHE_SIZE = 16  # line indexes kept (a few hundred integers each for 100 MB)
DIRECTIONS = ("next", "prev")
STREAMS = ("all", "stderr")
Answer = dict[str, Any]


class LogNavigator:
    """Line-aware reading and search of log files, keeping a few line indexes."""

    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        self._cache: OrderedDict[str, LineIndex] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self.scanned = 0  # bytes read to build indexes (a measure for tests and benches)

    def offset_of_line(self, path: Path, line: int) -> int:
        """Return the offset where line ``line`` (1-based; past the end: the last) starts."""
        with self._open(path) as (handle, index):
            return self._offset_of_line(handle, index, line)

    def line_of_offset(self, path: Path, offset: int) -> int:
        """Return the number of the line holding byte ``offset`` (or starting there)."""
        with self._open(path) as (handle, index):
            return self._line_of_offset(handle, index, offset)

    def content(
        self,
        path: Path,
        offset: int | None = None,
        length: int = 256 * 1024,
        line: int | None = None,
        stream: str = "all",
        direction: str = "next",
    ) -> Answer:
        """Return whole lines from ``offset`` or line ``line`` (the end when neither): the
        stderr lines alone when ``stream`` is "stderr" (see ``stderr_lines``)."""
        _choose("stream", stream, STREAMS)
        _choose("direction", direction, DIRECTIONS)
        if offset is not None and line is not None:
            raise InvalidInput("{field}: give either offset or line, not both.", field="line")
        with self._open(path) as (handle, index):
            if line is not None:
                offset = self._offset_of_line(handle, index, line)
            if stream == "stderr":
                return self._stderr(handle, index, offset, length, direction)
            return self._range(handle, index, offset, max(1, length))

    def stderr_lines(
        self, path: Path, start_offset: int | None, length: int, direction: str = "next"
    ) -> Answer:
        """Return stderr lines after ``start_offset`` (before it for "prev") up to ``length``
        bytes, reading at most STDERR_SCAN bytes; ``next_offset`` is where reading stopped
        and ``done`` says that it reached the end (the start for "prev")."""
        _choose("direction", direction, DIRECTIONS)
        with self._open(path) as (handle, index):
            return self._stderr(handle, index, start_offset, length, direction)

    def find(
        self,
        path: Path,
        query: str,
        start_offset: int | None = None,
        direction: str = "next",
        stream: str = "all",
    ) -> Answer:
        """Return the first line holding ``query`` (any case) that starts at or after
        ``start_offset``, or for "prev" the last one starting before it (the end when None):
        {found, offset, line, column (1-based, in characters of the line as written, its
        stream prefix included), size}."""
        needle = Needle(_valid_query(query))
        _choose("direction", direction, DIRECTIONS)
        _choose("stream", stream, STREAMS)
        with self._open(path) as (handle, index):
            size = index.size
            start = line_start(
                handle, _clamp(start_offset, 0 if direction == "next" else size, size), size
            )
            hit = (
                _search_forward(handle, needle, start, size, stream)
                if direction == "next"
                else _search_backward(handle, needle, start, stream)
            )
            if hit is None:
                return {"found": False, "size": size}
            offset, match = hit
            column = len(read_range(handle, offset, match).decode("utf-8", errors="replace")) + 1
            line = self._line_of_offset(handle, index, offset)
            return {"found": True, "offset": offset, "line": line, "column": column, "size": size}

    @contextmanager
    def _open(self, path: Path) -> Iterator[tuple[BinaryIO, LineIndex]]:
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise NotFound("The log file of this run is gone.") from exc
        with handle:
            yield handle, self._index(path, handle)

    def _index(self, path: Path, handle: BinaryIO) -> LineIndex:
        """Return the file's index: cached, extended when it grew, else built."""
        stat = os.fstat(handle.fileno())
        key = str(path)
        with self._lock:
            known = self._cache.get(key)
        if known is not None and known.describes(stat):
            with self._lock:
                self._cache.move_to_end(key)
            return known
        index, read = build(handle, stat, known)
        with self._lock:
            self.scanned += read
            self._cache[key] = index
            self._cache.move_to_end(key)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return index

    def _offset_of_line(self, handle: BinaryIO, index: LineIndex, line: int) -> int:
        line = max(1, min(line, index.lines))
        first, offset = index.block_of_line(line)
        return skip_lines(handle, offset, line - first, index.size)

    def _line_of_offset(self, handle: BinaryIO, index: LineIndex, offset: int) -> int:
        first, start = index.block_of(min(max(0, offset), index.size))
        return first + count_newlines(handle, start, min(max(0, offset), index.size))

    def _range(self, handle: BinaryIO, index: LineIndex, offset: int | None, length: int) -> Answer:
        """Return whole lines of about ``length`` bytes from ``offset`` (the file's end part
        when None); a line cut at the start is left out, as is one cut at the end."""
        size = index.size
        start = _clamp(offset, size - length, size)
        data = read_range(handle, start, min(size, start + length))
        if start and read_range(handle, start - 1, start) != b"\n":
            cut = data.find(b"\n") + 1
            start, data = start + cut, data[cut:]
        if start + len(data) < size and (whole := data.rfind(b"\n") + 1):
            data = data[:whole]
        return {
            "offset": start,
            "next_offset": start + len(data),
            "size": size,
            "line": self._line_of_offset(handle, index, start),
            "lines": index.lines,
            "text": data.decode("utf-8", errors="replace"),
        }

    def _stderr(
        self, handle: BinaryIO, index: LineIndex, offset: int | None, length: int, direction: str
    ) -> Answer:
        size = index.size
        forward = direction == "next"
        start = line_start(handle, _clamp(offset, 0 if forward else size, size), size)
        line = self._line_of_offset(handle, index, start)
        if forward:
            found, stop = _stderr_after(handle, start, size, line, length)
        else:
            found, stop = _stderr_before(handle, start, line, length)
        return {
            "offset": start,
            "line": line,
            "next_offset": stop,
            "done": stop >= size if forward else stop == 0,
            "size": size,
            "lines": found,
        }


def _stderr_after(
    handle: BinaryIO, start: int, size: int, line: int, length: int
) -> tuple[list[Answer], int]:
    """Return the stderr lines from ``start`` (its line number ``line``) and the offset
    where reading stopped."""
    found: list[Answer] = []
    taken, stop = 0, start
    for base, block in forward_blocks(handle, start, size):
        for at, end, number in stderr_spans(block, line):
            found.append(_entry(block, base, at, end, number))
            taken += end - at + 1
            if taken >= length:
                return found, base + min(end + 1, len(block))
        line += block.count(b"\n")
        stop = base + len(block)
        if stop - start >= STDERR_SCAN:
            break
    return found, stop


def _stderr_before(handle: BinaryIO, end: int, line: int, length: int) -> tuple[list[Answer], int]:
    """Return the stderr lines before ``end`` (the start of line ``line``), in file order,
    and the offset where reading stopped."""
    found: list[Answer] = []
    taken, stop = 0, end
    for base, block in backward_blocks(handle, end):
        line -= block.count(b"\n")
        for at, stop_at, number in reversed(stderr_spans(block, line)):
            found.append(_entry(block, base, at, stop_at, number))
            taken += stop_at - at + 1
            if taken >= length:
                return found[::-1], base + at
        stop = base
        if end - stop >= STDERR_SCAN:
            break
    return found[::-1], stop


def _entry(block: bytes, base: int, at: int, end: int, line: int) -> Answer:
    text = block[at:end].decode("utf-8", errors="replace")
    return {"line": line, "offset": base + at, "text": text}


def _search_forward(
    handle: BinaryIO, needle: Needle, start: int, size: int, stream: str
) -> tuple[int, int] | None:
    for base, block in forward_blocks(handle, start, size):
        if hit := first_hit(block, needle, stream):
            return base + hit[0], base + hit[1]
    return None


def _search_backward(
    handle: BinaryIO, needle: Needle, end: int, stream: str
) -> tuple[int, int] | None:
    for base, block in backward_blocks(handle, end):
        if hit := last_hit(block, needle, stream):
            return base + hit[0], base + hit[1]
    return None


def _clamp(offset: int | None, default: int, size: int) -> int:
    return min(max(0, default if offset is None else offset), size)


def _choose(field: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise InvalidInput(
            "{field} must be one of {choices}.", field=field, choices=", ".join(choices)
        )


def _valid_query(query: str) -> str:
    """Return the query; raise InvalidInput when it is empty, too long or spans lines."""
    if not query:
        raise InvalidInput("{field}: give the text to find.", field="q")
    if len(query) > MAX_QUERY:
        raise InvalidInput("{field}: at most {limit} characters.", field="q", limit=MAX_QUERY)
    if "\n" in query or "\r" in query:
        raise InvalidInput("{field}: the text to find must fit on one line.", field="q")
    return query
