"""Full-text search of the run list finds words anywhere in a log, also in the middle of a
log longer than what the run's record keeps."""

from __future__ import annotations

import pytest

from tests.api.test_catalog import rescan
from tests.api.test_runs import run, wait_done
from tests.support import make_settings

LONG = """
import sys
for n in range(3000):
    print("reading sensor", n, "value", n * 7)
    if n == 1500:
        print("calibration drift on ferrocene channel")
        print("valve stuck at quinquennial check", file=sys.stderr)
"""


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path / "home", max_output_in_database=8192)


@pytest.fixture
def client(app, groups, login, make_user):
    groups.group("lab", required_level="operator")
    groups.script("lab", "long.py", "", LONG)
    rescan(app)
    user = login(make_user("olga"))
    group = user.get("/api/script-groups").get_json()["items"][0]["id"]
    script = user.get(f"/api/script-groups/{group}/scripts").get_json()["items"][0]["id"]
    user.script_id = script
    return user


def test_a_word_from_the_middle_of_a_long_log_is_found(client):
    execution_id = run(client, client.script_id)
    detail = wait_done(client, execution_id)
    assert detail["status"] == "completed"
    assert "ferrocene" not in detail["output"] and "bytes left out here" in detail["output"]
    for word in ("ferrocene", "quinquennial", "sensor"):
        found = client.get(f"/api/logs/execution?q={word}").get_json()
        assert [item["execution_id"] for item in found["items"]] == [execution_id], word
    assert client.get("/api/logs/execution?q=zirconium").get_json()["items"] == []


def test_deleting_the_run_removes_its_terms_from_the_index(client):
    execution_id = run(client, client.script_id)
    wait_done(client, execution_id)
    assert client.delete(f"/api/logs/execution/{execution_id}").status_code in (200, 204)
    assert client.get("/api/logs/execution?q=ferrocene").get_json()["items"] == []
