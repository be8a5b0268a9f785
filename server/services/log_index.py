"""A sparse line index of a log file, and reading a file in blocks of whole lines.

The index holds the byte offset of every STRIDE-th line (lines 1, 1 + STRIDE, ...), so a
line's offset, or an offset's line, is one bisection and a count over at most STRIDE lines.
It is built by one pass over the file in BLOCK-sized reads, and extended when the file
only grew (a running log).
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

BLOCK = 1 << 20  # bytes per read
STRIDE = 4096  # lines between two indexed offsets
TAIL = 64  # last bytes kept to recognise a file that only grew
NARROWING = (1 << 16, 1 << 12)  # spans counted before finding newlines one by one


@dataclass(frozen=True)
class LineIndex:
    """Offsets of lines 1, 1 + STRIDE, 1 + 2 * STRIDE, ... of a file as it was once."""

    size: int
    mtime_ns: int
    inode: int
    starts: tuple[int, ...]  # starts[k] is the offset of line k * STRIDE + 1
    newlines: int  # newline bytes in the first ``size`` bytes
    tail: bytes  # the last TAIL bytes (fewer in a smaller file)

    @property
    def lines(self) -> int:
        """Return the number of lines (a last line without a newline counts)."""
        return self.newlines + (1 if self.size and not self.tail.endswith(b"\n") else 0)

    def describes(self, stat: os.stat_result) -> bool:
        """Return True when the file is still exactly the one indexed."""
        return (stat.st_size, stat.st_mtime_ns, stat.st_ino) == (
            self.size,
            self.mtime_ns,
            self.inode,
        )

    def block_of(self, offset: int) -> tuple[int, int]:
        """Return (line, offset) of the indexed line at or before ``offset``."""
        k = bisect.bisect_right(self.starts, offset) - 1
        return k * STRIDE + 1, self.starts[k]

    def block_of_line(self, line: int) -> tuple[int, int]:
        """Return (line, offset) of the indexed line at or before line ``line`` (1-based)."""
        k = min((line - 1) // STRIDE, len(self.starts) - 1)
        return k * STRIDE + 1, self.starts[k]


EMPTY = LineIndex(0, 0, 0, (0,), 0, b"")


def build(handle: BinaryIO, stat: os.stat_result, known: LineIndex | None) -> tuple[LineIndex, int]:
    """Index the file; go on from ``known`` when the file only grew since. Return the index
    and the number of bytes read."""
    base = known if known is not None and _only_grew(handle, known, stat) else EMPTY
    starts, newlines = list(base.starts), base.newlines
    position = base.size
    handle.seek(position)
    while position < stat.st_size:
        block = handle.read(min(BLOCK, stat.st_size - position))
        if not block:
            break
        newlines = _note_starts(block, position, newlines, starts)
        position += len(block)
    tail = (base.tail + read_range(handle, max(base.size, position - TAIL), position))[-TAIL:]
    index = LineIndex(position, stat.st_mtime_ns, stat.st_ino, tuple(starts), newlines, tail)
    return index, position - base.size


def _only_grew(handle: BinaryIO, known: LineIndex, stat: os.stat_result) -> bool:
    """Return True when the file is ``known`` with bytes appended."""
    if stat.st_ino != known.inode or stat.st_size < known.size:
        return False
    return read_range(handle, known.size - len(known.tail), known.size) == known.tail


def read_range(handle: BinaryIO, start: int, end: int) -> bytes:
    """Return the bytes between two offsets."""
    handle.seek(start)
    return handle.read(max(0, end - start))


def _note_starts(block: bytes, base: int, newlines: int, starts: list[int]) -> int:
    """Append the indexed line starts that follow newlines in ``block`` (which begins at
    file offset ``base``, after ``newlines`` newlines); return the newlines counted so far."""
    total = newlines + block.count(b"\n")
    at = 0
    while len(starts) * STRIDE <= total:
        wanted = len(starts) * STRIDE - newlines
        at = nth_newline(block, at, wanted) + 1
        newlines += wanted
        starts.append(base + at)
    return total


def nth_newline(data: bytes, start: int, n: int) -> int:
    """Return the index of the ``n``-th newline (n >= 1) at or after ``start``; it must exist."""
    for span in NARROWING:  # count whole spans at C speed, then find the last few
        while start < len(data) and (found := data.count(b"\n", start, start + span)) < n:
            n -= found
            start += span
    position = start - 1
    for _ in range(n):
        position = data.find(b"\n", position + 1)
    return position


def count_newlines(handle: BinaryIO, start: int, end: int) -> int:
    """Return the number of newlines between two offsets."""
    handle.seek(start)
    count = 0
    while start < end:
        block = handle.read(min(BLOCK, end - start))
        if not block:
            break
        count += block.count(b"\n")
        start += len(block)
    return count


def skip_lines(handle: BinaryIO, start: int, lines: int, size: int) -> int:
    """Return the offset ``lines`` line starts after ``start`` (``size`` when past the end)."""
    handle.seek(start)
    while lines > 0 and start < size:
        block = handle.read(min(BLOCK, size - start))
        if not block:
            break
        found = block.count(b"\n")
        if found >= lines:
            return start + nth_newline(block, 0, lines) + 1
        lines -= found
        start += len(block)
    return min(start, size)


def line_start(handle: BinaryIO, offset: int, size: int) -> int:
    """Return the first line start at or after ``offset`` (``size`` when none)."""
    if offset <= 0:
        return 0
    if offset >= size or read_range(handle, offset - 1, offset) == b"\n":
        return min(offset, size)
    return skip_lines(handle, offset, 1, size)


def forward_blocks(handle: BinaryIO, start: int, stop: int) -> Iterator[tuple[int, bytes]]:
    """Yield (offset, bytes) of whole lines from ``start`` (a line start) up to ``stop``.

    A block ends with a newline except at ``stop``; a line longer than BLOCK is one block.
    """
    handle.seek(start)
    base, position, carry = start, start, b""
    while position < stop:
        data = handle.read(min(BLOCK, stop - position))
        if not data:
            break
        position += len(data)
        data = carry + data
        cut = data.rfind(b"\n") + 1 if position < stop else len(data)
        carry = data[cut:]
        if cut:
            yield base, data[:cut]
            base += cut
    if carry:
        yield base, carry


def backward_blocks(handle: BinaryIO, end: int) -> Iterator[tuple[int, bytes]]:
    """Yield (offset, bytes) of whole lines before ``end`` (a line start), last block first."""
    position, carry = end, b""
    while position > 0:
        start = max(0, position - BLOCK)
        data = read_range(handle, start, position) + carry
        position = start
        cut = data.find(b"\n") + 1 if start else 0
        if start and not cut:
            carry = data  # inside one long line: read further back
            continue
        carry = data[:cut]
        yield start + cut, data[cut:]
