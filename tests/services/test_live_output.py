"""The tail of a capture's streams and what follows a cursor, on a real capture writing its
log file (its debug stream is the one a test can feed by its public API)."""

from __future__ import annotations

import os
from pathlib import Path

from server.services import live_output
from server.services.execution.capture import OutputCapture
from server.services.live_output import last_lines


def lines(first: int, last: int) -> list[str]:
    return [f"d {n:07d}" for n in range(first, last + 1)]  # 9 characters and a line end


def capture_with(tmp_path: Path, count: int, limit: int = 400) -> OutputCapture:
    capture = OutputCapture(tmp_path / "run.log", limit, lambda *_event: None)
    for line in lines(1, count):
        capture.debug(line)
    return capture


def test_last_lines_keeps_whole_lines_up_to_the_count():
    assert last_lines(b"a\nb\nc\n", False, 5) == (b"a\nb\nc\n", False)
    assert last_lines(b"a\nb\nc\n", False, 2) == (b"b\nc\n", True)
    assert last_lines(b"a\nb\nc\n", False, 3) == (b"a\nb\nc\n", False)
    assert last_lines(b"tail of a\nb\n", True, 5) == (b"b\n", False)  # a cut first line goes
    assert last_lines(b"one endless line\n", True, 5) == (b"one endless line\n", False)
    assert last_lines(b"", True, 5) == (b"", False)


def test_the_tail_spans_the_kept_start_and_end_until_the_middle_is_dropped(tmp_path):
    capture = capture_with(tmp_path, 30)  # 300 bytes: 100 at the start, 200 at the end
    cursor, parts = capture.since(None, 1000)
    assert cursor == 30 and parts["debug"] == ("\n".join(lines(1, 30)).encode() + b"\n", False)
    _cursor, parts = capture.since(None, 250)
    assert parts["debug"] == ("\n".join(lines(6, 30)).encode() + b"\n", True)
    assert parts["stdout"] == (b"", False) and parts["stderr"] == (b"", False)

    for line in lines(31, 80):
        capture.debug(line)
    _cursor, parts = capture.since(None, 1000)  # only the end is kept after the gap
    data, cut = parts["debug"]
    assert cut and data.endswith(b"d 0000080\n") and b"d 0000001" not in data
    capture.close()


def test_after_a_cursor_comes_exactly_what_followed(tmp_path):
    capture = capture_with(tmp_path, 20)
    cursor, _parts = capture.since(None, 1000)
    for line in lines(21, 23):
        capture.debug(line)
    live = live_output.read(capture, cursor)
    assert live.cursor == cursor + 3
    assert live.texts["debug"].splitlines() == lines(21, 23)
    assert live.truncated == {"stdout": False, "stderr": False, "debug": False}
    assert live_output.read(capture, live.cursor).texts == {"stdout": "", "stderr": "", "debug": ""}
    capture.close()


def test_drained_is_set_once_both_pipes_reach_their_end(tmp_path):
    capture = OutputCapture(tmp_path / "run.log", 400, lambda *_event: None)
    (out_read, out_write), (err_read, err_write) = os.pipe(), os.pipe()
    capture.start(os.fdopen(out_read, "rb"), os.fdopen(err_read, "rb"))
    os.write(out_write, b"last words")
    os.close(out_write)
    assert not capture.drained.wait(0.2)  # stderr is still open
    os.close(err_write)
    assert capture.drained.wait(60) and capture.wait(60)
    assert capture.texts()["stdout"] == "last words\n"
    capture.close()
