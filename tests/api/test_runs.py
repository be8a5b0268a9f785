"""Running scripts as real child processes through the API."""

from __future__ import annotations

import json
from pathlib import Path

import psutil
import pytest

from tests.api.test_catalog import rescan
from tests.support import WAIT_TIMEOUT, wait_for

ECHO = """
import json, os, sys
print("ARGV=" + json.dumps(sys.argv[1:]))
print("ENV=" + json.dumps({k: v for k, v in os.environ.items() if k.startswith("SCRIPTSMANAGER_")}))
print("CWD=" + os.getcwd())
print("to stderr", file=sys.stderr)
sys.exit(int(os.environ.get("EXIT", "0")))
"""
PARAMS = """@parameters: [
  {"name": "count", "type": "int", "required": true, "min": 1},
  {"name": "label", "type": "string", "default": "x y"},
  {"name": "fast", "type": "bool", "default": false},
  {"name": "tags", "type": "multiselect", "options": ["a", "b", "c"]},
  {"name": "token", "type": "secret"}
]"""


def wait_done(client, execution_id: str, timeout: float = WAIT_TIMEOUT) -> dict:
    """Return the run's record once it has ended (generous deadline: a loaded machine)."""

    def ended() -> dict | None:
        body = client.get(f"/api/logs/execution/{execution_id}").get_json()
        return body if body["status"] != "running" else None

    return wait_for(ended, timeout, f"run {execution_id} still running")


@pytest.fixture
def scripts(app, groups, login, make_user):
    groups.group("lab", required_level="operator")
    groups.script("lab", "echo.py", PARAMS, ECHO)
    groups.script("lab", "fail.py", "", "import sys\nprint('bad', file=sys.stderr)\nsys.exit(3)\n")
    groups.script("lab", "sleepy.py", "@execution_timeout: 1", "import time\ntime.sleep(60)\n")
    groups.script(
        "lab",
        "tree.py",
        "",
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
        "print('grandchild', child.pid, flush=True)\n"
        "time.sleep(120)\n",
    )
    groups.script("lab", "admin_only.py", "@required_level: admin", "print('hi')\n")
    rescan(app)
    client = login(make_user("olga", level="operator"))
    gid = client.get("/api/script-groups").get_json()["items"][0]["id"]
    listed = client.get(f"/api/script-groups/{gid}/scripts").get_json()["items"]
    ids = {s["filename"].removesuffix(".py"): s["id"] for s in listed}
    admin_client = login(make_user("root", level="admin"))
    admin_listed = admin_client.get(f"/api/script-groups/{gid}/scripts").get_json()["items"]
    ids["admin_only"] = next(s["id"] for s in admin_listed if s["filename"] == "admin_only.py")
    return client, ids, gid


def run(client, script_id: int, parameters: dict | None = None, **extra) -> str:
    response = client.post(
        f"/api/scripts/{script_id}/execute", {"parameters": parameters or {}, **extra}
    )
    assert response.status_code == 202, response.get_json()
    assert response.get_json()["status"] == "running"
    return response.get_json()["execution_id"]


def output_value(body: dict, key: str):
    line = next(line for line in body["output"].splitlines() if line.startswith(key + "="))
    return line.split("=", 1)[1]


def test_parameters_and_the_contract_reach_the_script(scripts, settings, groups):
    client, ids, _gid = scripts
    execution_id = run(
        client, ids["echo"], {"count": "3", "fast": True, "tags": ["a", "c"], "token": "s3cr3t"}
    )
    body = wait_done(client, execution_id)
    assert body["status"] == "completed" and body["exit_code"] == 0
    argv = json.loads(output_value(body, "ARGV"))
    data_dir = settings.base_data_path / "script_groups" / "lab" / "olga" / "project_default"
    assert argv[:14] == [
        "--data-dir", str(data_dir), "--user-level", "operator", "--port", argv[5],
        "--project-id", argv[7], "--project-name", "project_default",
        "--theme", "light", "--language", "en",
    ]  # fmt: skip
    assert settings.port_range_start <= int(argv[5]) <= settings.port_range_end
    assert argv[14:] == ["--count=3", "--label=x y", "--fast=true", "--tags=a,c"]
    assert "s3cr3t" not in json.dumps(argv)  # secrets never on the command line
    env = json.loads(output_value(body, "ENV"))
    assert env["SCRIPTSMANAGER_EXECUTION_ID"] == execution_id
    # The script printed its secret: the captured copy shows it masked.
    assert json.loads(env["SCRIPTSMANAGER_PARAMETERS"]) == {
        "count": 3, "label": "x y", "fast": True, "tags": ["a", "c"], "token": "********",
    }  # fmt: skip
    assert len(env["SCRIPTSMANAGER_INTERFACE_TOKEN"]) >= 32
    assert env["SCRIPTSMANAGER_BASE_URL"] == ""
    assert Path(env["SCRIPTSMANAGER_LOGO"]).is_file()
    assert output_value(body, "CWD") == str(groups.root / "lab")
    assert body["error_output"].strip() == "to stderr"
    assert data_dir.is_dir()
    assert body["parameters"]["token"] == "********"
    for field in ("output", "error_output", "debug_output"):
        assert "s3cr3t" not in body[field]
    log_text = Path(
        client.get(f"/api/logs/execution/{execution_id}").get_json()["environment"]["data_dir"]
    )
    assert log_text.is_dir()
    download = client.get(f"/api/logs/execution/{execution_id}/download?format=txt")
    assert b"[stderr] to stderr" in download.data and b"s3cr3t" not in download.data


