"""Moving inside a run's log through the API: lines, search, stderr lines, access, errors."""

from __future__ import annotations

import pytest

from tests.api.test_catalog import rescan
from tests.api.test_projects_data_logs import lab  # noqa: F401 - a fixture used below
from tests.api.test_runs import run, wait_done

ROWS, PROBLEMS = 20_000, 20
LINES = (
    "import sys\n"
    f"for n in range(1, {ROWS + 1}):\n"
    "    print(f'row {n} of the run')\n"
    f"    if n % {ROWS // PROBLEMS} == 0:\n"
    "        print(f'Problem {n}', file=sys.stderr)\n"
)


@pytest.fixture
def finished(lab, app, groups):  # noqa: F811 - the fixture imported above
    """A finished run whose log holds ROWS stdout lines and PROBLEMS stderr lines, and the
    log file's lines (read through the download)."""
    client, _gid, _ids = lab
    groups.script("lab", "lines.py", "@description: many lines", LINES)
    rescan(app)
    gid = client.get("/api/script-groups").get_json()["items"][0]["id"]
    scripts = client.get(f"/api/script-groups/{gid}/scripts").get_json()["items"]
    script_id = next(s["id"] for s in scripts if s["filename"] == "lines.py")
    execution_id = wait_done(client, run(client, script_id))["execution_id"]
    base = f"/api/logs/execution/{execution_id}"
    text = client.get(f"{base}/download?format=txt").data.decode()
    return client, base, text.split("\n")


def test_content_starts_at_a_line_and_numbers_its_first_line(finished):
    client, base, lines = finished
    part = client.get(f"{base}/content?line=12345&length=2000").get_json()
    assert part["line"] == 12_345 and part["text"].startswith(lines[12_344] + "\n")
    assert part["next_offset"] == part["offset"] + len(part["text"].encode())
    follow = client.get(f"{base}/content?offset={part['next_offset']}&length=100").get_json()
    assert follow["line"] == 12_345 + part["text"].count("\n")
    tail = client.get(f"{base}/content?length=300").get_json()
    assert tail["next_offset"] == tail["size"] and tail["lines"] == len(lines) - 1
    assert tail["text"].split("\n")[0] == lines[tail["line"] - 1]


def test_find_next_and_previous_lines(finished):
    client, base, lines = finished
    problems = [n for n, line in enumerate(lines, 1) if line.startswith("[stderr] Problem")]
    assert len(problems) == PROBLEMS
    hit = client.get(f"{base}/find?q=PROBLEM%202000&from=0").get_json()
    assert hit == {
        "found": True,
        "offset": hit["offset"],
        "line": problems[1],
        "column": len("[stderr] ") + 1,
        "size": hit["size"],
    }
    after = client.get(f"{base}/find?q=problem&from={hit['offset'] + 1}").get_json()
    assert after["line"] == problems[2]
    before = client.get(f"{base}/find?q=problem&from={hit['offset']}&direction=prev").get_json()
    assert before["line"] == problems[0]
    last = client.get(f"{base}/find?q=problem&direction=prev&stream=stderr").get_json()
    assert last["line"] == problems[-1]
    row = client.get(f"{base}/find?q=row%2015000%20of&stream=all").get_json()
    assert lines[row["line"] - 1] == "row 15000 of the run"
    assert client.get(f"{base}/find?q=row&stream=stderr").get_json()["found"] is False


def test_the_stderr_lines_alone(finished):
    client, base, lines = finished
    page = client.get(f"{base}/content?stream=stderr&offset=0").get_json()
    assert page["done"] and page["next_offset"] == page["size"] and page["line"] == 1
    assert [item["text"] for item in page["lines"]] == [f"[stderr] Problem {n * 1000}" for n in
                                                        range(1, PROBLEMS + 1)]  # fmt: skip
    assert all(lines[item["line"] - 1] == item["text"] for item in page["lines"])
    small = client.get(f"{base}/content?stream=stderr&offset=0&length=10").get_json()
    assert len(small["lines"]) == 1 and not small["done"]
    back = client.get(f"{base}/content?stream=stderr&direction=prev&length=10").get_json()
    assert [item["text"] for item in back["lines"]] == [f"[stderr] Problem {ROWS}"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("find", "q"),
        ("find?q=" + "x" * 201, "q"),
        ("find?q=a%0Ab", "q"),
        ("find?q=a&direction=sideways", "direction"),
        ("find?q=a&stream=stdout", "stream"),
        ("find?q=a&from=-1", "from"),
        ("content?line=0", "line"),
        ("content?line=3&offset=0", "line"),
        ("content?stream=both", "stream"),
        ("content?length=0", "length"),
    ],
)
def test_bad_values_are_400_naming_the_field(finished, query, field):
    client, base, _lines = finished
    response = client.get(f"{base}/{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field


def test_another_users_run_is_not_found(finished, login, make_user):
    _client, base, _lines = finished
    other = login(make_user("olga", level="operator"))
    for query in ("find?q=row", "content?line=1", "content?stream=stderr"):
        assert other.get(f"{base}/{query}").status_code == 404
