"""The words of the output a run's record leaves out, so full-text search still finds them.

The database keeps the start and the end of each stream; the middle of a long log is only
in its file. As that middle is dropped, its distinct words are collected here and stored
with the run (``search_terms``), where the full-text index reads them. Long logs repeat
their lines with other numbers, so lines are compared without their digits and each
distinct one is split once: the cost follows the variety of the log, not its length.
A chunk that only repeats a short block of lines (a loop's output, digits aside) is not
even split: a byte compare proves it, and only the block is.
Digits are not search terms of the middle (the start and end are indexed as they are).
"""

from __future__ import annotations

import re

MAX_TERMS = 20_000  # distinct words kept per run; beyond, the rest of the middle is not indexed
MAX_LINE_BYTES = 16 * 1024 * 1024  # distinct lines remembered to skip repeats, in bytes
DIGITS = b"0123456789"
PERIOD_BYTES = 4096  # the longest repeated block of lines looked for at a chunk's start
WORD = re.compile(rb"[A-Za-z\x80-\xff][A-Za-z0-9_\x80-\xff]*")  # \x80-\xff: UTF-8 letters


class SearchTerms:
    """Distinct words of dropped output, up to MAX_TERMS."""

    def __init__(self, limit: int = MAX_TERMS) -> None:
        self._limit = limit
        self._lines: set[bytes] = set()
        self._line_bytes = 0
        self._terms: set[bytes] = set()
        self.complete = True  # False once the limit was reached

    def add(self, data: bytes) -> None:
        """Collect the words of ``data`` (whole lines)."""
        if not self.complete:
            return
        fresh = distinct_lines(data.translate(None, DIGITS)) - self._lines
        if not fresh:
            return
        joined = b"\n".join(fresh)
        self._lines |= fresh
        self._line_bytes += len(joined)
        self._terms.update(WORD.findall(joined))
        if len(self._terms) >= self._limit or self._line_bytes >= MAX_LINE_BYTES:
            self.complete = False
            self._lines.clear()  # no longer needed: nothing more is collected

    def text(self) -> str:
        """Return the words, space-separated (empty when nothing was dropped)."""
        return " ".join(sorted(term.decode("utf-8", errors="replace") for term in self._terms))


def distinct_lines(text: bytes) -> set[bytes]:
    """Return the distinct lines of ``text`` (whole lines), with b"" among them."""
    first = text.find(b"\n") + 1
    again = text.find(b"\n" + text[:first], first - 1, PERIOD_BYTES) if first else -1
    if again > 0:  # line 0 comes back: does the block before it repeat to the end?
        block = text[: again + 1]
        repeats = len(text) // len(block)
        if text.startswith(block * repeats):
            return set((block + text[repeats * len(block) :]).split(b"\n"))
    return set(text.split(b"\n"))
