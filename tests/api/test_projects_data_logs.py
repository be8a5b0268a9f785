"""Projects, project data files (with traversal attempts), and the run history API."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from tests.api.test_catalog import rescan
from tests.api.test_runs import run, wait_done
from tests.support import wait_for

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
def lab(app, groups, login, make_user):
    groups.group("lab")
    header = '@parameters: [{"name": "who", "type": "string"}]'
    code = (
        "import sys\nprint('hello', sys.argv[-1].partition('=')[2])\n"
        "print('warn', file=sys.stderr)\n"
    )
    groups.script("lab", "hello.py", header, code)
    shutil.copy(FIXTURES / "spec_template.py", groups.root / "lab" / "spec_template.py")
    rescan(app)
    client = login(make_user("uma", level="operator"))
    gid = client.get("/api/script-groups").get_json()["items"][0]["id"]
    scripts = client.get(f"/api/script-groups/{gid}/scripts").get_json()["items"]
    ids = {s["filename"].removesuffix(".py"): s["id"] for s in scripts}
    return client, gid, ids


def test_projects_default_create_rename_delete_and_limits(lab, settings, app):
    client, gid, _ids = lab
    listed = client.get(f"/api/projects?group_id={gid}").get_json()["items"]
    assert [p["project_name"] for p in listed] == ["project_default"]
    for bad in ("../evil", "a/b", "", ".hidden", "con", "x" * 101):
        response = client.post("/api/projects", {"project_name": bad, "group_id": gid})
        assert response.status_code == 400, bad
    created = client.post("/api/projects", {"project_name": "beta", "group_id": gid})
    project = created.get_json()["project"]
    assert (
        client.post("/api/projects", {"project_name": "BETA", "group_id": gid}).status_code == 409
    )
    folder = settings.base_data_path / "script_groups" / "lab" / "uma"
    client.post(f"/api/data/{gid}/{project['id']}/notes.json", {"a": 1})
    renamed = client.put(f"/api/projects/{project['id']}", {"project_name": "gamma"})
    assert renamed.get_json()["project"]["project_name"] == "gamma"
    assert (folder / "gamma" / "notes.json").is_file() and not (folder / "beta").exists()
    assert client.post(f"/api/projects/{project['id']}/set-active").status_code == 200
    active = client.get(f"/api/projects/active?group_id={gid}").get_json()["project"]
    assert active["project_name"] == "gamma"
    default_id = listed[0]["id"]
    assert client.delete(f"/api/projects/{default_id}").status_code == 409
    assert client.delete(f"/api/projects/{project['id']}").status_code == 200
    assert not (folder / "gamma").exists()


def test_max_projects_per_user_is_409(tmp_path, groups, login, make_user):
    from server.app import create_app, shutdown_app
    from tests.support import JsonClient, make_settings

    settings = make_settings(tmp_path / "limited", max_projects_per_user=2)
    writer_root = settings.script_groups_path
    shutil.copytree(groups.root, writer_root, dirs_exist_ok=True)
    (writer_root / "lab").mkdir(exist_ok=True)
    (writer_root / "lab" / "metadata.json").write_text('{"name": "Lab"}')
    app = create_app(settings)
    try:
        from server.services.audit import Actor
        from server.services.registry import EXTENSION_KEY

        svc = app.extensions[EXTENSION_KEY]
        svc.users.create("lim", "lim@example.com", "L1mited-Password", "operator", Actor.system())
        svc.db.remove()
        client = JsonClient(app.test_client())
        client.post("/api/auth/login", {"username": "lim", "password": "L1mited-Password"})
        gid = client.get("/api/script-groups").get_json()["items"][0]["id"]
        client.get(f"/api/projects?group_id={gid}")  # creates project_default (1 of 2)
        assert (
            client.post("/api/projects", {"project_name": "one", "group_id": gid}).status_code
            == 201
        )
        third = client.post("/api/projects", {"project_name": "two", "group_id": gid})
        assert third.status_code == 409
    finally:
        shutdown_app(app)


def test_data_files_and_traversal_attempts(lab, settings, login, make_user):
    client, gid, _ids = lab
    project = client.get(f"/api/projects?group_id={gid}").get_json()["items"][0]["id"]
    base = f"/api/data/{gid}/{project}"
    assert client.post(f"{base}/config.json", {"threshold": 3}).status_code == 201
    assert client.get(f"{base}/config.json").get_json() == {"threshold": 3}
    assert [f["name"] for f in client.get(f"{base}/files").get_json()["items"]] == ["config.json"]
    folder = settings.base_data_path / "script_groups" / "lab" / "uma" / "project_default"
    outside = settings.base_data_path / "secret.json"
    outside.write_text('{"secret": true}')
    (folder / "link.json").symlink_to(outside)
    for path in ("..%2F..%2Fsecret.json", "../../secret.json", "%2e%2e/secret.json",
                 "link.json", "sub/../../x.json", "..\\secret.json", "%00.json"):  # fmt: skip
        read = client.get(f"{base}/{path}")
        assert read.status_code in (400, 404), path
        written = client.post(f"{base}/{path}", {"x": 1})
        assert written.status_code in (400, 404, 405), path
    assert json.loads(outside.read_text()) == {"secret": True}
    assert client.post(f"{base}/notes.txt", {"x": 1}).status_code == 400
    bad_json = client.call(
        "POST", f"{base}/bad.json", data="{oops", content_type="application/json"
    )
    assert bad_json.status_code == 400 and not (folder / "bad.json").exists()
    backup = client.post(f"{base}/backup").get_json()["backup"]
    assert backup.startswith("uma_project_default_") and backup.endswith(".zip")
    with zipfile.ZipFile(settings.base_data_path / "backups" / backup) as archive:
        assert "config.json" in archive.namelist() and "link.json" not in archive.namelist()
    assert client.delete(f"{base}/config.json").status_code == 200
    assert client.get(f"{base}/config.json").status_code == 404
    other = login(make_user("vic", level="operator"))
    assert other.get(f"{base}/files").status_code == 404
    assert other.post(f"{base}/x.json", {"x": 1}).status_code == 404


def test_run_history_filters_search_exports_and_deletion(lab):
    client, _gid, ids = lab
    first = wait_done(client, run(client, ids["hello"], {"who": "zebra"}))
    second = wait_done(client, run(client, ids["hello"], {"who": "yak"}))
    listing = client.get("/api/logs/execution?per_page=1").get_json()
    assert listing["total"] == 2 and listing["items"][0]["execution_id"] == second["execution_id"]
    oldest = client.get("/api/logs/execution?order=asc").get_json()["items"][0]
    assert oldest["execution_id"] == first["execution_id"]
    found = client.get("/api/logs/search?q=zebra").get_json()["items"]
    assert [item["execution_id"] for item in found] == [first["execution_id"]]
    assert client.get("/api/logs/search?q=warn").get_json()["total"] == 2
    assert client.get("/api/logs/execution?status=failed").get_json()["total"] == 0
    assert client.get("/api/logs/execution?status=bogus").status_code == 400
    assert client.get("/api/logs/execution?date_from=2001-13-01").status_code == 400
    assert client.get(f"/api/logs/script/{ids['hello']}").get_json()["total"] == 2
    as_json = client.get(f"/api/logs/execution/{first['execution_id']}/download?format=json")
    assert json.loads(as_json.data)["output"].strip() == "hello zebra"
    as_csv = client.get(f"/api/logs/execution/{first['execution_id']}/download?format=csv")
    assert b"hello zebra" in as_csv.data and as_csv.data.startswith(b"execution_id,")
    as_pdf = client.get(f"/api/logs/execution/{first['execution_id']}/download?format=pdf")
    assert as_pdf.status_code == 200 and as_pdf.data.startswith(b"%PDF-")
    assert (
        client.get(f"/api/logs/execution/{first['execution_id']}/download?format=doc").status_code
        == 400
    )
    tail = client.get(f"/api/logs/execution/{first['execution_id']}/content?length=200").get_json()
    assert "hello zebra" in tail["text"] and tail["size"] > 0
    stats = client.get("/api/logs/stats").get_json()
    assert stats["total"] == 2 and stats["success_rate"] == 1.0
    assert client.delete(f"/api/logs/execution/{first['execution_id']}").status_code == 200
    assert client.get(f"/api/logs/execution/{first['execution_id']}").status_code == 404
    assert client.get("/api/logs/search?q=zebra").get_json()["total"] == 0


def test_retention_cleanup_by_level(lab, services, login, admin):
    from server.models import ExecutionLog, utcnow

    client, _gid, ids = lab
    execution_id = wait_done(client, run(client, ids["hello"], {"who": "old"}))["execution_id"]
    kept = wait_done(client, run(client, ids["hello"], {"who": "new"}))["execution_id"]
    services.db.session.query(ExecutionLog).filter_by(execution_uuid=execution_id).update(
        {"start_time": utcnow() - timedelta(days=31)}
    )
    services.db.session.commit()
    services.db.remove()
    assert client.post("/api/logs/cleanup").status_code == 403
    assert login(admin).post("/api/logs/cleanup").get_json() == {"removed": 1}
    remaining = [
        item["execution_id"] for item in client.get("/api/logs/execution").get_json()["items"]
    ]
    assert remaining == [kept]


def test_admin_log_endpoints(lab, login, admin):
    client, _gid, ids = lab
    wait_done(client, run(client, ids["hello"], {"who": "x"}))
    root = login(admin)
    assert root.get("/api/admin/logs/execution").get_json()["total"] == 1
    user_id = client.get("/api/auth/user").get_json()["user"]["id"]
    assert root.get(f"/api/admin/logs/user/{user_id}").get_json()["total"] == 1
    system = root.get("/api/admin/logs/system?name=access").get_json()["items"]
    assert any("/api/scripts/" in record["text"] for record in system)
    audit = root.get("/api/admin/logs/audit?action=script.execute").get_json()
    assert audit["total"] == 1 and audit["items"][0]["username"] == "uma"
    exported = root.post("/api/admin/logs/export", {"format": "csv"})
    assert b"hello x" in exported.data
    assert root.delete(f"/api/admin/logs/user/{user_id}").get_json() == {"removed": 1}
    assert client.get("/api/admin/logs/execution").status_code == 403


def test_the_specification_template_receives_the_seven_arguments(lab):
    client, _gid, ids = lab
    execution_id = run(client, ids["spec_template"])
    started = "Starting SIDEL script for project: project_default"

    def session():
        items = client.get(f"/api/scripts/{ids['spec_template']}/interface-status").get_json()
        return next((s for s in items["items"] if s["status"] == "ready"), None)

    ready = wait_for(session, 120)

    def announced():
        body = client.get(f"/api/logs/execution/{execution_id}").get_json()
        return body if started in body["output"] else None

    body = wait_for(announced)
    assert "(Theme: light, Language: en)" in body["output"], body
    import urllib.error
    import urllib.request

    direct = f"http://127.0.0.1:{ready['port']}/api/project-info"
    with pytest.raises(urllib.error.HTTPError) as refused:  # no token: another local user
        urllib.request.urlopen(direct, timeout=30)
    assert refused.value.code == 403
    refused.value.close()
    reply = client.get(f"/interfaces/{ready['session_id']}/app/api/project-info")
    info = reply.get_json()  # through the proxy, which presents the token
    assert info["project_name"] == "project_default" and info["user_level"] == "operator"
    client.post(f"/api/scripts/{ids['spec_template']}/stop", {"execution_id": execution_id})
    assert wait_done(client, execution_id)["status"] == "terminated"
