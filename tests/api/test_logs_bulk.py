"""Bulk export and delete of runs: by ids and by filter, across users, with admins."""

from __future__ import annotations

import csv
import io
import json
import shutil
import uuid
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from server.models import ExecutionLog
from tests.api.run_history import (
    failing,
    hello,
    listed,
    log_file,
    sleeping,
    stop,
    write_lab,
)


@pytest.fixture
def people(app, groups, login, make_user):
    """Two operators, uma and vic, logged in, and the lab scripts."""
    write_lab(app, groups)
    uma, vic = make_user("uma"), make_user("vic")
    return login(uma), login(vic), uma, vic


def bulk(client, **body):
    return client.post("/api/logs/bulk", body)


def test_a_user_deletes_only_own_finished_runs(people, login, admin):
    uma, vic, *_ = people
    mine, kept = hello(uma, "ann"), hello(uma, "bob")
    theirs = hello(vic, "cid")
    busy = sleeping(uma)
    try:
        answer = bulk(uma, action="delete", execution_ids=[mine, theirs, busy, "no-such-run"])
        assert answer.status_code == 200
        assert answer.get_json() == {
            "action": "delete", "done": 1, "skipped": 3, "running": 1, "truncated": False,
        }  # fmt: skip
        assert uma.get(f"/api/logs/execution/{mine}").status_code == 404
        assert listed(uma) == [busy, kept]
        assert listed(vic) == [theirs]  # another user's run is never touched
    finally:
        stop(uma, busy)
    events = login(admin).get("/api/admin/logs/audit?action=log.delete").get_json()["items"]
    assert [(e["username"], e["target"], e["scope"]) for e in events] == [
        ("uma", f"execution:{mine}", "user")
    ]


def test_an_admin_deletes_both_users_runs_and_is_audited(people, login, admin):
    uma, vic, uma_user, vic_user = people
    first, second = hello(uma, "ann"), hello(vic, "bob")
    root = login(admin)
    answer = bulk(root, action="delete", execution_ids=[first, second]).get_json()
    assert (answer["done"], answer["skipped"]) == (2, 0)
    assert listed(uma) == [] and listed(vic) == []
    events = root.get("/api/admin/logs/audit?action=log.bulk_delete").get_json()["items"]
    assert len(events) == 1 and events[0]["scope"] == "admin"
    details = events[0]["details"]
    assert details["count"] == 2 and sorted(details["execution_ids"]) == sorted([first, second])
    assert details["owner_ids"] == sorted([uma_user.id, vic_user.id])


def test_delete_by_filter(people, login, admin, make_user):
    uma, vic, _uma_user, vic_user = people
    zebra, yak = hello(uma, "zebra"), hello(uma, "yak")
    broken = failing(uma)
    theirs = hello(vic, "zebra")
    answer = bulk(uma, action="delete", filter={"q": "zebra"}).get_json()
    assert (answer["done"], answer["skipped"]) == (1, 0)
    assert listed(uma) == [broken, yak] and listed(vic) == [theirs]
    answer = bulk(uma, action="delete", filter={"status": "failed", "script_id": 10**6})
    assert answer.get_json()["done"] == 0
    assert bulk(uma, action="delete", filter={"status": "failed"}).get_json()["done"] == 1
    assert uma.get(f"/api/logs/execution/{zebra}").status_code == 404
    refused = bulk(uma, action="delete", filter={"user_id": vic_user.id})
    assert refused.status_code == 400 and refused.get_json()["error"]["field"] == "user_id"
    root = login(admin)
    assert bulk(root, action="delete", filter={"user_id": 999_999}).status_code == 404
    answer = bulk(root, action="delete", filter={"user_id": vic_user.id, "q": "zebra"})
    assert answer.get_json()["done"] == 1 and listed(vic) == [] and listed(uma) == [yak]
    assert bulk(root, action="delete", filter={"user_id": "all"}).get_json()["done"] == 1
    assert listed(uma) == []


