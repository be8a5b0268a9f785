"""The part of a long log a report shows: its first and last lines, and what was left out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

BLOCK = 1 << 20
MAX_LINE = 400  # characters of one line shown; the rest is cut with an ellipsis


@dataclass(frozen=True)
class Excerpt:
    """The lines shown, split where lines were left out (``omitted`` of ``total``)."""

    head: list[str]
    tail: list[str]
    omitted: int
    total: int
    size: int


def read_excerpt(path: Path, head: int = 1500, tail: int = 500) -> Excerpt:
    """Return the first ``head`` and last ``tail`` lines of a log file, never all of it."""
    size = path.stat().st_size
    total = _count_lines(path)
    if total <= head + tail:
        return Excerpt(_decoded(path.read_bytes().splitlines()), [], 0, total, size)
    with path.open("rb") as handle:
        first = [handle.readline() for _ in range(head)]
    return Excerpt(
        _decoded(first), _decoded(_last_lines(path, tail)), total - head - tail, total, size
    )


def _count_lines(path: Path) -> int:
    count, last = 0, b"\n"
    with path.open("rb") as handle:
        while block := handle.read(BLOCK):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


def _last_lines(path: Path, wanted: int) -> list[bytes]:
    """Return the last ``wanted`` lines, reading blocks backwards from the end."""
    with path.open("rb") as handle:
        end = handle.seek(0, 2)
        data = b""
        while end > 0 and data.count(b"\n") <= wanted:
            start = max(0, end - BLOCK)
            handle.seek(start)
            data = handle.read(end - start) + data
            end = start
    return data.splitlines()[-wanted:]


def _decoded(lines: list[bytes]) -> list[str]:
    texts = (line.rstrip(b"\r\n").decode("utf-8", errors="replace") for line in lines)
    return [text if len(text) <= MAX_LINE else text[: MAX_LINE - 1] + "…" for text in texts]