def test_exit_codes_and_stderr_make_a_failed_run(scripts):
    client, ids, _gid = scripts
    body = wait_done(client, run(client, ids["fail"]))
    assert body["status"] == "failed" and body["exit_code"] == 3
    assert body["error_output"].strip() == "bad"
    assert body["duration_seconds"] is not None and body["cpu_seconds"] is not None


@pytest.mark.parametrize(
    ("parameters", "field"),
    [
        ({}, "count"),
        ({"count": 0}, "count"),
        ({"count": 1, "tags": ["z"]}, "tags"),
        ({"count": 1, "nope": 1}, "nope"),
    ],
)
def test_invalid_parameters_are_400_naming_the_field(scripts, parameters, field):
    client, ids, _gid = scripts
    response = client.post(f"/api/scripts/{ids['echo']}/execute", {"parameters": parameters})
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field


def test_levels_below_the_script_are_refused(scripts, login, make_user):
    client, ids, _gid = scripts
    assert client.post(f"/api/scripts/{ids['admin_only']}/execute", {}).status_code == 403
    viewer = login(make_user(level="viewer"))
    assert (
        viewer.post(f"/api/scripts/{ids['echo']}/execute", {"parameters": {"count": 1}}).status_code
        == 403
    )
    assert client.post("/api/scripts/99999/execute", {}).status_code == 404


def test_the_time_limit_ends_the_run(scripts):
    client, ids, _gid = scripts
    body = wait_done(client, run(client, ids["sleepy"]))
    assert body["status"] == "terminated"
    assert "time limit of 1 s" in body["debug_output"]


def test_stop_ends_the_whole_tree_grandchild_included(scripts):
    client, ids, _gid = scripts
    execution_id = run(client, ids["tree"])

    def grandchild_pid() -> int | None:
        output = client.get(f"/api/logs/execution/{execution_id}").get_json()["output"]
        return int(output.split()[1]) if "grandchild" in output else None

    grandchild = wait_for(grandchild_pid, message="the script did not start its child")
    assert psutil.pid_exists(grandchild)
    stopped = client.post(f"/api/scripts/{ids['tree']}/stop", {"execution_id": execution_id})
    assert stopped.get_json()["status"] == "terminated"
    body = wait_done(client, execution_id)
    assert body["status"] == "terminated"
    assert not psutil.pid_exists(grandchild) or psutil.Process(grandchild).status() == "zombie"
    again = client.post(f"/api/scripts/{ids['tree']}/stop", {})
    assert again.status_code == 409


def test_ports_are_released_after_runs(scripts, services):
    client, ids, _gid = scripts
    wait_done(client, run(client, ids["fail"]))
    assert services.ports.in_use() == []
    services.db.remove()


def test_users_are_isolated(scripts, login, make_user, settings):
    client, ids, _gid = scripts
    execution_id = run(client, ids["echo"], {"count": 1})
    wait_done(client, execution_id)
    other = login(make_user("petra", level="operator"))
    assert other.get(f"/api/logs/execution/{execution_id}").status_code == 404
    assert other.get(f"/api/logs/execution/{execution_id}/download").status_code == 404
    assert other.delete(f"/api/logs/execution/{execution_id}").status_code == 404
    assert other.get("/api/logs/execution").get_json()["total"] == 0
    assert client.get("/api/logs/execution").get_json()["total"] == 1
    other_id = run(other, ids["echo"], {"count": 1})
    body = wait_done(other, other_id)
    assert "/petra/project_default" in output_value(body, "ARGV")