def test_bad_requests_name_the_field(people):
    uma, *_ = people
    cases = [
        ({"action": "delete"}, "execution_ids"),
        ({"action": "delete", "execution_ids": ["a"], "filter": {}}, "execution_ids"),
        ({"action": "burn", "execution_ids": ["a"]}, "action"),
        ({"action": "delete", "execution_ids": ["a"] * 10_001}, "execution_ids"),
        ({"action": "delete", "filter": {"colour": "red"}}, "colour"),
        ({"action": "delete", "filter": {"status": "bogus"}}, "status"),
        ({"action": "export", "filter": {"date_to": "2026-02-30"}}, "date_to"),
        ({"action": "export", "filter": {"starred": "maybe"}}, "starred"),
    ]
    for body, field in cases:
        answer = uma.post("/api/logs/bulk", body)
        assert answer.status_code == 400, body
        assert answer.get_json()["error"]["field"] == field, body


def test_export_zip_holds_the_log_files_and_listings(people, settings, login, admin):
    uma, vic, *_ = people
    first, second = hello(uma, "ann"), hello(uma, "bob")
    theirs = hello(vic, "cid")
    answer = bulk(uma, action="export", execution_ids=[first, second, theirs])
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    assert answer.headers["Content-Disposition"].startswith('attachment; filename="runs_')
    assert (answer.headers["X-Bulk-Done"], answer.headers["X-Bulk-Skipped"]) == ("2", "1")
    archive = zipfile.ZipFile(io.BytesIO(answer.data))
    assert sorted(archive.namelist()) == sorted(
        [f"{first}.log", f"{second}.log", "runs.json", "runs.csv"]
    )
    for execution_id in (first, second):
        assert archive.read(f"{execution_id}.log") == log_file(settings, execution_id).read_bytes()
    runs = json.loads(archive.read("runs.json"))
    assert [r["execution_id"] for r in runs] == [second, first]
    assert runs[0]["output"].strip() == "hello bob" and runs[0]["parameters"] == {"who": "bob"}
    rows = list(csv.DictReader(io.StringIO(archive.read("runs.csv").decode("utf-8"))))
    assert [row["execution_id"] for row in rows] == [second, first]
    assert "hello ann" in rows[1]["output"]

    everyone = bulk(login(admin), action="export", filter={"user_id": "all"})
    names = zipfile.ZipFile(io.BytesIO(everyone.data)).namelist()
    assert f"{theirs}.log" in names and len(names) == 5
    events = login(admin).get("/api/admin/logs/audit?action=log.bulk_export").get_json()
    assert events["items"][0]["details"]["count"] == 3

    empty = zipfile.ZipFile(io.BytesIO(bulk(uma, action="export", filter={"q": "nobody"}).data))
    assert json.loads(empty.read("runs.json")) == []
    assert empty.read("runs.csv").decode().startswith("execution_id,")


def test_export_of_many_runs_streams_in_batches(people, services, settings):
    uma, *_ = people
    template = hello(uma, "seed")
    path = log_file(settings, template)
    copies = clone_runs(services, template, 1200)
    answer = uma.post("/api/logs/bulk", {"action": "export", "filter": {}})
    archive = zipfile.ZipFile(io.BytesIO(answer.data))
    assert len(archive.namelist()) == 1201 + 2
    assert archive.read(f"{copies[-1]}.log") == path.read_bytes()
    rows = list(csv.DictReader(io.StringIO(archive.read("runs.csv").decode("utf-8"))))
    assert len(rows) == 1201 and len(json.loads(archive.read("runs.json"))) == 1201
    deleted = uma.post("/api/logs/bulk", {"action": "delete", "execution_ids": copies})
    assert deleted.get_json()["done"] == 1200 and listed(uma) == [template]


def clone_runs(services, execution_id: str, count: int) -> list[str]:
    """Copy a finished run ``count`` times (each with its own log file); return the ids."""
    session = services.db.session
    source = session.scalar(select(ExecutionLog).where(ExecutionLog.execution_uuid == execution_id))
    skip = {"id", "execution_uuid", "log_path"}
    fields = {c.name: getattr(source, c.name) for c in ExecutionLog.__table__.columns}
    ids = []
    for _ in range(count):
        new_id = str(uuid.uuid4())
        path = Path(source.log_path).with_name(f"execution_{new_id}.log")
        shutil.copyfile(source.log_path, path)
        values = {k: v for k, v in fields.items() if k not in skip}
        session.add(ExecutionLog(execution_uuid=new_id, log_path=str(path), **values))
        ids.append(new_id)
    session.commit()
    services.db.remove()
    return ids
