"""Property-based fuzzing of the whole JSON API from its own /api/openapi.json (Schemathesis).

A real ``scriptsmanager --server`` on a fresh home and a copy of the shipped script groups is
seeded with a logged-in admin, a project, a finished run and two more users; Schemathesis then
runs every operation (coverage, fuzzing, and the stateful phase that follows the document's
links) with a fixed seed and a bounded number of examples, and fails on any 5xx answer or any
answer that does not match the document.

Fixtures (this module's own): ``fuzz_server`` (the server), ``seed`` (what was made on it).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.support import RunningServer, free_port, start_server, stop_server, wait_for

SECURITY_CLASS = "openapi fuzzing"
ROOT = Path(__file__).resolve().parents[2]
ADMIN, PASSWORD = "fuzzadmin", "Fuzz-Admin-Passw0rd"
SEED = 20240611
MAX_EXAMPLES = 12  # per operation, in the coverage and fuzzing phases
SCENARIOS = 150  # chains of linked calls in the stateful phase
RUN_TIMEOUT = 600  # the whole Schemathesis run; it takes about two minutes on two cores
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
# The only operation left out: it ends the fuzzing session itself, so every request after it
# would test nothing but the login wall. Changing one's own password stays fuzzed: it cannot
# succeed without the current password, which the fuzzer never sees.
EXCLUDED = ("auth_api.logout",)
# Operations fuzzed on a seeded user rather than on any id: on the fuzzing admin they could
# deactivate or demote it or give it a new password (each revokes its session), and resetting
# its data or deleting its runs would wipe the seeded project and run that the other
# operations need in order to reach real data.
ON_OTHER_USER = (
    "admin_users_api.update_user",
    "admin_users_api.reset_data",
    "admin_logs_api.delete_user_runs",
)
ON_DOOMED_USER = ("admin_users_api.delete_user",)  # so that the other user stays


@dataclass
class Seed:
    """What the fixture made before fuzzing."""

    cookie: str
    csrf: str
    other_user_id: int
    doomed_user_id: int
    project_id: int
    execution_id: str


@pytest.fixture
def fuzz_server(tmp_path: Path):
    home, groups = tmp_path / "home", tmp_path / "groups"
    shutil.copytree(ROOT / "script_groups", groups)
    environ = {
        **os.environ,
        "SCRIPTSMANAGER_HOME": str(home),
        "SCRIPT_GROUPS_PATH": str(groups),
        "CONDA_AUTO_DETECT": "false",
    }
    subprocess.run(
        [sys.executable, "-m", "desktop.launcher", "create-admin"]
        + ["--username", ADMIN, "--password", PASSWORD],
        env=environ,
        check=True,
        capture_output=True,
        timeout=60,
    )
    server = start_server(home, free_port(), env=environ)
    yield server
    stop_server(server, signal.SIGTERM)


@pytest.fixture
def seed(fuzz_server: RunningServer) -> Seed:
    base, http = fuzz_server.url, requests.Session()
    csrf = http.get(base + "api/auth/csrf").json()["csrf_token"]
    login = http.post(
        base + "api/auth/login",
        json={"username": ADMIN, "password": PASSWORD},
        headers={"X-CSRFToken": csrf},
    )
    login.raise_for_status()
    csrf = login.json()["csrf_token"]

    def post(path: str, body: dict) -> dict:
        response = http.post(base + path, json=body, headers={"X-CSRFToken": csrf})
        assert response.status_code < 300, response.text
        return response.json()

    def user(name: str) -> int:
        body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
        return post("api/admin/users", {**body, "user_level": "operator"})["user"]["id"]

    group = http.get(base + "api/script-groups").json()["items"][0]
    project = post("api/projects", {"group_id": group["id"], "project_name": "fuzz_seed"})
    execution_id = _finished_run(http, base, post, project["project"])
    cookie = http.cookies.get("scriptsmanager_session")
    assert cookie, "the login set no session cookie"
    return Seed(cookie, csrf, user("other"), user("doomed"), project["project"]["id"], execution_id)


def _finished_run(http: requests.Session, base: str, post: Callable, project: dict) -> str:
    """Run the unit converter in the seeded project and wait until it has finished."""
    scripts = http.get(base + f"api/script-groups/{project['group_id']}/scripts").json()["items"]
    script = next(s for s in scripts if s["filename"] == "unit_converter.py")
    parameters = {"value": 1.0, "quantity": "length", "from_unit": "m", "to_unit": "ft"}
    started = post(
        f"api/scripts/{script['id']}/execute",
        {"parameters": parameters, "project_id": project["id"]},
    )

    def finished() -> str | None:
        detail = http.get(base + f"api/logs/execution/{started['execution_id']}").json()
        return None if detail["status"] == "running" else detail["status"]

    assert wait_for(finished, timeout=60) == "completed"
    return started["execution_id"]


def _pinned(operations: tuple[str, ...], user_id: int) -> str:
    """Return the configuration that runs ``operations`` on one user only."""
    ids = json.dumps(list(operations))
    pin = f'parameters = {{ "path.user_id" = {user_id} }}'
    return f"[[operations]]\ninclude-operation-id = {ids}\n{pin}"


def _config(seed: Seed, report: Path) -> str:
    """Return the schemathesis.toml of the run."""
    checks = "\n".join(f"[checks.{name}]\nenabled = true" for name in CHECKS)
    return f"""
seed = {SEED}
workers = 1
[reports.json]
enabled = true
path = {json.dumps(str(report))}
[generation]
max-examples = {MAX_EXAMPLES}
database = "none"
[phases.examples]
enabled = false
[phases.stateful.generation]
max-examples = {SCENARIOS}
[checks]
enabled = false
{checks}
[auth.openapi.session]
api_key = {json.dumps(seed.cookie)}
[auth.openapi.csrf]
api_key = {json.dumps(seed.csrf)}
{_pinned(ON_OTHER_USER, seed.other_user_id)}
{_pinned(ON_DOOMED_USER, seed.doomed_user_id)}
[[operations]]
include-operation-id = {json.dumps(list(EXCLUDED))}
enabled = false
"""


def test_fuzzing_every_operation_finds_no_failure(fuzz_server: RunningServer, seed: Seed, tmp_path):
    report, config = tmp_path / "report.json", tmp_path / "schemathesis.toml"
    config.write_text(_config(seed, report), encoding="utf-8")
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run"]
        + ["--no-color", fuzz_server.url + "api/openapi.json"],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        cwd=tmp_path,
    )
    seconds = time.monotonic() - started
    assert report.is_file(), result.stdout[-4000:] + result.stderr[-4000:]
    figures = json.loads(report.read_text(encoding="utf-8"))
    operations, cases = figures["operations"], figures["test_cases"]
    failures = sum(group["count"] for group in figures["failures"])
    print(
        f"\nschemathesis: {operations['tested']}/{operations['total']} operations, "
        f"{cases['generated']} requests, {failures} failures, "
        f"{len(figures['errors'])} errors, {seconds:.0f}s"
    )
    assert operations["tested"] == operations["total"] - len(EXCLUDED), result.stdout[-6000:]
    assert failures == 0 and not figures["errors"], result.stdout[-12000:]
    assert result.returncode == 0, result.stdout[-6000:]
