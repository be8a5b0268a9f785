"""The output of a running run as a poller sees it: a short tail per stream and a cursor.

The cursor is the seq of the last chunk captured (the ``seq`` of the live Socket.IO
``log`` events). Given back as ``after``, it yields only the chunks captured since, cut to
the same tail; a stream's ``truncated`` flag says lines were left out before its text
(the log file has them all). Nothing here copies more than the tail.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.services.errors import InvalidInput
from server.services.execution.capture import OutputCapture

TAIL_BYTES = 64 * 1024  # the most of each stream one answer carries
TAIL_LINES = 200  # and the most lines


@dataclass(frozen=True)
class LiveOutput:
    """What a running run's detail shows: per stream (stdout, stderr, debug) the tail and
    whether lines before it were left out, and the cursor to ask for what follows."""

    cursor: int
    texts: dict[str, str]
    truncated: dict[str, bool]


def read(capture: OutputCapture, after: int | None) -> LiveOutput:
    """Return the tail of each stream (of what followed the cursor ``after`` when given);
    raise InvalidInput for a cursor ahead of the run's output."""
    cursor, parts = capture.since(after, TAIL_BYTES)
    if after is not None and after > cursor:
        raise InvalidInput(
            "{field}: the cursor {after} is ahead of this run's output ({cursor}).",
            field="after", after=after, cursor=cursor,
        )  # fmt: skip
    texts, truncated = {}, {}
    for stream, (data, cut) in parts.items():
        data, shortened = last_lines(data, cut, TAIL_LINES)
        texts[stream] = data.decode("utf-8", errors="replace")
        truncated[stream] = cut or shortened
    return LiveOutput(cursor, texts, truncated)


def last_lines(data: bytes, cut: bool, count: int) -> tuple[bytes, bool]:
    """Return the last ``count`` whole lines of ``data`` and True when lines were dropped;
    ``cut`` says ``data`` may start inside a line (that piece is dropped, unless it is all
    there is: one line longer than the tail)."""
    if cut:
        start = data.find(b"\n") + 1
        if 0 < start < len(data):
            data = data[start:]
    position = len(data) - 1 if data.endswith(b"\n") else len(data)
    for _ in range(count):
        position = data.rfind(b"\n", 0, position)
        if position < 0:
            return data, False
    return data[position + 1 :], True
