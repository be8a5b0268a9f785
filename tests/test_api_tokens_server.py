"""A real ``scriptsmanager --server`` over a socket: an API token made with a login runs a
script and reads /metrics with only ``Authorization: Bearer``, and never gets a cookie."""

from __future__ import annotations

import json
import os

import requests

from tests.support import create_admin, free_port, signed_in, start_server, stop_server, wait_for

PASSWORD = "T0ken-Server-Pass"


def make_token(url: str) -> str:
    """Log in as the admin and return a new API token's secret."""
    http, csrf = signed_in(url, "root", PASSWORD)
    with http:
        made = http.post(url + "api/user/tokens", json={"name": "monitoring"},
                         headers={"X-CSRFToken": csrf})  # fmt: skip
        assert made.status_code == 201, made.text
        return made.json()["token"]


def test_a_token_runs_a_script_and_reads_metrics_over_http(tmp_path):
    group = tmp_path / "groups" / "tools"
    group.mkdir(parents=True)
    (group / "metadata.json").write_text(json.dumps({"name": "Tools"}))
    (group / "hello.py").write_text("print('hello over a socket')\n")
    env = {**os.environ, "SCRIPT_GROUPS_PATH": str(tmp_path / "groups"), "CONDA_AUTO_DETECT": "0"}
    home = tmp_path / "home"
    create_admin(home, env, "root", PASSWORD)
    server = start_server(home, free_port(), env=env)
    try:
        url = server.url
        bearer = {"Authorization": f"Bearer {make_token(url)}"}
        answers = []

        def get(path: str) -> requests.Response:
            answers.append(requests.get(url + path, headers=bearer, timeout=30))
            return answers[-1]

        groups = get("api/script-groups")
        assert groups.status_code == 200, groups.text
        group_id = groups.json()["items"][0]["id"]
        script = get(f"api/script-groups/{group_id}/scripts").json()["items"][0]
        started = requests.post(url + f"api/scripts/{script['id']}/execute",
                                json={"parameters": {}}, headers=bearer, timeout=30)  # fmt: skip
        answers.append(started)
        assert started.status_code == 202, started.text
        run_path = f"api/logs/execution/{started.json()['execution_id']}"

        def finished() -> dict | None:
            body = get(run_path).json()
            return body if body["status"] != "running" else None

        done = wait_for(finished)
        assert done["status"] == "completed" and "hello over a socket" in done["output"]

        metrics = get("metrics")
        assert metrics.status_code == 200 and "scriptsmanager_runs" in metrics.text
        assert all("Set-Cookie" not in answer.headers for answer in answers)
        forged = requests.get(
            url + "metrics", headers={"Authorization": "Bearer smt_x"}, timeout=30
        )
        assert forged.status_code == 401 and forged.json()["error"]["code"] == "not_authenticated"
        page = requests.get(url + "account", headers=bearer, allow_redirects=False, timeout=30)
        assert page.status_code == 302 and "/login" in page.headers["Location"]
    finally:
        assert stop_server(server) == 0
