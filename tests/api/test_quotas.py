"""Storage quotas: use measured from real files, notices at 80 % and 100 %, refusals past
the quota (507) with nothing lost, per-user overrides, the admin's data API, and /health's
conda and quota parts."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from server.app import create_app, shutdown_app
from server.models import AuditEvent
from server.services.quota.usage import UsageMeter
from tests.api.test_catalog import rescan
from tests.api.test_runs import wait_done
from tests.support import JsonClient, make_settings, wait_for

MIB = 1024 * 1024
# Writes --size bytes to out.bin in its data folder, once a file named "go" is there when
# --wait is true (so a test can look at the use while the run goes on).
WRITER_HEADER = '@parameters: [{"name": "size", "type": "int"}, {"name": "wait", "type": "bool"}]'
WRITER = """\
import argparse, os, time
parser = argparse.ArgumentParser()
parser.add_argument("--data-dir")
parser.add_argument("--size", type=int, default=0)
parser.add_argument("--wait", default="false")
args, _ = parser.parse_known_args()
go = os.path.join(args.data_dir, "go")
deadline = time.monotonic() + 120
while args.wait == "true" and not os.path.exists(go) and time.monotonic() < deadline:
    time.sleep(0.02)
with open(os.path.join(args.data_dir, "out.bin"), "wb") as handle:
    handle.write(b"x" * args.size)
print("wrote", args.size)
"""


@pytest.fixture
def settings(tmp_path):
    """Settings with a default quota of 1 MB for everyone."""
    return make_settings(tmp_path / "home", storage_quota_mb=1)


@dataclass
class Lab:
    """An operator with a group, a writer script and their default project."""

    client: JsonClient
    user_id: int
    group_id: int
    script_id: int
    project_id: int
    folder: Path  # the default project's data folder
    logs: Path  # the user's run-log folder


@pytest.fixture
def lab(app, groups, settings, login, make_user) -> Lab:
    groups.group("lab")
    groups.script("lab", "writer.py", WRITER_HEADER, WRITER)
    rescan(app)
    user = make_user("uma", level="operator")
    client = login(user)
    gid = client.get("/api/script-groups").get_json()["items"][0]["id"]
    sid = client.get(f"/api/script-groups/{gid}/scripts").get_json()["items"][0]["id"]
    project = client.get(f"/api/projects?group_id={gid}").get_json()["items"][0]
    data = settings.base_data_path
    folder = data / "script_groups" / "lab" / "uma" / project["project_name"]
    folder.mkdir(parents=True, exist_ok=True)
    logs = data / "logs" / "executions" / "uma"
    return Lab(client, user.id, gid, sid, project["id"], folder, logs)


def put(path: Path, size: int) -> Path:
    """Write a file of ``size`` bytes (and its folders)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\0" * size)
    return path


def quota(client: JsonClient) -> dict:
    response = client.get("/api/user/quota")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def events(services, action: str) -> int:
    """Return how many audit events of ``action`` exist."""
    with services.db.job() as session:
        return session.scalar(select(func.count()).where(AuditEvent.action == action))


def execute(lab: Lab, **parameters):
    return lab.client.post(f"/api/scripts/{lab.script_id}/execute", {"parameters": parameters})


def write_json(lab: Lab, name: str, document) -> object:
    return lab.client.post(f"/api/data/{lab.group_id}/{lab.project_id}/{name}", document)


def test_usage_counts_the_users_data_folders_and_run_logs(lab, settings, tmp_path, make_user):
    put(lab.folder / "a.bin", 300_000)
    put(lab.folder.parent / "beta" / "deep" / "b.bin", 100_000)
    put(settings.base_data_path / "script_groups" / "other" / "uma" / "p" / "c.bin", 20_000)
    put(lab.logs / "2026-01-01" / "execution_x.log", 50_000)
    put(settings.base_data_path / "script_groups" / "lab" / "uma2" / "p" / "x.bin", 400_000)
    put(settings.base_data_path / "logs" / "executions" / "uma2" / "d" / "y.log", 400_000)
    outside = put(tmp_path / "outside.bin", 5 * MIB)
    (lab.folder / "link.bin").symlink_to(outside)  # a link takes no space of its own

    status = quota(lab.client)
    assert status == {
        "used_bytes": 470_000,
        "quota_bytes": MIB,
        "percent": round(100 * 470_000 / MIB, 1),
        "state": "ok",
    }


