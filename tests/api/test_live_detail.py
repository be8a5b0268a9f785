"""A running run's detail: a short tail of each stream and a cursor; ``?after=`` gives only
what followed the cursor. Real scripts print in batches, each held until the test opens
its gate, so every poll is checked against a known state, never a time."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.api.converters import MAX_ID
from server.services.live_output import TAIL_LINES
from tests.api.test_catalog import rescan
from tests.api.test_runs import run, wait_done
from tests.api.translated import error_message, form, speaking
from tests.support import wait_for

# Batch after batch: stdout lines, every fifth one also on stderr, then wait for the gate.
GATED = """
import sys, time
from pathlib import Path

gates = Path(@GATES@)
number = 0
for index, size in enumerate(@BATCHES@):
    for _ in range(size):
        number += 1
        print(f"line {number:06d} " + "x" * @WIDTH@)
        if number % 5 == 0:
            print(f"err {number:06d}", file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    while not (gates / f"go{index}").exists():
        time.sleep(0.01)
"""
KEYS = ("output", "error_output", "debug_output")
FINISHED_KEYS = {
    "execution_id", "script_id", "script_name", "group_id", "project_id", "user_id",
    "status", "exit_code", "parameters", "conda_environment", "flask_port", "start_time",
    "end_time", "duration_seconds", "peak_memory_bytes", "cpu_seconds", "output",
    "error_output", "debug_output", "environment", "trigger", "schedule_id",
}  # fmt: skip
LIVE_KEYS = FINISHED_KEYS | {"cursor", "log_url", *(f"{key}_truncated" for key in KEYS)}


def stdout_lines(first: int, last: int, width: int) -> list[str]:
    return [f"line {n:06d} " + "x" * width for n in range(first, last + 1)]


def stderr_lines(first: int, last: int) -> list[str]:
    return [f"err {n:06d}" for n in range(first, last + 1) if n % 5 == 0]


class Gated:
    """A gated script of one test: its id, and the gates that let each batch go on."""

    def __init__(self, app, groups, tmp_path: Path, batches: list[int], width: int) -> None:
        self.gates = tmp_path / "gates"
        self.gates.mkdir()
        code = GATED.replace("@GATES@", repr(str(self.gates)))
        code = code.replace("@BATCHES@", repr(batches)).replace("@WIDTH@", str(width))
        groups.group("lab", required_level="operator")
        groups.script("lab", "gated.py", "", code)
        rescan(app)

    def script_id(self, client) -> int:
        group = client.get("/api/script-groups").get_json()["items"][0]["id"]
        items = client.get(f"/api/script-groups/{group}/scripts").get_json()["items"]
        return next(item["id"] for item in items if item["filename"] == "gated.py")

    def open(self, index: int) -> None:
        (self.gates / f"go{index}").touch()


class Poller:
    """Read a run's detail as a poller does: the tail first, then ``after`` the cursor,
    gathering each stream's lines in order."""

    def __init__(self, client, execution_id: str) -> None:
        self.client, self.url = client, f"/api/logs/execution/{execution_id}"
        first = self.get()
        assert first["status"] == "running" and set(first) == LIVE_KEYS, first
        self.cursor = first["cursor"]
        self.lines = {key: first[key].splitlines() for key in KEYS}
        self.truncated: list[str] = [key for key in KEYS if first[f"{key}_truncated"]]

    def get(self, after: int | None = None) -> dict:
        response = self.client.get(self.url if after is None else f"{self.url}?after={after}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def poll(self) -> dict:
        """Ask for what followed the cursor and gather it."""
        body = self.get(self.cursor)
        assert body["status"] == "running" and body["cursor"] >= self.cursor, body
        for key in KEYS:
            self.lines[key] += body[key].splitlines()
            if body[f"{key}_truncated"]:
                self.truncated.append(key)
        self.cursor = body["cursor"]
        return body

    def until(self, output: str, error_output: str) -> None:
        """Poll until both lines have come."""
        wait_for(
            lambda: self.poll() and self.has(output, error_output),
            message=f"{output!r} and {error_output!r} never came",
        )

    def has(self, output: str, error_output: str) -> bool:
        return output in self.lines["output"] and error_output in self.lines["error_output"]


@pytest.fixture
def client(login, make_user):
    return login(make_user("olga", level="operator"))


def test_polls_after_the_cursor_get_every_new_line_once(app, groups, tmp_path, client):
    width = 10
    gated = Gated(app, groups, tmp_path, [40, 120, 250, 3], width)
    execution_id = run(client, gated.script_id(client))
    poller = Poller(client, execution_id)
    poller.until(stdout_lines(40, 40, width)[0], "err 000040")
    gated.open(0)
    poller.until(stdout_lines(160, 160, width)[0], "err 000160")
    assert poller.truncated == []
    quiet = poller.get(poller.cursor)  # the script waits at its gate: nothing new
    assert quiet["cursor"] == poller.cursor
    assert (quiet["output"], quiet["error_output"]) == ("", "")

    # 250 lines come while nobody asks: one poll gets the last TAIL_LINES, flagged.
    gated.open(1)
    last = stdout_lines(410, 410, width)[0]
    wait_for(lambda: poller.get()["output"].endswith(last + "\n"))
    cut = poller.poll()
    assert cut["output_truncated"] and not cut["error_output_truncated"]
    assert cut["output"].splitlines() == stdout_lines(411 - TAIL_LINES, 410, width)
    assert cut["error_output"].splitlines() == stderr_lines(161, 410)

    gated.open(2)
    poller.until(stdout_lines(413, 413, width)[0], "err 000410")
    assert poller.truncated == ["output"]
    live = poller.lines
    skipped = set(stdout_lines(161, 410 - TAIL_LINES, width))
    assert live["output"] == [line for line in stdout_lines(1, 413, width) if line not in skipped]
    assert live["error_output"] == stderr_lines(1, 413)

    gated.open(3)
    done = wait_done(client, execution_id)
    assert done["status"] == "completed" and set(done) == FINISHED_KEYS
    assert done["output"].splitlines() == stdout_lines(1, 413, width)
    assert done["error_output"].splitlines() == stderr_lines(1, 413)
    assert done["debug_output"].splitlines()[: len(live["debug_output"])] == live["debug_output"]
    again = client.get(f"/api/logs/execution/{execution_id}?after={poller.cursor}").get_json()
    assert again == done  # once ended, ``after`` changes nothing


def test_a_long_output_shows_its_tail_and_a_stale_cursor_is_flagged(app, groups, tmp_path, client):
    width, count = 24, 40_000  # > 1 MiB of stdout: the kept copy drops its middle too
    gated = Gated(app, groups, tmp_path, [count], width)
    execution_id = run(client, gated.script_id(client))
    url = f"/api/logs/execution/{execution_id}"
    last = stdout_lines(count, count, width)[0]

    def all_in() -> dict | None:
        body = client.get(url).get_json()
        ends = body["output"].endswith(last + "\n") and body["error_output"].endswith(
            f"err {count:06d}\n"
        )
        return body if ends else None

    tail = wait_for(all_in, message="the output never ended")
    assert set(tail) == LIVE_KEYS and tail["status"] == "running"
    assert tail["output"].splitlines() == stdout_lines(count + 1 - TAIL_LINES, count, width)
    assert tail["error_output"].splitlines() == stderr_lines(1, count)[-TAIL_LINES:]
    assert tail["output_truncated"] and tail["error_output_truncated"]
    assert not tail["debug_output_truncated"] and tail["debug_output"]
    assert tail["log_url"] == f"{url}/content"
    assert client.get(tail["log_url"]).status_code == 200

    # A cursor older than what the capture still holds in order: flagged on every stream.
    stale = client.get(f"{url}?after=0").get_json()
    assert all(stale[f"{key}_truncated"] for key in KEYS)
    assert stale["output"] == tail["output"] and stale["cursor"] == tail["cursor"]
    current = client.get(f"{url}?after={tail['cursor']}").get_json()
    assert [current[key] for key in KEYS] == ["", "", ""]
    assert not any(current[f"{key}_truncated"] for key in KEYS)
    ahead = client.get(f"{url}?after={tail['cursor'] + 1}")
    assert error_message(ahead, 400)
    assert ahead.get_json()["error"]["field"] == "after"

    gated.open(0)
    done = wait_done(client, execution_id)
    assert set(done) == FINISHED_KEYS
    assert done["output"].endswith(last + "\n") and "bytes left out here" in done["output"]


@pytest.mark.parametrize("language", ("en", "fr"))
def test_a_bad_cursor_is_refused_in_the_users_language(
    app, groups, tmp_path, login, make_user, language
):
    gated = Gated(app, groups, tmp_path, [1], 1)
    client = speaking(login, make_user, language)
    execution_id = run(client, gated.script_id(client))
    url = f"/api/logs/execution/{execution_id}"
    template = "{field} must be a whole number between {minimum} and {maximum}."
    expected = form(template, language, field="after", minimum=0, maximum=MAX_ID)
    for after in ("abc", "-1", "1.5", "9" * 30):
        assert error_message(client.get(f"{url}?after={after}"), 400) == expected
    # Once its line is in, the script waits at its gate: the cursor stays put.
    body = wait_for(lambda: (body := client.get(url).get_json())["output"] and body)
    ahead = body["cursor"] + 5
    template = "{field}: the cursor {after} is ahead of this run's output ({cursor})."
    expected = form(template, language, field="after", after=ahead, cursor=body["cursor"])
    assert error_message(client.get(f"{url}?after={ahead}"), 400) == expected
    gated.open(0)
    wait_done(client, execution_id)
