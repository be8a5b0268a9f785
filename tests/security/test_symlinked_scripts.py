"""Finding 7: a script that is a symbolic link to a file outside the scripts folder is
neither listed nor run (nor is one inside a group folder that itself links outside).

The shared manager's groups hold ``linkgroup/outside.py`` (a link to a file outside),
``linkgroup/victim.py`` (a plain file, turned into such a link by a test) and ``linkdir``
(a group folder that is a link to a folder outside). Running any of them would leave a
``RAN-*`` marker next to its real file.
"""

from __future__ import annotations

import os

from tests.support import wait_for

SECURITY_CLASS = "symlinked scripts"
NOT_RUN = (400, 403, 404, 409)


def unlisted_ids(listed: dict[tuple[str, str], int]) -> list[int]:
    """Return the ids around the listed ones that no listed script has."""
    ids = set(listed.values())
    return [i for i in range(1, max(ids) + 20) if i not in ids]


def markers(manager) -> list[str]:
    """Return the RAN-* markers that linked scripts would leave."""
    return sorted(p.name for p in (manager.root / "outside").glob("RAN-*"))


def test_a_script_linked_outside_is_not_listed_and_cannot_run(manager, bad):
    listed = manager.catalog()
    assert ("linkgroup", "real.py") in listed
    bad.check(("linkgroup", "outside.py") not in listed, "outside.py is listed")
    bad.check(not any(folder == "linkdir" for folder, _ in listed), "linkdir's scripts listed")
    for username in ("alice", "dave", "admin"):
        client = manager.login(username)
        group = manager.group_id("linkgroup")
        page = (
            client.get(f"/groups/{group}").text
            + client.get(f"/api/script-groups/{group}/scripts").text
        )
        bad.check("outside.py" not in page, f"{username} sees outside.py")
    admin = manager.admin()
    for script_id in unlisted_ids(listed):
        response = admin.post(f"/api/scripts/{script_id}/execute", {"parameters": {}})
        bad.check(
            response.status_code in NOT_RUN, f"unlisted script {script_id}: {response.status_code}"
        )
    for (folder, filename), script_id in listed.items():
        if filename in ("outside.py", "inner.py") or folder == "linkdir":
            response = admin.post(f"/api/scripts/{script_id}/execute", {"parameters": {}})
            bad.check(response.status_code in NOT_RUN, f"{folder}/{filename} ran")
    bad.check(markers(manager) == [], f"a linked script ran: {markers(manager)}")
    bad.assert_none()


def test_a_script_replaced_by_a_link_stops_running(manager, bad):
    listed = manager.catalog()
    victim = listed[("linkgroup", "victim.py")]
    alice = manager.login("alice")
    detail = manager.finished(alice, manager.run(alice, "victim.py", folder="linkgroup"))
    assert "VICTIM" in detail["output"]
    path = manager.groups / "linkgroup" / "victim.py"
    link = path.with_name(".victim-link")
    link.symlink_to(manager.root / "outside" / "victim.py")
    os.replace(link, path)
    dave = manager.login("dave")
    dave.get(f"/api/script-groups/{manager.group_id('linkgroup')}/refresh")
    try:
        wait_for(lambda: ("linkgroup", "victim.py") not in manager.catalog(), 60)
        gone = True
    except AssertionError:
        gone = False
    bad.check(gone, "victim.py is still listed once it links outside")
    for client in (alice, manager.admin()):
        response = client.post(f"/api/scripts/{victim}/execute", {"parameters": {}})
        if response.status_code == 202:
            manager.finished(client, response.json()["execution_id"])
        bad.check(response.status_code in NOT_RUN, f"{client.username}: {response.status_code}")
    bad.check(markers(manager) == [], f"the linked script ran: {markers(manager)}")
    bad.assert_none()