def test_runs_in_a_named_project_use_its_folder(scripts, settings, login):
    client, ids, gid = scripts
    created = client.post("/api/projects", {"project_name": "alpha", "group_id": gid})
    assert created.status_code == 201
    project_id = created.get_json()["project"]["id"]
    body = wait_done(client, run(client, ids["echo"], {"count": 1}, project_id=project_id))
    argv = json.loads(output_value(body, "ARGV"))
    assert argv[1].endswith("/lab/olga/alpha") and argv[9] == "alpha"
    listed = client.get(f"/api/logs/project/{project_id}").get_json()
    assert listed["total"] == 1


# The crash is simulated: the first manager's monitor still watches the child and races
# the restart's write, which SQLite's database lock puts in order.
@pytest.mark.sqlite_only
def test_restart_after_a_crash_settles_orphans(app, scripts, settings):
    from server.app import create_app, shutdown_app
    from server.models import ExecutionLog
    from server.services.registry import EXTENSION_KEY

    client, ids, _gid = scripts
    execution_id = run(client, ids["tree"])
    services = app.extensions[EXTENSION_KEY]
    record = services.db.session.query(ExecutionLog).filter_by(execution_uuid=execution_id).one()
    pid = record.pid
    services.db.remove()
    # Simulate a crash: the manager forgets its runs without ending them.
    services.executions._runs.clear()  # noqa: SLF001 - the crash under test
    record_env = dict(record.environment)
    record_env["manager"] = {"pid": 999999, "started": 1.0}  # a manager that no longer runs
    services.db.session.query(ExecutionLog).filter_by(id=record.id).update(
        {"environment": record_env}
    )
    services.db.session.commit()
    services.db.remove()
    assert psutil.pid_exists(pid)
    restarted = create_app(settings)
    try:
        body = client.get(f"/api/logs/execution/{execution_id}").get_json()
        assert body["status"] == "terminated"
        assert "manager stopped" in body["debug_output"]
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie"
    finally:
        shutdown_app(restarted)


def test_file_uploads_and_project_paths_reach_the_script(app, groups, login, make_user, settings):
    groups.group("files")
    header = """@parameters: [
  {"name": "table", "type": "file", "required": true},
  {"name": "folder", "type": "path"}
]"""
    code = (
        "import argparse, sys\nprint('ARGV=' + repr(sys.argv[15:]))\n"
        "parser = argparse.ArgumentParser()\nparser.add_argument('--table')\n"
        "print(open(parser.parse_known_args()[0].table).read())\n"
    )
    groups.script("files", "reader.py", header, code)
    rescan(app)
    client = login(make_user("fay", level="operator"))
    gid = client.get("/api/script-groups").get_json()["items"][0]["id"]
    sid = client.get(f"/api/script-groups/{gid}/scripts").get_json()["items"][0]["id"]
    project = client.get(f"/api/projects?group_id={gid}").get_json()["items"][0]["id"]
    client.post(f"/api/data/{gid}/{project}/inputs/a.json", {"x": 1})
    import io

    response = client.call(
        "POST",
        f"/api/scripts/{sid}/execute",
        data={
            "parameters": json.dumps({"folder": "inputs"}),
            "project_id": str(project),
            "table": (io.BytesIO(b"a;b\n1;2\n"), "../../evil name.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 202, response.get_json()
    body = wait_done(client, response.get_json()["execution_id"])
    folder = settings.base_data_path / "script_groups" / "files" / "fay" / "project_default"
    assert str(folder / "uploads" / "evil_name.csv") in body["output"]
    assert str(folder / "inputs") in body["output"]
    assert "a;b" in body["output"]
    escape = client.post(
        f"/api/scripts/{sid}/execute", {"parameters": {"folder": "../..", "table": "evil_name.csv"}}
    )
    assert escape.status_code == 400 and escape.get_json()["error"]["field"] == "folder"
    missing = client.post(f"/api/scripts/{sid}/execute", {"parameters": {"table": "nope.csv"}})
    assert missing.status_code == 400 and missing.get_json()["error"]["field"] == "table"


def test_a_large_log_is_read_from_the_end_in_parts(scripts):
    client, ids, _gid = scripts
    execution_id = run(client, ids["echo"], {"count": 1})
    wait_done(client, execution_id)
    detail = client.get(f"/api/logs/execution/{execution_id}").get_json()
    tail = client.get(f"/api/logs/execution/{execution_id}/content?length=120").get_json()
    assert tail["offset"] > 0 and tail["text"].rstrip().endswith(
        tail["text"].rstrip().splitlines()[-1]
    )
    assert "finished: completed" in tail["text"]
    head = client.get(f"/api/logs/execution/{execution_id}/content?offset=0&length=40").get_json()
    assert head["offset"] == 0 and head["text"].startswith("[debug] ScriptsManager run")
    assert head["size"] == tail["size"] > 0
    assert detail["status"] == "completed"
    assert client.get(f"/api/logs/execution/{execution_id}/content?length=0").status_code == 400
