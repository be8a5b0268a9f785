"""Finding 6: hostile JSON bodies get 400, never a 500, and nothing is stored.

Every operation that reads a body gets, in place of its first (innermost) value or as the
whole body, a 10,000-deep array or object, ``NaN``, ``Infinity`` and ``-Infinity``
(Python's json module reads those three by default). Then nothing those bodies described
may exist: no data file, project, user, run, tag or metadata change.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.security.harness import ADMIN
from tests.security.operations import operations, valid_body

SECURITY_CLASS = "bad bodies (finding 6)"
DEPTH = 10_000
DEEP_ARRAY = "[" * DEPTH + "]" * DEPTH
DEEP_OBJECT = '{"a":' * DEPTH + "1" + "}" * DEPTH
POISONS = {"deep array": DEEP_ARRAY, "deep object": DEEP_OBJECT, "NaN": "NaN",
           "Infinity": "Infinity", "-Infinity": "-Infinity",
           "list with NaN": "[1, NaN]"}  # fmt: skip
RAW_READERS = {
    "POST /api/data/{group_id}/{project_id}/{filename}", "PUT /api/scripts/{script_id}/metadata",
    "POST /api/scripts/{script_id}/execute", "POST /api/scripts/{script_id}/stop",
    "POST /api/admin/logs/export",
}  # fmt: skip
PLACEHOLDER = "__POISON__"
TAG = "bb"


def poisoned(body: Any, poison: str) -> bytes:
    """Return ``body`` as JSON with its innermost first value replaced by ``poison``."""
    body = json.loads(json.dumps(body)) if body else {"x": None}
    holder, key = body, None
    while True:
        key = next(iter(holder)) if isinstance(holder, dict) else 0
        if isinstance(holder[key], dict | list) and holder[key]:
            holder = holder[key]
            continue
        holder[key] = PLACEHOLDER
        break
    return json.dumps(body).replace(f'"{PLACEHOLDER}"', poison).encode()


@pytest.fixture(scope="module")
def before(manager):
    admin = manager.login(ADMIN)
    values = {**manager.values_for(admin), "filename": f"{TAG}.json"}
    script = values["script_id"]
    return {
        "admin": admin, "values": values,
        "edited": admin.get(f"/api/scripts/{script}/metadata").json()["edited_fields"],
        "runs": admin.get("/api/admin/logs/execution?per_page=1").json()["total"],
        "tags": admin.get(f"/api/scripts/{script}/tags").json()["user"],
        "theme": admin.get("/api/auth/user").json()["user"]["preferred_theme"],
    }  # fmt: skip


def test_hostile_bodies_get_400(manager, before, bad):
    admin, values = before["admin"], before["values"]
    ops = [
        op for op in operations(admin.get("/api/openapi.json").json())
        if op.method in ("POST", "PUT") and (op.has_body or op.key in RAW_READERS)
        and op.key != "POST /api/auth/logout"
    ]  # fmt: skip
    assert len(ops) >= 15
    for op in ops:
        body = valid_body(op, values, TAG)
        payloads = {f"{name} inside": poisoned(body, text) for name, text in POISONS.items()}
        payloads.update({"deep array body": DEEP_ARRAY.encode(), "NaN body": b"NaN",
                         "deep object body": DEEP_OBJECT.encode()})  # fmt: skip
        for label, payload in payloads.items():
            response = admin.send(op.method, op.path(values), data=payload,
                                  headers={"Content-Type": "application/json"})  # fmt: skip
            bad.check(response.status_code == 400, f"{op.key} {label}: {response.status_code}")
    bad.assert_none()


def test_nothing_was_stored(manager, before, bad):
    admin, values = before["admin"], before["values"]
    group, project, script = values["group_id"], values["project_id"], values["script_id"]
    files = [f["name"] for f in admin.get(f"/api/data/{group}/{project}/files").json()["items"]]
    bad.check(f"{TAG}.json" not in files, f"a data file was written: {files}")
    projects = [p["project_name"] for p in admin.get("/api/projects").json()["items"]]
    bad.check(f"made_{TAG}" not in projects, "a project was made")
    users = [u["username"] for u in admin.get("/api/admin/users?per_page=200").json()["items"]]
    bad.check(f"made_{TAG}" not in users, "a user was made")
    runs = admin.get("/api/admin/logs/execution?per_page=1").json()["total"]
    bad.check(runs == before["runs"], f"{runs - before['runs']} runs were started")
    edited = admin.get(f"/api/scripts/{script}/metadata").json()["edited_fields"]
    bad.check(edited == before["edited"], f"metadata edited: {edited}")
    tags = admin.get(f"/api/scripts/{script}/tags").json()["user"]
    bad.check(tags == before["tags"], f"tags changed: {tags}")
    theme = admin.get("/api/auth/user").json()["user"]["preferred_theme"]
    bad.check(theme == before["theme"], "preferences changed")
    bad.assert_none()
