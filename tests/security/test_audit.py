"""Finding 8: an admin's reads of other users' logs and data files, and documentation
edits, are in the audit log (``admin.read_log``, ``admin.read_data``, ``docs.edit``).

Each read is checked to leave an event naming the admin and what was read; reads of
one's own run, and a non-admin's refused attempts, are not required to leave one.
"""

from __future__ import annotations

import json
import uuid

import pytest

from tests.security.harness import ADMIN

SECURITY_CLASS = "audit (finding 8)"


@pytest.fixture(scope="module")
def alices(manager):
    alice = manager.login("alice")
    group, project = manager.group_id(), manager.project_id(alice)
    name = f"audit-{uuid.uuid4().hex[:8]}.json"
    alice.ok("POST", f"/api/data/{group}/{project}/{name}", 201, json={"audited": True})
    run = manager.run(alice, "echo_args.py", {"text": "audited"})
    manager.finished(alice, run)
    return {"group": group, "project": project, "file": name, "run": run}


def events_naming(manager, action: str, needle: str) -> list[dict]:
    """Return the admin's audit events of ``action`` that mention ``needle``."""
    return [
        e for e in manager.audit(action)
        if e["action"] == action and needle in json.dumps(e) and e["username"] == ADMIN
    ]  # fmt: skip


def test_an_admin_reading_another_users_log_is_audited(manager, alices, bad):
    admin, run = manager.admin(), alices["run"]
    reads = [f"/api/logs/execution/{run}", f"/api/logs/execution/{run}/content",
             f"/api/logs/execution/{run}/download?format=txt"]  # fmt: skip
    for path in reads:
        before = len(events_naming(manager, "admin.read_log", run))
        assert admin.get(path).status_code == 200, path
        after = len(events_naming(manager, "admin.read_log", run))
        bad.check(after > before, f"{path}: no admin.read_log event")
    bad.assert_none()


def test_an_admin_reading_another_users_data_is_audited(manager, alices, bad):
    admin = manager.admin()
    base = f"/api/data/{alices['group']}/{alices['project']}"
    assert admin.get(f"{base}/{alices['file']}").json() == {"audited": True}
    bad.check(events_naming(manager, "admin.read_data", alices["file"]) != [],
              f"reading {alices['file']}: no admin.read_data event")  # fmt: skip
    bad.assert_none()


def test_documentation_edits_are_audited(manager, bad):
    dave = manager.login("dave")
    script = manager.script_id("echo_args.py")
    mark = uuid.uuid4().hex[:8]
    dave.ok("PUT", f"/api/scripts/{script}/description-long",
            json={"markdown": f"# audited {mark}", "language": "it"})  # fmt: skip
    events = [e for e in manager.audit("docs.edit")
              if e["username"] == "dave" and f"script:{script}" in json.dumps(e)]  # fmt: skip
    bad.check(events != [], "a documentation edit left no docs.edit event")
    bad.check(any("it" in json.dumps(e.get("details")) for e in events), "language not recorded")
    bad.assert_none()