def test_the_80_and_100_percent_crossings_are_audited_once(lab, services, settings):
    assert write_json(lab, "a.json", {"blob": "x" * 860_000}).status_code == 201
    assert quota(lab.client)["state"] == "warning"
    for _ in range(3):
        quota(lab.client)
        page = lab.client.raw.get("/").get_data(as_text=True)
        assert 'id="sm-storage-notice"' in page and 'data-state="warning"' in page
    assert events(services, "quota.warning") == 1

    assert write_json(lab, "b.json", {"blob": "x" * 200_000}).status_code == 201
    assert quota(lab.client)["state"] == "full"
    lab.client.raw.get("/account")
    with services.db.job():
        services.quotas.sweep()
    assert events(services, "quota.full") == 1
    assert 'data-state="full"' in lab.client.raw.get("/logs").get_data(as_text=True)

    assert lab.client.delete(f"/api/data/{lab.group_id}/{lab.project_id}/b.json").status_code == 200
    assert quota(lab.client)["state"] == "warning"  # going down is no new crossing
    assert lab.client.delete(f"/api/data/{lab.group_id}/{lab.project_id}/a.json").status_code == 200
    assert quota(lab.client)["state"] == "ok"
    assert "sm-storage-notice" not in lab.client.raw.get("/").get_data(as_text=True)
    assert events(services, "quota.warning") == 1 and events(services, "quota.full") == 1

    put(lab.folder / "again.bin", 900_000)  # a script's write: seen by the periodic check
    with services.db.job():
        services.quotas.forget_all()
        services.quotas.sweep()
    assert events(services, "quota.warning") == 2  # a new crossing


def test_past_the_quota_runs_and_writes_are_refused_and_nothing_is_lost(lab):
    big = put(lab.folder / "big.bin", MIB + 1)
    files = f"/api/data/{lab.group_id}/{lab.project_id}"

    refused = execute(lab, size=1)
    assert refused.status_code == 507
    error = refused.get_json()["error"]
    assert error["code"] == "quota_exceeded" and "quota" in error["message"]
    assert lab.client.get("/api/logs/execution").get_json()["total"] == 0
    assert write_json(lab, "note.json", {"a": 1}).status_code == 507
    assert not (lab.folder / "note.json").exists()
    assert lab.client.post(f"{files}/backup").status_code == 507

    listed = lab.client.get(f"{files}/files").get_json()["items"]
    assert [item["name"] for item in listed] == ["big.bin"]
    assert len(lab.client.get(f"{files}/big.bin").get_data()) == MIB + 1
    assert big.stat().st_size == MIB + 1
    assert quota(lab.client)["state"] == "full"

    assert lab.client.delete(f"{files}/big.bin").status_code == 200
    assert quota(lab.client)["state"] == "ok"
    started = execute(lab, size=1000)
    assert started.status_code == 202
    assert wait_done(lab.client, started.get_json()["execution_id"])["status"] == "completed"
    assert (lab.folder / "out.bin").stat().st_size == 1000


def test_space_freed_outside_the_app_lifts_the_block_at_once(lab):
    big = put(lab.folder / "big.bin", 2 * MIB)
    assert execute(lab, size=1).status_code == 507
    big.unlink()  # a refusal is measured afresh, whatever the cache holds
    started = execute(lab, size=1)
    assert started.status_code == 202
    wait_done(lab.client, started.get_json()["execution_id"])


def test_a_finished_run_counts_at_once(lab):
    before = quota(lab.client)["used_bytes"]
    started = execute(lab, size=300_000, wait=True)
    assert started.status_code == 202
    execution_id = started.get_json()["execution_id"]
    assert quota(lab.client)["used_bytes"] < before + 300_000  # measured while it waits
    (lab.folder / "go").touch()
    wait_done(lab.client, execution_id)
    assert quota(lab.client)["used_bytes"] >= before + 300_000


