"""Navigation inside log files, checked against a brute-force reading of generated files."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from server.services.errors import InvalidInput, NotFound
from server.services.log_index import BLOCK, STRIDE
from server.services.log_navigation import MAX_QUERY, LogNavigator

WORDS = "alpha beta gamma delta pump valve Sensor OK warn".split()


def starts_of(data: bytes) -> list[int]:
    """Every line's start offset, one newline at a time."""
    starts, at = [0], data.find(b"\n")
    while 0 <= at < len(data) - 1:
        starts.append(at + 1)
        at = data.find(b"\n", at + 1)
    return starts


def lines_of(data: bytes) -> list[tuple[int, bytes]]:
    """(start offset, line without its newline) of every line."""
    pieces = data.split(b"\n")[: len(starts_of(data))] if data else []
    return list(zip(starts_of(data), pieces, strict=True))


def shown(line: bytes) -> bytes:
    for prefix in (b"[stderr] ", b"[debug] "):
        if line.startswith(prefix):
            return line[len(prefix) :]
    return line


def generated(rng: random.Random, count: int, newline: bytes = b"\n") -> bytes:
    """Lines of every stream and of many lengths, some empty, a few long."""
    out = []
    for n in range(count):
        kind = rng.random()
        length = (
            rng.choice((0, 1, 5, 40, 120, 300, 900)) if kind > 0.001 else rng.randint(5000, 70000)
        )
        text = " ".join(rng.choices(WORDS, k=max(1, length // 6)))[:length]
        prefix = b"[stderr] " if kind < 0.1 else b"[debug] " if kind < 0.15 else b""
        out.append(prefix + f"{n}:{text}".encode() + newline)
    return b"".join(out)


@pytest.fixture
def navigator() -> LogNavigator:
    return LogNavigator()


def write(tmp_path: Path, data: bytes, name: str = "run.log") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def check_index(navigator: LogNavigator, path: Path, data: bytes, rng: random.Random) -> None:
    starts = starts_of(data)
    sample = {1, 2, len(starts), len(starts) + 1, len(starts) + 10_000}
    for k in range(1, len(starts) // STRIDE + 1):
        sample |= {k * STRIDE, k * STRIDE + 1, k * STRIDE + 2}
    sample |= {rng.randint(1, len(starts)) for _ in range(60)}
    for line in sorted(sample):
        expected = starts[min(line, len(starts)) - 1]
        assert navigator.offset_of_line(path, line) == expected, line
    offsets = {0, len(data), *(rng.randint(0, len(data)) for _ in range(60))}
    offsets |= {starts[-1], max(0, starts[-1] - 1), *starts[:: max(1, len(starts) // 40)]}
    for offset in sorted(offsets):
        assert navigator.line_of_offset(path, offset) == 1 + data[:offset].count(b"\n"), offset


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"], ids=["lf", "crlf"])
def test_the_index_agrees_with_a_count_on_generated_files(tmp_path, navigator, newline):
    rng = random.Random(7)
    data = generated(rng, 3 * STRIDE + 123, newline)
    assert len(data) > 2 * BLOCK  # indexed over several blocks
    check_index(navigator, write(tmp_path, data), data, rng)


def test_the_index_without_a_final_newline_empty_and_with_long_lines(tmp_path, navigator):
    rng = random.Random(8)
    for name, data in {
        "no-final-newline": generated(rng, STRIDE + 5).rstrip(b"\n"),
        "empty": b"",
        "one-line": b"just one line",
        "newlines-only": b"\n" * (2 * STRIDE + 1),
        "long": b"a" * (BLOCK + 17) + b"\n" + b"b" * (3 * BLOCK) + b"\nend\n",
    }.items():
        path = write(tmp_path, data, f"{name}.log")
        check_index(navigator, path, data, rng)
        assert navigator.content(path, offset=0, length=len(data) + 1)["text"] == data.decode()
    long = tmp_path / "long.log"  # lines longer than a block, searched both ways
    assert navigator.find(long, "B", 0)["line"] == 2
    assert navigator.find(long, "end", None, "prev")["line"] == 3
    assert navigator.find(long, "aaa", BLOCK + 100, "prev")["offset"] == 0
    assert not navigator.find(long, "aaa", 1)["found"]


def brute_find(
    lines: list[tuple[int, bytes]], query: str, start: int, direction: str, stream: str
) -> int | None:
    needle = query.lower().encode()
    if direction == "prev":
        lines = [(s, line) for s, line in reversed(lines) if s < start]
    else:
        lines = [(s, line) for s, line in lines if s >= start]
    for offset, line in lines:
        if stream == "stderr" and not line.startswith(b"[stderr] "):
            continue
        if needle in shown(line).lower():
            return offset
    return None


def test_find_next_and_prev_agree_with_a_scan_of_every_line(tmp_path, navigator):
    rng = random.Random(9)
    data = bytearray(generated(rng, 2 * STRIDE))
    border = BLOCK - 4  # a word across the first block border
    data[border : border + 9] = b"ZiRcOnIuM"
    data = bytes(data)
    path = write(tmp_path, data)
    queries = ["zirconium", "VALVE ok", "7:", "warn", "[stderr]", "no such text"]
    froms = [0, 1, border - 100, border + 1, len(data) // 2, len(data) - 3, len(data)]
    lines = lines_of(data)
    for query in queries:
        for start in froms:
            for direction in ("next", "prev"):
                for stream in ("all", "stderr"):
                    hit = navigator.find(path, query, start, direction, stream)
                    expected = brute_find(lines, query, start, direction, stream)
                    assert hit.get("offset") == expected, (query, start, direction, stream)
                    assert hit["found"] is (expected is not None) and hit["size"] == len(data)
    hit = navigator.find(path, "zirconium", 0)
    assert hit["line"] == 1 + data[: hit["offset"]].count(b"\n")
    line = data[hit["offset"] :].split(b"\n", 1)[0].decode()
    assert line[hit["column"] - 1 :].lower().startswith("zirconium")


def test_find_walks_every_hit_forwards_and_back(tmp_path, navigator):
    data = b"".join(b"x%d\n" % n if n % 1000 else b"[stderr] hit %d\n" % n for n in range(1, 9000))
    path = write(tmp_path, data)
    offsets, start = [], 0
    while (hit := navigator.find(path, "HIT", start))["found"]:
        offsets.append(hit["offset"])
        start = hit["offset"] + 1
    assert [navigator.line_of_offset(path, o) for o in offsets] == list(range(1000, 9000, 1000))
    back, start = [], None
    while (hit := navigator.find(path, "hit", start, "prev", "stderr"))["found"]:
        back.append(hit["offset"])
        start = hit["offset"]
    assert back == offsets[::-1]


def test_find_ignores_case_beyond_ascii_and_skips_stream_prefixes(tmp_path, navigator):
    path = write(tmp_path, "stdout\n[stderr] première ÉCOLE\n[debug] stderr\n".encode())
    hit = navigator.find(path, "école", 0)
    assert (hit["line"], hit["column"]) == (2, len("[stderr] première ") + 1)
    assert navigator.find(path, "PREMIÈRE", None, "prev")["line"] == 2
    assert navigator.find(path, "stderr", 0)["line"] == 3  # the prefix is not searched
    assert not navigator.find(path, "stderr", 0, stream="stderr")["found"]


def test_stderr_pages_hold_every_stderr_line_with_its_number(tmp_path, navigator):
    rng = random.Random(10)
    data = generated(rng, 3 * STRIDE)
    path = write(tmp_path, data)
    expected = [
        (n, start, line.decode())
        for n, (start, line) in enumerate(lines_of(data), 1)
        if line.startswith(b"[stderr] ")
    ]
    seen, start, pages = [], 0, 0
    while True:
        page = navigator.stderr_lines(path, start, 2000)
        seen += [(item["line"], item["offset"], item["text"]) for item in page["lines"]]
        start, pages = page["next_offset"], pages + 1
        if page["done"]:
            break
    assert seen == expected and pages > 5
    back, start = [], None
    while True:
        page = navigator.stderr_lines(path, start, 3000, "prev")
        back = [(item["line"], item["offset"], item["text"]) for item in page["lines"]] + back
        start = page["next_offset"]
        if page["done"]:
            break
    assert back == expected


def test_a_stderr_page_stops_after_the_scan_limit(tmp_path, navigator):
    data = b"quiet line of stdout\n" * 600_000 + b"[stderr] late\n"
    path = write(tmp_path, data)
    page = navigator.stderr_lines(path, 0, 1000)
    assert page["lines"] == [] and not page["done"] and 0 < page["next_offset"] < len(data)
    while not page["done"]:
        page = navigator.stderr_lines(path, page["next_offset"], 1000)
    assert [item["text"] for item in page["lines"]] == ["[stderr] late"]
    assert page["lines"][0]["line"] == 600_001


def test_a_finished_log_is_scanned_once_and_a_growing_one_only_for_its_new_part(
    tmp_path, navigator
):
    rng = random.Random(11)
    data = generated(rng, STRIDE + 10)
    path = write(tmp_path, data)
    check_index(navigator, path, data, rng)
    assert navigator.scanned == len(data)  # every later call used the cached index
    more = generated(rng, 2 * STRIDE)
    with path.open("ab") as handle:
        handle.write(more)
    check_index(navigator, path, data + more, rng)
    assert navigator.scanned == len(data) + len(more)
    shorter = generated(rng, 50)
    path.write_bytes(shorter)  # rewritten: indexed again from the start
    os.utime(path, ns=(1, 1))
    check_index(navigator, path, shorter, rng)
    assert navigator.scanned == len(data) + len(more) + len(shorter)


def test_content_by_line_and_offset_gives_whole_lines_with_their_number(tmp_path, navigator):
    data = b"".join(b"line %d\n" % n for n in range(1, 20_001))
    path = write(tmp_path, data)
    part = navigator.content(path, line=12_345, length=100)
    assert part["text"].startswith("line 12345\n") and part["line"] == 12_345
    assert part["text"].endswith("\n") and part["next_offset"] == part["offset"] + len(part["text"])
    follow = navigator.content(path, offset=part["next_offset"], length=100)
    assert follow["line"] == 12_345 + part["text"].count("\n")  # a line start is kept
    middle = navigator.content(path, offset=part["offset"] + 3, length=100)
    assert middle["line"] == 12_346  # a cut line is left out
    tail = navigator.content(path, length=30)
    assert tail["text"] == "line 19999\nline 20000\n" and tail["line"] == 19_999
    assert tail["lines"] == 20_000 and tail["next_offset"] == tail["size"] == len(data)
    assert navigator.content(path, line=99_999)["line"] == 20_000
    with pytest.raises(InvalidInput) as error:
        navigator.content(path, offset=0, line=3)
    assert error.value.field == "line"


@pytest.mark.parametrize(
    "query", ["", "x" * (MAX_QUERY + 1), "two\nlines"], ids=["empty", "long", "newline"]
)
def test_a_bad_query_is_refused_naming_q(tmp_path, navigator, query):
    with pytest.raises(InvalidInput) as error:
        navigator.find(write(tmp_path, b"text\n"), query)
    assert error.value.field == "q"


def test_a_missing_file_is_not_found(tmp_path, navigator):
    with pytest.raises(NotFound):
        navigator.find(tmp_path / "gone.log", "x")
