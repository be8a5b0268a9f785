"""Path traversal: every route that takes a group, project, file name or path stays inside.

Bad names come raw, percent-encoded (once and twice), with backslashes, NUL, absolute
paths, and through symbolic links that the user's own script planted in its data folder.
A bad input is accepted when the answer is a success or carries any canary's content.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.security.clients import body_text

SECURITY_CLASS = "path traversal"
CANARY = "CANARY-0b5e"
BOB_SECRET = "BOB-SECRET-7f1d"
REFUSED = {301, 302, 307, 308, 400, 403, 404, 405}

TRAVERSALS = [
    "../canary.txt", "../../canary.txt", "../../../canary.txt", "../../../../../secret_key",
    "../../../../../../../../etc/passwd", "..%2fcanary.txt", "..%2f..%2fcanary.txt",
    "%2e%2e/canary.txt", "%2e%2e%2fcanary.txt", "%2E%2E%2Fcanary.txt", ".%2e/canary.txt",
    "%2e./canary.txt", "%252e%252e/canary.txt", "%252e%252e%252fcanary.txt", "..%5ccanary.txt",
    "..\\canary.txt", "%5c..%5ccanary.txt", "..%255ccanary.txt", "..%c0%afcanary.txt",
    "%c0%ae%c0%ae/canary.txt", "%e0%80%ae%e0%80%ae/canary.txt", "....//canary.txt",
    "..../canary.txt", "..;/canary.txt", "/etc/passwd", "%2fetc%2fpasswd", "%2f%2fetc/passwd",
    "etc/passwd%00.json", "mine.json%00", "mine.json%00/../../canary.txt", "%00", "%00/canary.txt",
    "C:%5cWindows%5cwin.ini", "C:/Windows/win.ini", "%5c%5c127.0.0.1%5cshare%5cx",
    "uploads/../../canary.txt", "./../canary.txt", ".", "..", "%2e", "%2e%2e", "%2e%2e/",
    "~/.bashrc", "%7e/.ssh/id_rsa", "mine.json/../../canary.txt", "sub/../../canary.txt",
    "to_passwd", "to_secret", "to_canary", "to_bob", "to_etc/passwd", "to_etc/", "to_etc",
    "rel_up", "sub/deep", "to_db", "to_home/secret_key", "to_data/script_groups",
]  # fmt: skip
BAD_NAMES = [
    "../evil", "..", ".", "a/b", "a\\b", "/etc", "%2e%2e", "..%2fevil", "x\x00y", "CON",
    "nul.txt", " ", "", ".hidden", "a" * 101, "~", "..\\..\\evil", "x/../../evil", "evil\n",
    "\u202eevil", "..\u2215evil", "evil/", "/", "\\\\host\\share", "C:\\evil", "lpt1",
]  # fmt: skip


@pytest.fixture(scope="module")
def world(manager):
    """Alice's and Bob's projects, canaries all around Alice's folder, and planted links."""
    alice, bob = manager.login("alice"), manager.login("bob")
    group = manager.group_id()
    pa, pb = manager.project_id(alice), manager.project_id(bob)
    alice.ok("POST", f"/api/data/{group}/{pa}/mine.json", 201, json={"ok": 1})
    bob.ok("POST", f"/api/data/{group}/{pb}/bob-secret.json", 201, json={"s": BOB_SECRET})
    folder = manager.data_folder("alice")
    canaries = [
        folder.parent / "canary.txt",
        folder.parent.parent / "canary.txt",
        folder.parents[2] / "canary.txt",
        manager.home / "canary.txt",
        manager.root / "canary.md",
        manager.groups / "canary.md",
    ]
    for path in canaries:
        path.write_text(f"{CANARY} {path}\n")
    links = {
        "to_passwd": "/etc/passwd",
        "to_secret": str(manager.home / "secret_key"),
        "to_canary": str(folder.parent / "canary.txt"),
        "to_bob": str(manager.data_folder("bob") / "bob-secret.json"),
        "to_etc": "/etc",
        "rel_up": "../canary.txt",
        "sub/deep": "../../canary.txt",
        "to_db": str(manager.home / "data" / "scriptsmanager.db"),
        "to_home": str(manager.home),
        "to_data": str(manager.home / "data"),
    }
    run = manager.run(alice, "linker.py", {"links": json.dumps(links)})
    assert manager.finished(alice, run)["status"] == "completed"
    secret = (manager.home / "secret_key").read_text().strip()
    markers = [CANARY, BOB_SECRET, "root:x:0:0", "SQLite format", secret, "[build-system]"]
    return {
        "alice": alice, "bob": bob, "group": group, "pa": pa, "pb": pb, "folder": folder,
        "canaries": canaries, "markers": markers,
    }  # fmt: skip


