"""A real ``scriptsmanager --server``: schedules and their jobs survive a restart, since
the jobs live in the app's database."""

from __future__ import annotations

import json
import os
import sqlite3

from tests.support import create_admin, free_port, signed_in, start_server, stop_server

PASSWORD = "Sched-Restart-Pass1"


def stored_jobs(home) -> list[str]:
    connection = sqlite3.connect(home / "data" / "scriptsmanager.db")
    try:
        return [row[0] for row in connection.execute("SELECT id FROM apscheduler_jobs")]
    finally:
        connection.close()


def test_schedules_survive_a_restart(tmp_path):
    group = tmp_path / "groups" / "nightly"
    group.mkdir(parents=True)
    (group / "metadata.json").write_text(json.dumps({"name": "Nightly"}))
    (group / "report.py").write_text("print('report')\n")
    env = {**os.environ, "SCRIPT_GROUPS_PATH": str(tmp_path / "groups"), "CONDA_AUTO_DETECT": "0"}
    home = tmp_path / "home"
    create_admin(home, env, "root", PASSWORD)
    server = start_server(home, free_port(), env=env)
    try:
        http, csrf = signed_in(server.url, "root", PASSWORD)
        group_id = http.get(server.url + "api/script-groups").json()["items"][0]["id"]
        scripts = http.get(server.url + f"api/script-groups/{group_id}/scripts").json()["items"]
        body = {"script_id": scripts[0]["id"], "cron": "15 4 * * *", "timezone": "Asia/Tokyo"}
        answer = http.post(server.url + "api/schedules", json=body, headers={"X-CSRFToken": csrf})
        assert answer.status_code == 201, answer.text
        before = answer.json()
        http.close()
    finally:
        assert stop_server(server) == 0
    assert stored_jobs(home) == [f"schedule-{before['id']}"]

    again = start_server(home, free_port(), env=env)
    try:
        http, _csrf = signed_in(again.url, "root", PASSWORD)
        after = http.get(again.url + "api/schedules").json()["items"]
        http.close()
    finally:
        stop_server(again)
    assert [s["id"] for s in after] == [before["id"]]
    assert after[0]["next_run_at"] == before["next_run_at"]
    assert after[0]["next_run_at"].endswith("+09:00") and "T04:15:00" in after[0]["next_run_at"]
    assert stored_jobs(home) == [f"schedule-{before['id']}"]
