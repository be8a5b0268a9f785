"""The admin console's API: all runs, audit, system logs, catalog views, settings, retention."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from server.app import create_app, shutdown_app
from server.models import ExecutionLog, utcnow
from server.services.audit import Actor
from server.services.registry import EXTENSION_KEY
from tests.api.test_catalog import rescan
from tests.api.test_runs import run, wait_done
from tests.support import JsonClient, make_settings

ENDPOINTS = (
    "GET /api/admin/scripts", "GET /api/admin/groups", "GET /api/admin/environments",
    "GET /api/admin/discovery", "POST /api/admin/discovery/scan", "GET /api/admin/documentation",
    "GET /api/admin/configuration", "GET /api/admin/retention", "PUT /api/admin/retention",
    "GET /api/admin/retention/preview", "GET /api/admin/logs/stats",
)  # fmt: skip


@dataclass
class Console:
    """An admin's and an operator's clients on a catalog with one finished run."""

    root: JsonClient
    uma: JsonClient
    uma_id: int
    ids: dict[str, int]
    execution_id: str


@pytest.fixture
def console(app, groups, login, make_user, admin) -> Console:
    lab = groups.group("lab")
    header = '@description: Says hello\n@parameters: [{"name": "who", "type": "string"}]'
    groups.script("lab", "hello.py", header, "import sys\nprint('hello', sys.argv[-1])\n")
    groups.script("lab", "shaky.py", "@required_level: wizard\n@parameters: [oops")
    (lab / "docs").mkdir()
    (lab / "docs" / "hello.md").write_text("# Hello\n", encoding="utf-8")
    (lab / "docs" / "hello_es.md").write_text("# Hola\n", encoding="utf-8")
    broken = groups.group("broken")
    (broken / "metadata.json").write_text("{not json", encoding="utf-8")
    rescan(app)
    user = make_user("uma", level="operator")
    uma = login(user)
    gid = next(
        g["id"] for g in uma.get("/api/script-groups").get_json()["items"] if g["folder"] == "lab"
    )
    scripts = uma.get(f"/api/script-groups/{gid}/scripts").get_json()["items"]
    ids = {s["filename"].removesuffix(".py"): s["id"] for s in scripts} | {"lab": gid}
    execution_id = wait_done(uma, run(uma, ids["hello"], {"who": "x"}))["execution_id"]
    return Console(login(admin), uma, user.id, ids, execution_id)


def field_of(response) -> str | None:
    return response.get_json()["error"].get("field")


def test_every_console_endpoint_refuses_non_admins(console):
    for endpoint in ENDPOINTS:
        method, path = endpoint.split(" ")
        response = console.uma.call(method, path, json={} if method != "GET" else None)
        assert response.status_code == 403, endpoint


def test_all_runs_name_user_and_project_and_filter_by_them(console, admin):
    root = console.root
    items = root.get("/api/admin/logs/execution").get_json()["items"]
    assert [(i["username"], i["project_name"]) for i in items] == [("uma", "project_default")]
    assert root.get(f"/api/admin/logs/execution?user_id={console.uma_id}").get_json()["total"] == 1
    assert root.get(f"/api/admin/logs/execution?user_id={admin.id}").get_json()["total"] == 0
    assert root.get("/api/admin/logs/execution?project=project_default").get_json()["total"] == 1
    assert root.get("/api/admin/logs/execution?project=other").get_json()["total"] == 0
    script = console.ids["hello"]
    query = f"/api/admin/logs/execution?script_id={script}&status=completed"
    assert root.get(query).get_json()["total"] == 1
    second = root.get("/api/admin/logs/execution?per_page=1&page=2").get_json()
    assert second["items"] == [] and second["total"] == 1 and second["page"] == 2
    assert root.get("/api/admin/logs/execution?user_id=999999").status_code == 404
    for bad, field in (
        ("user_id=me", "user_id"),
        ("status=lost", "status"),
        ("date_to=x", "date_to"),
    ):
        response = root.get(f"/api/admin/logs/execution?{bad}")
        assert response.status_code == 400 and field_of(response) == field


def test_audit_filters_by_actor_action_target_and_dates(console):
    root = console.root
    assert root.get("/api/admin/logs/audit?actor=uma&action=script.").get_json()["total"] == 1
    target = f"script:{console.ids['hello']}"
    hits = root.get(f"/api/admin/logs/audit?target={target}").get_json()["items"]
    assert hits and all(target in item["target"] for item in hits)
    assert root.get("/api/admin/logs/audit?actor=nobody").get_json()["total"] == 0
    today = date.today()
    tomorrow, yesterday = today + timedelta(days=1), today - timedelta(days=1)
    assert root.get(f"/api/admin/logs/audit?date_from={yesterday}").get_json()["total"] >= 1
    assert root.get(f"/api/admin/logs/audit?date_from={tomorrow}").get_json()["total"] == 0
    assert root.get(f"/api/admin/logs/audit?date_to={yesterday}").get_json()["total"] == 0
    page = root.get("/api/admin/logs/audit?per_page=1").get_json()
    assert len(page["items"]) == 1 and page["total"] >= 2
    response = root.get("/api/admin/logs/audit?date_from=31-12-2024")
    assert response.status_code == 400 and field_of(response) == "date_from"


def test_system_log_is_read_newest_first_by_level_text_and_page(console, services):
    lines = [
        "2025-01-01 10:00:00,000 INFO [t] zz-mark one",
        "2025-01-01 10:00:01,000 WARNING [t] zz-mark two",
        "Traceback (most recent call last):",
        "  zz-detail of two",
        "2025-01-01 10:00:02,000 ERROR [t] zz-mark three",
    ]
    with (services.layout.system_logs / "application.log").open("a", encoding="utf-8") as log:
        log.write("\n".join(lines) + "\n")
    root = console.root
    found = root.get("/api/admin/logs/system?q=ZZ-MARK").get_json()
    assert [item["level"] for item in found["items"]] == ["ERROR", "WARNING", "INFO"]
    assert found["items"][1]["text"].endswith("zz-detail of two")
    assert found["items"][1]["time"] == "2025-01-01 10:00:01,000"
    warned = root.get("/api/admin/logs/system?q=zz-mark&level=WARNING").get_json()
    assert [item["level"] for item in warned["items"]] == ["ERROR", "WARNING"]
    second = root.get("/api/admin/logs/system?q=zz-mark&per_page=1&page=2").get_json()
    assert second["total"] == 3 and "zz-mark two" in second["items"][0]["text"]
    access = root.get("/api/admin/logs/system?name=access").get_json()["items"]
    assert any("/api/scripts/" in item["text"] for item in access)
    for bad, field in (
        ("name=access&level=INFO", "level"),
        ("level=LOUD", "level"),
        ("name=x", "name"),
    ):
        response = root.get(f"/api/admin/logs/system?{bad}")
        assert response.status_code == 400 and field_of(response) == field


def test_permission_matrix_lists_scripts_and_a_change_goes_to_the_history(console):
    root = console.root
    listed = root.get("/api/admin/scripts").get_json()
    assert [i["filename"] for i in listed["items"]] == ["hello.py", "shaky.py"]
    hello = listed["items"][0]
    assert hello["required_level"] == "operator" and not hello["required_level_edited"]
    assert root.get("/api/admin/scripts?q=HEL").get_json()["total"] == 1
    assert root.get(f"/api/admin/scripts?group_id={console.ids['lab']}").get_json()["total"] == 2
    assert root.get("/api/admin/scripts?group_id=999").get_json()["total"] == 0
    script = console.ids["hello"]
    changed = root.put(f"/api/scripts/{script}/metadata", {"required_level": "developer"})
    assert changed.status_code == 200
    hello = root.get("/api/admin/scripts?q=hello").get_json()["items"][0]
    assert hello["required_level"] == "developer" and hello["required_level_edited"]
    history = root.get(f"/api/scripts/{script}/metadata/history").get_json()["items"]
    assert history[0]["field"] == "required_level" and history[0]["new_value"] == "developer"
    assert console.uma.get(f"/api/scripts/{script}").status_code == 404  # above an operator
    response = root.get("/api/admin/scripts?group_id=zero")
    assert response.status_code == 400 and field_of(response) == "group_id"


def test_groups_and_environments_are_listed_and_filtered(console):
    root = console.root
    groups = root.get("/api/admin/groups").get_json()
    assert sorted(g["folder"] for g in groups["items"]) == ["broken", "lab"]
    assert [g["folder"] for g in root.get("/api/admin/groups?q=LA").get_json()["items"]] == ["lab"]
    envs = root.get("/api/admin/environments").get_json()
    assert envs["items"][0]["kind"] == "manager" and envs["total"] == len(envs["items"])
    assert root.get("/api/admin/environments?kind=conda&q=nothing").get_json()["total"] == 0
    assigned = root.post(f"/api/script-groups/{console.ids['lab']}/conda", {"environment": None})
    assert assigned.status_code == 200
    lab = root.get("/api/admin/groups?q=lab").get_json()["items"][0]
    assert lab["environment_edited"] and lab["conda_environment"] is None
    response = root.get("/api/admin/environments?kind=docker")
    assert response.status_code == 400 and field_of(response) == "kind"


def test_discovery_reports_the_last_scan_its_problems_and_rescans(console):
    root = console.root
    body = root.get("/api/admin/discovery").get_json()
    assert body["last_scan"]["groups"] == 2 and body["last_scan"]["scripts"] == 2
    assert body["last_scan"]["problems"] == 2 and body["scanning"] is False
    kinds = {(item["kind"], item["path"]) for item in body["items"]}
    assert kinds == {("group", "broken"), ("script", "lab/shaky.py")}
    shaky = next(item for item in body["items"] if item["kind"] == "script")
    assert any("wizard" in warning for warning in shaky["warnings"])
    only = root.get("/api/admin/discovery?kind=group").get_json()["items"]
    assert [item["path"] for item in only] == ["broken"]
    before = body["last_scan"]["finished_at"]
    scanned = root.post("/api/admin/discovery/scan").get_json()["last_scan"]
    assert scanned["finished_at"] >= before and scanned["problems"] == 2
    assert root.get("/api/admin/logs/audit?action=catalog.rescan").get_json()["total"] == 1
    response = root.get("/api/admin/discovery?kind=folder")
    assert response.status_code == 400 and field_of(response) == "kind"


def test_documentation_status_per_language(console):
    root = console.root
    body = root.get("/api/admin/documentation").get_json()
    languages = {item["filename"]: item["languages"] for item in body["items"]}
    assert languages["hello.py"] == {"en": True, "es": True, "it": False, "fr": False}
    assert not any(languages["shaky.py"].values())
    assert body["coverage"] == {"en": 1, "es": 1, "it": 0, "fr": 0, "scripts": 2}
    missing = root.get("/api/admin/documentation?missing=es").get_json()
    assert [item["filename"] for item in missing["items"]] == ["shaky.py"]
    assert root.get("/api/admin/documentation?missing=it").get_json()["total"] == 2
    assert root.get("/api/admin/documentation?missing=it&per_page=1").get_json()["items"][0]
    response = root.get("/api/admin/documentation?missing=de")
    assert response.status_code == 400 and field_of(response) == "missing"


def test_configuration_shows_values_and_sources_but_never_secrets(console):
    response = console.root.get("/api/admin/configuration?per_page=200")
    rows = {row["name"]: row for row in response.get_json()["items"]}
    assert "test-secret-key" not in response.get_data(as_text=True)
    assert rows["secret_key"]["secret"] and rows["secret_key"]["value"] is None
    assert rows["max_tags_per_script"]["value"] == 20
    assert rows["max_tags_per_script"]["source"] == "default"
    assert rows["watch_script_groups"]["source"] == "override"  # the tests' own settings
    assert rows["port_range_start"]["env"] == "PORT_RANGE_START"
    filtered = console.root.get("/api/admin/configuration?q=retention_days").get_json()
    assert {row["env"] for row in filtered["items"]} >= {"LOG_RETENTION_DAYS_VIEWER"}
    assert console.root.get("/api/admin/configuration?per_page=0").status_code == 400


def age(services, execution_id: str, days: int) -> None:
    services.db.session.query(ExecutionLog).filter_by(execution_uuid=execution_id).update(
        {"start_time": utcnow() - timedelta(days=days)}
    )
    services.db.session.commit()
    services.db.remove()


def test_retention_previews_changes_days_and_cleans_up(console, services, settings):
    root = console.root
    age(services, console.execution_id, 31)
    overview = root.get("/api/admin/retention").get_json()
    assert overview["days"] == {"viewer": 7, "operator": 30, "developer": 90, "admin": 365}
    assert overview["locked"] == {} and overview["stats"]["total"] == 1
    preview = root.get("/api/admin/retention/preview").get_json()
    assert preview["levels"]["operator"]["runs"] == 1 and preview["bytes"] > 0
    assert [(u["username"], u["level"], u["runs"]) for u in preview["items"]] == [
        ("uma", "operator", 1)
    ]
    assert root.get("/api/admin/retention/preview?q=zed").get_json()["items"] == []
    assert root.put("/api/admin/retention", {"days": {"operator": 60}}).status_code == 200
    assert json.loads(settings.config_file.read_text())["logging"]["retention_days"] == {
        "operator": 60
    }
    assert root.get("/api/admin/retention/preview").get_json()["runs"] == 0
    rows = root.get("/api/admin/configuration?q=days_operator").get_json()["items"]
    assert (rows[0]["value"], rows[0]["source"]) == (60, "config.json")
    root.put("/api/admin/retention", {"days": {"operator": 30}})
    assert root.post("/api/logs/cleanup").get_json() == {"removed": 1}
    assert root.get("/api/admin/retention/preview").get_json()["runs"] == 0
    audit = root.get("/api/admin/logs/audit?action=settings.log_retention").get_json()
    assert audit["total"] == 2 and audit["items"][0]["details"] == {"days": {"operator": 30}}
    bad_days = ({}, {"operator": 0}, {"operator": 40000}, {"wizard": 5}, {"operator": "5"})
    for days in bad_days:
        assert root.put("/api/admin/retention", {"days": days}).status_code == 400, days
    assert root.put("/api/admin/retention", {}).status_code == 400


def test_retention_set_by_the_environment_cannot_be_changed_here(tmp_path, monkeypatch):
    monkeypatch.setenv("LOG_RETENTION_DAYS_ADMIN", "400")
    app = create_app(make_settings(tmp_path / "home", log_retention_days_admin=400))
    try:
        with app.app_context():
            svc = app.extensions[EXTENSION_KEY]
            svc.users.create(
                "root", "root@example.com", "Corr3ct-Horse-Battery", "admin", Actor.system()
            )
            svc.db.remove()
        client = JsonClient(app.test_client())
        client.post("/api/auth/login", {"username": "root", "password": "Corr3ct-Horse-Battery"})
        assert client.get("/api/admin/retention").get_json()["locked"] == {
            "admin": "LOG_RETENTION_DAYS_ADMIN"
        }
        response = client.put("/api/admin/retention", {"days": {"admin": 10}})
        assert response.status_code == 409 and "LOG_RETENTION_DAYS_ADMIN" in response.get_data(
            as_text=True
        )
        assert client.put("/api/admin/retention", {"days": {"viewer": 10}}).status_code == 200
    finally:
        shutdown_app(app)
