"""Finding text in blocks of whole log lines: case-insensitive, per line, stream-aware.

A line's stream prefix (``[stderr] ``, ``[debug] ``) is not part of what is searched: the
viewer shows lines without it.
"""

from __future__ import annotations

import re

from server.services.execution.capture import PREFIXES

STDERR = PREFIXES["stderr"]
SHOWN_PREFIXES = tuple(prefix for prefix in PREFIXES.values() if prefix)
FIRST_WINDOW = 4096  # bytes a backward pattern search looks at first, growing fourfold


class Needle:
    """A text to find, ignoring case: ASCII by lowering the block, other text by a pattern
    of each character's case forms."""

    def __init__(self, query: str) -> None:
        self.ascii = query.isascii()
        self._text = query.lower().encode("utf-8", errors="replace")
        self._pattern = None if self.ascii else re.compile(b"".join(map(_forms, query)))

    def prepare(self, block: bytes) -> bytes:
        """Return the block in the form ``first`` and ``last`` search."""
        return block.lower() if self.ascii else block

    def first(self, data: bytes, start: int, end: int) -> int:
        """Return where the first match within data[start:end] begins, -1 when none."""
        if self._pattern is None:
            return data.find(self._text, start, end)
        match = self._pattern.search(data, start, end)
        return match.start() if match else -1

    def last(self, data: bytes, start: int, end: int) -> int:
        """Return where the last match within data[start:end] begins, -1 when none."""
        if self._pattern is None:
            return data.rfind(self._text, start, end)
        window = FIRST_WINDOW
        while True:  # a pattern only searches forwards: look at a growing end part
            low = max(start, end - window)
            found = -1
            for match in self._pattern.finditer(data, low, end):
                found = match.start()
            if found >= 0 or low == start:
                return found
            window *= 4


def _forms(char: str) -> bytes:
    """Return a pattern matching the character in any of its case forms."""
    forms = {char, char.lower(), char.upper(), char.title(), char.casefold()}
    encoded = sorted(
        {form.encode("utf-8", errors="replace") for form in forms}, key=len, reverse=True
    )
    return b"(?:" + b"|".join(map(re.escape, encoded)) + b")"


def prefix_of(block: bytes, start: int) -> bytes:
    """Return the stream prefix of the line starting at ``start`` (b"" for stdout)."""
    return next((p for p in SHOWN_PREFIXES if block.startswith(p, start)), b"")


def line_end(block: bytes, at: int) -> int:
    """Return the index of the newline ending the line at ``at`` (the block's end if none)."""
    end = block.find(b"\n", at)
    return len(block) if end < 0 else end


def _in_line(block: bytes, prepared: bytes, needle: Needle, start: int, stream: str) -> int:
    """Return where the needle is in the shown part of the line at ``start``; -1 when it
    is not there or the line belongs to another stream."""
    prefix = prefix_of(block, start)
    if stream == "stderr" and prefix != STDERR:
        return -1
    return needle.first(prepared, start + len(prefix), line_end(block, start))


def first_hit(block: bytes, needle: Needle, stream: str) -> tuple[int, int] | None:
    """Return (line start, match start) of the first matching line of a block."""
    prepared = needle.prepare(block)
    position = 0
    while (found := needle.first(prepared, position, len(prepared))) >= 0:
        start = block.rfind(b"\n", 0, found) + 1
        match = _in_line(block, prepared, needle, start, stream)
        if match >= 0:
            return start, match
        position = line_end(block, found) + 1
    return None


def last_hit(block: bytes, needle: Needle, stream: str) -> tuple[int, int] | None:
    """Return (line start, match start) of the last matching line of a block."""
    prepared = needle.prepare(block)
    end = len(prepared)
    while (found := needle.last(prepared, 0, end)) >= 0:
        start = block.rfind(b"\n", 0, found) + 1
        match = _in_line(block, prepared, needle, start, stream)
        if match >= 0:
            return start, match
        end = start  # the lines before this one
    return None


def stderr_spans(block: bytes, first_line: int) -> list[tuple[int, int, int]]:
    """Return (start, end, line number) of each stderr line of a block of whole lines
    whose first line is ``first_line``."""
    spans: list[tuple[int, int, int]] = []
    at = 0 if block.startswith(STDERR) else _next_stderr(block, 0)
    line, counted = first_line, 0
    while at >= 0:
        line += block.count(b"\n", counted, at)
        counted = at
        end = line_end(block, at)
        spans.append((at, end, line))
        at = _next_stderr(block, end)
    return spans


def _next_stderr(block: bytes, position: int) -> int:
    found = block.find(b"\n" + STDERR, position)
    return found + 1 if found >= 0 else -1