def leaked(response, markers: list[str]) -> str | None:
    """Return the first marker found in the answer, None when there is none."""
    text = body_text(response)
    return next((m for m in markers if m and m in text), None)


def refused(response, markers: list[str]) -> bool:
    """Return True for a refusal (3xx/4xx) that carries no marker."""
    return response.status_code in REFUSED and leaked(response, markers) is None


def check_both_ways(bad, client, method: str, path: str, markers: list[str], name: str) -> None:
    """Send ``path`` through requests, then unchanged through http.client; count each answer."""
    for how in ("", "raw "):
        response = client.raw(method, path) if how else client.send(method, path)
        bad.check(refused(response, markers), f"{how}{method} {name!r}: {response.status_code}")


def canaries_intact(world) -> bool:
    """Return True while every canary file is there, unchanged."""
    return all(path.is_file() and CANARY in path.read_text() for path in world["canaries"])


def test_data_file_reads_stay_in_the_project_folder(world, bad):
    alice, group, pa = world["alice"], world["group"], world["pa"]
    for name in TRAVERSALS:
        check_both_ways(bad, alice, "GET", f"/api/data/{group}/{pa}/{name}", world["markers"], name)
    assert alice.get(f"/api/data/{group}/{pa}/mine.json").json() == {"ok": 1}
    bad.assert_none()


def test_admin_reads_are_kept_inside_too(manager, world, bad):
    admin, group = manager.admin(), world["group"]
    for name in TRAVERSALS:
        response = admin.get(f"/api/data/{group}/{world['pb']}/{name}")
        bad.check(
            refused(response, world["markers"]), f"admin GET {name!r}: {response.status_code}"
        )
    bad.assert_none()


def test_listing_skips_links_and_names_nothing_outside(world, bad):
    alice = world["alice"]
    listing = alice.get(f"/api/data/{world['group']}/{world['pa']}/files").json()["items"]
    names = {item["name"] for item in listing}
    for link in ("to_passwd", "to_secret", "to_canary", "to_bob", "to_etc", "rel_up", "sub/deep"):
        bad.check(link not in names, f"link {link} listed")
    bad.check(not any("canary" in n or ".." in n for n in names), f"listing {sorted(names)}")
    assert "mine.json" in names
    bad.assert_none()


def test_deletes_and_writes_stay_in_the_project_folder(manager, world, bad):
    alice, group, pa = world["alice"], world["group"], world["pa"]
    for name in TRAVERSALS:
        path = f"/api/data/{group}/{pa}/{name}"
        check_both_ways(bad, alice, "DELETE", path, world["markers"], name)
        bad.check(canaries_intact(world), f"DELETE {name!r} removed a canary")
    for name in TRAVERSALS:
        target = name if name.endswith(".json") else f"{name}/written.json"
        response = alice.post(f"/api/data/{group}/{pa}/{target}", {"written": True})
        bad.check(response.status_code in REFUSED, f"POST {target!r}: {response.status_code}")
    for link in ("to_canary", "rel_up", "to_bob", "to_secret"):
        response = alice.post(f"/api/data/{group}/{pa}/{link}", {"written": True})
        bad.check(response.status_code in REFUSED, f"POST through link {link}")
    outside = [
        path
        for path in manager.home.rglob("written.json")
        if not path.resolve().is_relative_to(world["folder"].resolve())
    ]
    bad.check(outside == [], f"files written outside: {outside}")
    bad.check(canaries_intact(world), "a canary was changed")
    bob_file = manager.data_folder("bob") / "bob-secret.json"
    bad.check(BOB_SECRET in bob_file.read_text(), "bob's file was overwritten")
    bad.assert_none()


