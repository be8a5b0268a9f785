"""Scheduled runs through the API: create, list, change and delete them; who may; what is
refused and why; a real firing within a minute; pausing and skipping with a reason; the
misfire policy of their jobs."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from server.app import create_app, shutdown_app
from server.models import AuditEvent
from server.services.registry import EXTENSION_KEY
from server.services.schedules.store import STORE, job_id
from tests.api.test_catalog import rescan
from tests.api.test_runs import run, wait_done
from tests.support import make_settings, wait_for

PARAMS = """@parameters: [
  {"name": "count", "type": "int", "required": true, "min": 1},
  {"name": "token", "type": "secret"},
  {"name": "folder", "type": "path"}
]"""
ECHO = "import os\nprint('SCHEDULED', os.environ.get('SCRIPTSMANAGER_PARAMETERS'))\n"
STRICTER = PARAMS.replace(
    '"min": 1}', '"min": 1},\n  {"name": "mode", "type": "string", "required": true}'
)


@pytest.fixture
def lab(app, groups, login, make_user, admin):
    """A group with a plain script, one with a file parameter and an admin-only one; an
    operator ``olga`` and an admin client."""
    groups.group("lab", required_level="operator")
    groups.script("lab", "echo.py", PARAMS, ECHO)
    groups.script("lab", "upload.py", '@parameters: [{"name": "table", "type": "file"}]', ECHO)
    groups.script("lab", "root_only.py", "@required_level: admin", ECHO)
    groups.group("other", required_level="operator")
    groups.script("other", "elsewhere.py", "", ECHO)
    rescan(app)
    olga_user = make_user("olga", level="operator")
    olga = login(olga_user)
    root = login(admin)
    ids = {}
    for group in root.get("/api/script-groups").get_json()["items"]:
        for script in root.get(f"/api/script-groups/{group['id']}/scripts").get_json()["items"]:
            ids[script["filename"].removesuffix(".py")] = script["id"]
            ids["group:" + group["folder"]] = group["id"]
    return olga, root, ids, olga_user


def new(client, script_id, cron="0 6 * * *", parameters=None, **extra):
    values = {"count": 2} if parameters is None else parameters
    body = {"script_id": script_id, "parameters": values, "cron": cron}
    return client.post("/api/schedules", {**body, **extra})


def created(client, script_id, **kwargs) -> dict:
    response = new(client, script_id, **kwargs)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def audit_actions(services, action: str) -> list[AuditEvent]:
    with services.db.job() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_create_list_change_and_delete(lab, services):
    olga, _root, ids, _ = lab
    body = created(olga, ids["echo"], timezone="Europe/Rome", parameters={"count": 3})
    assert body["script_id"] == ids["echo"] and body["script_name"]
    assert body["owner"] == "olga" and body["enabled"] is True
    assert body["cron"] == "0 6 * * *" and body["timezone"] == "Europe/Rome"
    assert body["parameters"] == {"count": 3} and body["paused_reason"] is None
    assert body["last_run"] is None and body["created_at"].endswith("Z")
    next_run = datetime.fromisoformat(body["next_run_at"])
    assert next_run.utcoffset() is not None and (next_run.hour, next_run.minute) == (6, 0)
    assert olga.get("/api/schedules").get_json()["items"] == [body]

    changed = olga.put(f"/api/schedules/{body['id']}", {"cron": "30 7 * * 1"}).get_json()
    assert changed["cron"] == "30 7 * * 1" and changed["parameters"] == {"count": 3}
    monday = datetime.fromisoformat(changed["next_run_at"])
    assert (monday.weekday(), monday.hour, monday.minute) == (0, 7, 30)  # crontab: 1 = Monday

    off = olga.put(f"/api/schedules/{body['id']}", {"enabled": False}).get_json()
    assert off["enabled"] is False and off["next_run_at"] is None
    assert services.schedules.job(body["id"]) is None
    on = olga.put(f"/api/schedules/{body['id']}", {"enabled": True}).get_json()
    assert on["next_run_at"] and services.schedules.job(body["id"]) is not None

    assert olga.delete(f"/api/schedules/{body['id']}").status_code == 200
    assert olga.get("/api/schedules").get_json()["items"] == []
    assert services.schedules.job(body["id"]) is None
    assert olga.delete(f"/api/schedules/{body['id']}").status_code == 404
    for action in ("schedules.create", "schedules.update", "schedules.delete"):
        assert audit_actions(services, action), action


def test_the_default_time_zone_is_the_servers(lab):
    olga, _root, ids, _ = lab
    from server.services.schedules.cron import local_zone

    assert created(olga, ids["echo"])["timezone"] == local_zone()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"cron": "* * * *"}, "cron"),
        ({"cron": "61 * * * *"}, "cron"),
        ({"cron": "@hourly"}, "cron"),
        ({"cron": "0 8 * * 8"}, "cron"),
        ({"cron": "x" * 101}, "cron"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"parameters": {}}, "count"),
        ({"parameters": {"count": 0}}, "count"),
        ({"parameters": {"count": 1, "nope": 1}}, "nope"),
        ({"parameters": {"count": 1, "folder": "../../outside"}}, "folder"),
        ({"parameters": "count=1"}, "parameters"),
        ({"enabled": "yes"}, "enabled"),
    ],
)
def test_invalid_schedules_are_refused_naming_the_field(lab, change, field):
    olga, _root, ids, _ = lab
    body = {"script_id": ids["echo"], "parameters": {"count": 1}, "cron": "0 6 * * *", **change}
    response = olga.post("/api/schedules", body)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["field"] == field
    assert olga.get("/api/schedules").get_json()["items"] == []


def test_file_parameters_cannot_be_scheduled(lab):
    olga, _root, ids, _ = lab
    response = new(olga, ids["upload"], parameters={"table": "x.csv"})
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "table"
    assert "cannot be scheduled" in response.get_json()["error"]["message"]


def test_projects_must_be_the_owners_and_of_the_scripts_group(lab, login, make_user):
    olga, _root, ids, _ = lab
    elsewhere = olga.post(
        "/api/projects", {"project_name": "far", "group_id": ids["group:other"]}
    ).get_json()["project"]
    response = new(olga, ids["echo"], project_id=elsewhere["id"])
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "project_id"
    mine = olga.post(
        "/api/projects", {"project_name": "near", "group_id": ids["group:lab"]}
    ).get_json()["project"]
    assert created(olga, ids["echo"], project_id=mine["id"])["project_id"] == mine["id"]
    other = login(make_user("pete", level="operator"))
    assert new(other, ids["echo"], project_id=mine["id"]).status_code == 404


def test_who_may_schedule_and_see_what(lab, login, make_user):
    olga, root, ids, _ = lab
    viewer = login(make_user("vera", level="viewer"))
    assert new(viewer, ids["echo"]).status_code == 403
    assert viewer.get("/api/schedules").get_json()["items"] == []
    assert new(olga, ids["root_only"]).status_code in (403, 404)
    assert new(olga, 999_999).status_code == 404
    mine = created(olga, ids["echo"])
    theirs = created(root, ids["root_only"], parameters={})
    pete = login(make_user("pete", level="operator"))
    assert pete.get("/api/schedules").get_json()["items"] == []
    assert pete.put(f"/api/schedules/{mine['id']}", {"enabled": False}).status_code == 404
    assert pete.delete(f"/api/schedules/{mine['id']}").status_code == 404
    assert [s["id"] for s in olga.get("/api/schedules").get_json()["items"]] == [mine["id"]]
    everyone = root.get("/api/schedules").get_json()["items"]
    assert {s["id"] for s in everyone} == {mine["id"], theirs["id"]}
    olga_id = next(u["id"] for u in root.get("/api/admin/users").get_json()["items"]
                   if u["username"] == "olga")  # fmt: skip
    only = root.get(f"/api/schedules?user_id={olga_id}").get_json()["items"]
    assert [s["id"] for s in only] == [mine["id"]]
    by_script = root.get(f"/api/schedules?script_id={ids['root_only']}").get_json()["items"]
    assert [s["id"] for s in by_script] == [theirs["id"]]
    # An admin may change and delete someone else's schedule.
    assert root.put(f"/api/schedules/{mine['id']}", {"cron": "5 6 * * *"}).status_code == 200
    assert root.delete(f"/api/schedules/{mine['id']}").status_code == 200


def test_secrets_are_masked(lab, services):
    olga, _root, ids, _ = lab
    body = created(olga, ids["echo"], parameters={"count": 1, "token": "s3cr3t-value"})
    assert body["parameters"]["token"] == "********"
    listed = olga.get("/api/schedules").get_json()["items"][0]
    assert "s3cr3t-value" not in str(listed)


def test_at_most_fifty_schedules_per_user(lab):
    olga, _root, ids, _ = lab
    for minute in range(50):
        created(olga, ids["echo"], cron=f"{minute} 6 * * *")
    response = new(olga, ids["echo"])
    assert response.status_code == 409
    assert "50" in response.get_json()["error"]["message"]


def test_a_schedule_fires_within_a_minute_in_the_owners_name(lab):
    olga, _root, ids, olga_user = lab
    schedule = created(olga, ids["echo"], cron="* * * * *", parameters={"count": 7})

    def scheduled_run():
        runs = olga.get(f"/api/logs/script/{ids['echo']}").get_json()["items"]
        return next((r for r in runs if r["trigger"] == "schedule"), None)

    found = wait_for(scheduled_run, timeout=75, message="no scheduled run", interval=0.5)
    assert found["schedule_id"] == schedule["id"] and found["user_id"] == olga_user.id
    done = wait_done(olga, found["execution_id"])
    assert done["status"] == "completed" and '"count": 7' in done["output"]
    listed = olga.get("/api/schedules").get_json()["items"][0]
    assert listed["last_run"]["execution_id"] == found["execution_id"]
    assert listed["enabled"] is True and listed["next_run_at"]
    manual = wait_done(olga, run(olga, ids["echo"], {"count": 1}))
    assert manual["trigger"] == "manual" and manual["schedule_id"] is None


def test_a_deactivated_owner_pauses_the_schedule_with_a_reason(lab, services):
    olga, root, ids, olga_user = lab
    schedule = created(olga, ids["echo"])
    assert root.put(f"/api/admin/users/{olga_user.id}", {"is_active": False}).status_code == 200
    services.schedules.fire(schedule["id"])
    seen = root.get("/api/schedules").get_json()["items"][0]
    assert seen["enabled"] is False and seen["next_run_at"] is None
    assert seen["paused_reason"] == "The owner's account olga is deactivated."
    spanish = root.get("/api/schedules?lang=es").get_json()["items"][0]["paused_reason"]
    assert spanish == "La cuenta del propietario, olga, está desactivada."
    assert services.schedules.job(schedule["id"]) is None
    paused = audit_actions(services, "schedules.paused")
    assert [event.target for event in paused] == [f"schedule:{schedule['id']}"]


def test_values_that_no_longer_validate_pause_until_fixed(lab, app, groups, services):
    olga, _root, ids, _ = lab
    schedule = created(olga, ids["echo"])
    groups.script("lab", "echo.py", STRICTER, ECHO)
    rescan(app)
    services.schedules.fire(schedule["id"])
    seen = olga.get("/api/schedules").get_json()["items"][0]
    assert seen["enabled"] is False
    assert seen["paused_reason"] == "The saved value of mode is no longer valid: edit the schedule."
    path = f"/api/schedules/{schedule['id']}"
    again = olga.put(path, {"enabled": True})
    assert again.status_code == 400 and again.get_json()["error"]["field"] == "mode"
    fixed = olga.put(path, {"enabled": True, "parameters": {"count": 2, "mode": "fast"}})
    assert fixed.status_code == 200, fixed.get_json()
    assert fixed.get_json()["enabled"] is True and fixed.get_json()["paused_reason"] is None
    assert services.schedules.job(schedule["id"]) is not None


def test_an_owner_below_the_scripts_level_pauses_it(lab, services):
    olga, root, ids, olga_user = lab
    schedule = created(olga, ids["echo"])
    root.put(f"/api/admin/users/{olga_user.id}", {"user_level": "viewer"})
    services.schedules.fire(schedule["id"])
    seen = root.get("/api/schedules").get_json()["items"][0]
    assert seen["enabled"] is False
    assert seen["paused_reason"] == (
        "The owner's level (viewer) is below the level the script needs (operator)."
    )


def test_a_full_quota_skips_the_occurrence_and_keeps_the_schedule(lab, services):
    olga, root, ids, olga_user = lab
    schedule = created(olga, ids["echo"])
    groups_root = services.layout.script_data
    (groups_root / "ballast.bin").parent.mkdir(parents=True, exist_ok=True)
    root.put(f"/api/admin/users/{olga_user.id}", {"storage_quota_mb": 1})
    big = services.layout.execution_logs / "olga" / "ballast.bin"
    big.parent.mkdir(parents=True, exist_ok=True)
    big.write_bytes(b"x" * (2 * 1024 * 1024))
    with services.db.job():
        services.quotas.forget_all()
    services.schedules.fire(schedule["id"])
    seen = olga.get("/api/schedules").get_json()["items"][0]
    assert seen["enabled"] is True and seen["paused_reason"] is None and seen["last_run"] is None
    skipped = audit_actions(services, "schedules.skipped")
    assert len(skipped) == 1 and "quota" in skipped[0].details["reason"]
    assert services.schedules.job(schedule["id"]) is not None


def test_a_deleted_schedule_fires_nothing(lab, services):
    olga, _root, ids, _ = lab
    schedule = created(olga, ids["echo"])
    olga.delete(f"/api/schedules/{schedule['id']}")
    services.schedules.fire(schedule["id"])  # a job that outlived its schedule
    assert olga.get(f"/api/logs/script/{ids['echo']}").get_json()["items"] == []


def test_jobs_follow_the_misfire_policy_of_the_setting(lab, services, tmp_path):
    olga, _root, ids, _ = lab
    schedule = created(olga, ids["echo"])
    job = services.schedules.job(schedule["id"])
    assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 300)
    # A second manager in the same process: its own scheduler, store and grace period.
    graceful = create_app(make_settings(tmp_path / "graceful", schedule_misfire_grace=42))
    try:
        other = graceful.extensions[EXTENSION_KEY]
        assert other.maintenance.jobs(STORE) == []
        with other.db.job():
            other.schedules.reconcile()
        assert other.schedules.grace == 42 and other.maintenance.jobs(STORE) == []
    finally:
        shutdown_app(graceful)
    assert services.schedules.job(schedule["id"]).misfire_grace_time == 300


def test_a_changed_grace_period_reaches_existing_jobs(lab, services):
    olga, _root, ids, _ = lab
    schedule = created(olga, ids["echo"])
    services.schedules.grace = 120  # as a restart with another SCHEDULE_MISFIRE_GRACE
    with services.db.job():
        services.schedules.reconcile()
    assert services.schedules.job(schedule["id"]).misfire_grace_time == 120


def test_start_up_reconciles_jobs_with_schedules(lab, services):
    olga, _root, ids, _ = lab
    kept = created(olga, ids["echo"])
    services.maintenance.drop(STORE, job_id(kept["id"]))  # as after a restore
    stray = services.maintenance.jobs(STORE)
    assert stray == []
    from server.services.schedules.cron import trigger
    from server.services.schedules.store import FIRE

    services.maintenance.put(STORE, job_id(9999), FIRE, (9999,), trigger("0 1 * * *", "UTC"), 5)
    with services.db.job():
        services.schedules.reconcile()
    assert [job.id for job in services.maintenance.jobs(STORE)] == [job_id(kept["id"])]