def test_the_users_own_quota_beats_the_default(lab, admin, login):
    put(lab.folder / "big.bin", 3 * MIB // 2)
    boss = login(admin)
    user_url = f"/api/admin/users/{lab.user_id}"
    assert quota(lab.client)["state"] == "full"

    changed = boss.put(user_url, {"storage_quota_mb": 2})
    assert changed.get_json()["user"]["storage_quota_mb"] == 2
    assert quota(lab.client) == {
        "used_bytes": 3 * MIB // 2, "quota_bytes": 2 * MIB, "percent": 75.0, "state": "ok",
    }  # fmt: skip
    assert execute(lab, size=1).status_code == 202

    boss.put(user_url, {"storage_quota_mb": 0})
    assert quota(lab.client)["quota_bytes"] is None and quota(lab.client)["percent"] is None
    boss.put(user_url, {"email": "uma@example.org"})  # other changes keep the quota
    assert boss.get(user_url).get_json()["user"]["storage_quota_mb"] == 0

    back = boss.put(user_url, {"storage_quota_mb": None})
    assert back.get_json()["user"]["storage_quota_mb"] is None
    assert quota(lab.client)["quota_bytes"] == MIB
    assert execute(lab, size=1).status_code == 507
    usage = boss.get("/api/admin/data/usage?user=uma").get_json()
    assert usage["default_quota_mb"] == 1
    assert [(i["username"], i["state"]) for i in usage["items"]] == [("uma", "full")]


@pytest.mark.parametrize("value", [-1, 1.5, "10", True, [], {"mb": 1}, 100 * 1024 * 1024 + 1])
def test_bad_quota_values_are_refused(lab, admin, login, value):
    response = login(admin).put(f"/api/admin/users/{lab.user_id}", {"storage_quota_mb": value})
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "storage_quota_mb"


def test_the_admin_data_api_lists_users_and_projects(lab, admin, login, make_user, settings):
    put(lab.folder / "a.bin", 200_000)
    put(lab.folder.parent / "beta" / "b.bin", 500_000)
    put(lab.logs / "d" / "run.log", 10_000)
    make_user("zed", level="viewer")
    boss = login(admin)

    usage = boss.get("/api/admin/data/usage?per_page=2").get_json()
    assert (usage["total"], usage["page"], usage["per_page"]) == (3, 1, 2)
    assert [item["username"] for item in usage["items"]] == ["admin0", "uma"]
    uma = usage["items"][1]
    assert (uma["data_bytes"], uma["log_bytes"], uma["used_bytes"]) == (700_000, 10_000, 710_000)
    assert (uma["projects"], uma["quota_bytes"], uma["complete"]) == (2, MIB, True)
    assert uma["state"] == "ok" and uma["storage_quota_mb"] is None

    projects = boss.get("/api/admin/data/projects?user=UM").get_json()
    rows = [(p["username"], p["group"], p["project"], p["bytes"]) for p in projects["items"]]
    assert rows == [("uma", "lab", "beta", 500_000), ("uma", "lab", lab.folder.name, 200_000)]
    assert boss.get("/api/admin/data/projects?user=nobody").get_json()["total"] == 0

    for bad in ("user=../x", "user=" + "a" * 51, "page=0", "per_page=500"):
        assert boss.get(f"/api/admin/data/usage?{bad}").status_code == 400, bad
        assert boss.get(f"/api/admin/data/projects?{bad}").status_code == 400, bad

    reset = boss.post(f"/api/admin/users/{lab.user_id}/reset-data")
    assert reset.status_code == 200
    after = boss.get("/api/admin/data/usage?user=uma").get_json()["items"][0]
    assert (after["data_bytes"], after["log_bytes"]) == (0, 10_000)  # run logs are kept


def test_only_admins_reach_the_admin_data_endpoints(lab, make_user, login, client):
    for level in ("viewer", "operator", "developer"):
        other = login(make_user(level=level))
        assert other.get("/api/admin/data/usage").status_code == 403
        assert other.get("/api/admin/data/projects").status_code == 403
        change = other.put(f"/api/admin/users/{lab.user_id}", {"storage_quota_mb": 5})
        assert change.status_code == 403
        assert other.raw.get("/admin/data").status_code == 403
        assert other.get("/api/user/quota").status_code == 200
    assert client.get("/api/user/quota").status_code == 401
    assert client.get("/api/admin/data/usage").status_code == 401


def test_measurements_are_reused_until_forgotten_or_old(tmp_path):
    now = [0.0]
    meter = UsageMeter(tmp_path / "data", tmp_path / "logs", lifetime=30, clock=lambda: now[0])
    put(tmp_path / "data" / "g" / "ann" / "p" / "a.bin", 100)
    assert meter.usage("ann").total == 100
    put(tmp_path / "logs" / "ann" / "d" / "x.log", 50)
    assert meter.usage("ann").total == 100  # within its lifetime: no walk
    meter.forget("ann")
    assert meter.usage("ann").total == 150
    put(tmp_path / "data" / "g" / "ann" / "loose.txt", 7)
    now[0] = 31.0
    usage = meter.usage("ann")
    assert (usage.data_bytes, usage.log_bytes, usage.total) == (107, 50, 157)
    assert [(p.group, p.project, p.bytes) for p in usage.projects] == [("g", "p", 100)]


# -- /health ----------------------------------------------------------------------------


def test_health_counts_users_at_warning_and_full(lab, admin, login, make_user, settings):
    data = settings.base_data_path
    put(lab.folder / "a.bin", 900_000)
    put(data / "script_groups" / "lab" / "full1" / "p" / "a.bin", MIB)
    make_user("full1")
    login(admin).get("/api/admin/data/usage")  # measures every listed user
    health = lab.client.get("/health").get_json()
    assert health["quotas"] == {"warning": 1, "full": 1, "default_mb": 1}
    assert health["status"] == "healthy"  # a full user is no fault of the manager


def test_health_is_degraded_when_the_use_cannot_be_measured(lab, settings):
    root = settings.base_data_path / "script_groups"
    root.rename(root.with_name("moved"))
    root.write_text("not a folder")
    quota(lab.client)
    health = lab.client.get("/health").get_json()
    assert health["status"] == "degraded"
    assert any("could not be measured" in reason for reason in health["reasons"])


def fake_conda(folder: Path, envs: list[Path] | None) -> Path:
    """Write a ``conda`` that lists ``envs`` (real venvs), or fails to list when None."""
    folder.mkdir(parents=True, exist_ok=True)
    listing = (
        f"cat <<'JSON'\n{json.dumps({'envs': [str(p) for p in envs]})}\nJSON\nexit 0"
        if envs is not None
        else "echo 'CondaError: broken' >&2; exit 1"
    )
    conda = folder / "conda"
    conda.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "--version" ]; then echo "conda 24.9.2"; exit 0; fi\n'
        f'if [ "$1 $2 $3" = "env list --json" ]; then {listing}; fi\n'
        "echo unsupported >&2; exit 2\n"
    )
    conda.chmod(conda.stat().st_mode | stat.S_IEXEC)
    return conda