def test_project_names_cannot_leave_the_user_folder(manager, world, bad):
    alice, group = world["alice"], world["group"]
    before = {p for p in manager.home.rglob("*") if p.is_dir()}
    for name in BAD_NAMES:
        response = alice.post("/api/projects", {"project_name": name, "group_id": group})
        bad.check(response.status_code == 400, f"create {name!r}: {response.status_code}")
    created = alice.ok("POST", "/api/projects", 201, json={"project_name": "renamable",
                                                            "group_id": group})  # fmt: skip
    project = created["project"]["id"]
    alice.ok("POST", f"/api/data/{group}/{project}/keep.json", 201, json={"k": 1})
    for name in BAD_NAMES:
        response = alice.put(f"/api/projects/{project}", {"project_name": name})
        bad.check(response.status_code in (400, 409), f"rename to {name!r}: {response.status_code}")
    after = {p for p in manager.home.rglob("*") if p.is_dir()}
    user_folder = world["folder"].parent
    strays = [p for p in after - before if p.parent != user_folder or p.name != "renamable"]
    bad.check(strays == [], f"folders made: {sorted(map(str, strays))}")
    bad.check((user_folder / "renamable" / "keep.json").is_file(), "the project folder moved")
    bad.assert_none()


def test_documentation_paths_stay_in_the_group_folder(manager, world, bad):
    dev = manager.login("dave")
    script = manager.script_id("echo_args.py")
    base = f"/api/scripts/{script}/description-long"
    for language in ["../../canary", "en/../../canary", "..", "/etc/passwd", "en\x00", "EN",
                     "en.md", "../en", "%2e%2e", "en/", "fr/../../../x"]:  # fmt: skip
        response = dev.put(base, {"markdown": "# probe", "language": language})
        bad.check(response.status_code == 400, f"PUT language {language!r}: {response.status_code}")
        response = dev.get(f"{base}?lang={quote(language)}")
        bad.check(leaked(response, world["markers"]) is None, f"GET ?lang={language!r} leaked")
    declared = [
        "../canary.md", "../../canary.md", str(manager.root / "canary.md"),
        str(manager.groups / "canary.md"), "docs/../../canary.md", "..\\canary.md",
        "docs/%2e%2e/%2e%2e/canary.md", "/etc/passwd", "../../home/secret_key",
    ]  # fmt: skip
    for path in declared:
        changed = dev.put(f"/api/scripts/{script}/metadata", {"description_long": {"en": path}})
        if changed.status_code == 200:
            shown = dev.get(f"{base}?lang=en")
            bad.check(leaked(shown, world["markers"]) is None, f"doc at {path!r} leaked")
            dev.put(base, {"markdown": "# overwritten", "language": "en"})
        bad.check(canaries_intact(world), f"doc at {path!r} overwrote a canary")
        bad.check(changed.status_code in (200, 400), f"metadata {path!r}: {changed.status_code}")
    dev.put(f"/api/scripts/{script}/metadata", {"description_long": None})
    bad.assert_none()