@pytest.fixture(scope="module")
def venvs(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("miniconda")
    prefixes = [root / "base", root / "base" / "envs" / "analysis"]
    for prefix in prefixes:
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(prefix)], check=True)
    return prefixes


@pytest.fixture
def conda_app(tmp_path, monkeypatch):
    """Build an app that detects conda at start, with CONDA_EXE set as a user's shell has it."""
    built = []

    def build(conda: Path):
        monkeypatch.setenv("CONDA_EXE", str(conda))
        settings = make_settings(tmp_path / f"home{len(built)}", conda_auto_detect=True)
        application = create_app(settings)
        built.append(application)
        return JsonClient(application.test_client())

    yield build
    for application in built:
        shutdown_app(application)


def test_health_reports_what_conda_detection_found(conda_app, venvs, tmp_path):
    conda = fake_conda(tmp_path / "bin", venvs)
    client = conda_app(conda)
    # Detection runs in the background: conda is found first, its environments come after.
    health = wait_for(
        lambda: (h := client.get("/health").get_json())["conda"]["environments"] and h
    )
    assert health["conda"] == {"found": True, "executable": str(conda), "environments": 2}
    assert health["status"] == "healthy"


def test_health_is_degraded_when_conda_cannot_list_its_environments(conda_app, tmp_path):
    client = conda_app(fake_conda(tmp_path / "bin", None))
    # Detection runs in the background: conda is found first, its failure noted after.
    health = wait_for(lambda: (h := client.get("/health").get_json())["status"] == "degraded" and h)
    assert health["conda"]["found"] is True
    assert health["conda"]["environments"] == 0
    assert any("conda" in reason for reason in health["reasons"])


def test_health_without_conda_is_healthy(client):
    health = client.get("/health").get_json()
    assert health["conda"] == {"found": False, "executable": None, "environments": 0}
    assert health["status"] == "healthy" and "reasons" not in health