def test_uploads_and_path_parameters_stay_in_the_project(manager, world, bad):
    alice = world["alice"]
    uploads = ["../../evil1.txt", "..\\..\\evil2.txt", "/tmp/evil3.txt", "%2e%2e%2fevil4.txt",
               "....//evil5.txt", "../../../../../../tmp/evil6.txt", "..", ".", "\x00evil7.txt",
               "uploads/../../evil8.txt", "C:\\evil9.txt"]  # fmt: skip
    script = manager.script_id("uploader.py")
    for name in uploads:
        response = alice.post(
            f"/api/scripts/{script}/execute",
            data={"parameters": "{}"},
            files={"page": (name, b"<p>evil</p>", "text/html")},
        )
        if response.status_code == 202:
            manager.finished(alice, response.json()["execution_id"])
        bad.check(response.status_code in (202, 400), f"upload {name!r}: {response.status_code}")
    uploads_dir = (world["folder"] / "uploads").resolve()
    strays = [
        path
        for path in manager.root.rglob("evil*.txt")
        if not path.resolve().is_relative_to(uploads_dir)
    ]
    strays += list(Path("/tmp").glob("evil*.txt"))
    bad.check(strays == [], f"uploads stored outside uploads/: {strays}")
    for value in ["../../../secret_key", "../canary.txt", "/etc/passwd", "..", "uploads/../x",
                  "to_passwd", "..\\canary.txt"]:  # fmt: skip
        response = alice.post(f"/api/scripts/{script}/execute", {"parameters": {"page": value}})
        bad.check(response.status_code in (400, 404), f"file value {value!r}")
    echo = manager.script_id("echo_args.py")
    for value in ["../../../../secret_key", "../canary.txt", "/etc/passwd", "..", "a/../../x",
                  "to_passwd", "to_etc/passwd", "rel_up", "..\\canary.txt", "\x00"]:  # fmt: skip
        response = alice.post(f"/api/scripts/{echo}/execute", {"parameters": {"where": value}})
        bad.check(
            response.status_code in (400, 404), f"path value {value!r}: {response.status_code}"
        )
    bad.assert_none()


def test_other_named_routes_stay_inside(manager, world, bad):
    anonymous, alice = manager.anonymous(), world["alice"]
    markers = world["markers"]
    for name in ["../../pyproject.toml", "..%2f..%2fpyproject.toml", "%2e%2e/%2e%2e/pyproject.toml",
                 "js/..%2f..%2f..%2fpyproject.toml", "..%5c..%5cpyproject.toml",
                 "%2fetc%2fpasswd", "..%252f..%252fpyproject.toml", "js/%00../../pyproject.toml",
                 "/etc/passwd", "..\\..\\pyproject.toml"]:  # fmt: skip
        for response in (anonymous.get(f"/assets/{name}"), anonymous.raw("GET", f"/assets/{name}")):
            bad.check(refused(response, markers), f"asset {name!r}: {response.status_code}")
    group, project = world["group"], world["pa"]
    for ids in ["..", "%2e%2e", "-1", "0x1", f"{group}%2f..%2f{group}", f"{group}/../{group}",
                f"{group}%00", "%201", "1e0", f"{group}%2f"]:  # fmt: skip
        for path in (f"/api/data/{ids}/{project}/files", f"/api/data/{group}/{ids}/files",
                     f"/api/data/{ids}/{ids}/mine.json", f"/api/script-groups/{ids}/scripts",
                     f"/api/projects/{ids}", f"/groups/{ids}"):  # fmt: skip
            response = alice.raw("GET", path)
            bad.check(refused(response, markers), f"GET {path}: {response.status_code}")
    for name in ["..", "..%2f..%2fetc", "%2e%2e", "../../../etc/passwd", "en%00", "en/..%2f"]:
        for path in (f"/api/i18n/{name}", f"/api/conda/environments/{name}/info",
                     f"/api/logs/execution/{name}", f"/api/interfaces/{name}/beacon",
                     f"/logs/{name}", f"/interfaces/{name}/"):  # fmt: skip
            method = "POST" if path.endswith("beacon") else "GET"
            response = alice.send(method, path)
            bad.check(refused(response, markers), f"{method} {path}: {response.status_code}")
    bad.assert_none()
