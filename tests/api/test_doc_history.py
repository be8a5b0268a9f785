"""Documentation history: every save is a version, edits on disk are kept, versions are
compared and restored (the file, the history and the audit agree), developers and up only."""

from __future__ import annotations

import pytest

from tests.api.test_catalog import HEADER, rescan

ORIGINAL = "# Fin\n\nThe first text.\n"


@pytest.fixture
def script_id(app, groups, login, admin) -> int:
    groups.group("thermal")
    groups.script("thermal", "fin.py", HEADER)
    docs = groups.root / "thermal" / "docs"
    docs.mkdir()
    (docs / "fin.md").write_text(ORIGINAL, encoding="utf-8")
    rescan(app)
    client = login(admin)
    group = client.get("/api/script-groups").get_json()["items"][0]["id"]
    return client.get(f"/api/script-groups/{group}/scripts").get_json()["items"][0]["id"]


@pytest.fixture
def developer(login, make_user):
    return login(make_user("dana", level="developer"))


def save(client, script_id: int, markdown: str, language: str = "en"):
    response = client.put(
        f"/api/scripts/{script_id}/description-long", {"markdown": markdown, "language": language}
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def history(client, script_id: int, query: str = "lang=en") -> dict:
    response = client.get(f"/api/scripts/{script_id}/docs/history?{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_saves_are_versions_and_the_file_found_on_disk_comes_first(script_id, developer):
    save(developer, script_id, "# Fin\n\nSecond text.\n")
    save(developer, script_id, "# Fin\n\nThird text.\n")
    listed = history(developer, script_id)
    assert (listed["total"], listed["page"], listed["per_page"]) == (3, 1, 50)
    assert [(v["version"], v["source"], v["author"]) for v in listed["items"]] == [
        (3, "edit", "dana"),
        (2, "edit", "dana"),
        (1, "file", None),
    ]
    first = listed["items"][-1]
    assert first["language"] == "en" and first["size"] == len(ORIGINAL.encode())
    assert first["created"].endswith("Z") and "markdown" not in first
    one = developer.get(f"/api/scripts/{script_id}/docs/history/1?lang=en").get_json()
    assert one["markdown"] == ORIGINAL and one["html"].startswith('<h1 id="fin">')
    paged = history(developer, script_id, "lang=en&page=2&per_page=2")
    assert [v["version"] for v in paged["items"]] == [1] and paged["total"] == 3
    assert history(developer, script_id, "lang=es")["items"] == []


def test_an_edit_made_on_disk_before_a_save_is_kept(script_id, developer, groups):
    save(developer, script_id, "# Fin\n\nFrom the app.\n")
    path = groups.root / "thermal" / "docs" / "fin.md"
    path.write_text("# Fin\n\nEdited in a text editor.\n", encoding="utf-8")
    save(developer, script_id, "# Fin\n\nFrom the app again.\n")
    items = history(developer, script_id)["items"]
    assert [(v["version"], v["source"]) for v in items] == [
        (4, "edit"),
        (3, "file"),
        (2, "edit"),
        (1, "file"),
    ]
    kept = developer.get(f"/api/scripts/{script_id}/docs/history/3?lang=en").get_json()
    assert kept["markdown"] == "# Fin\n\nEdited in a text editor.\n" and kept["author"] is None


def test_saving_the_same_text_adds_no_version(script_id, developer):
    save(developer, script_id, ORIGINAL)  # what the file holds: recorded once, as found
    save(developer, script_id, ORIGINAL)
    assert [v["source"] for v in history(developer, script_id)["items"]] == ["file"]
    save(developer, script_id, "# New\n")
    save(developer, script_id, "# New\n")
    assert history(developer, script_id)["total"] == 2


def test_a_first_document_starts_at_version_one(script_id, developer, groups):
    save(developer, script_id, "# Ailette\n", language="fr")
    items = history(developer, script_id, "lang=fr")["items"]
    assert [(v["version"], v["source"], v["language"]) for v in items] == [(1, "edit", "fr")]


def test_the_diff_shows_hunks_and_added_and_removed_lines(script_id, developer):
    save(developer, script_id, "# Fin\n\nThe second text.\n\nA new paragraph.\n")
    diff = developer.get(f"/api/scripts/{script_id}/docs/history/2/diff?lang=en").get_json()
    assert (diff["from"], diff["to"]) == (1, 2)
    assert diff["lines"] == [
        {"kind": "hunk", "text": "@@ -1,3 +1,5 @@"},
        {"kind": "context", "text": "# Fin"},
        {"kind": "context", "text": ""},
        {"kind": "removed", "text": "The first text."},
        {"kind": "added", "text": "The second text."},
        {"kind": "added", "text": ""},
        {"kind": "added", "text": "A new paragraph."},
    ]
    first = developer.get(f"/api/scripts/{script_id}/docs/history/1/diff?lang=en").get_json()
    assert first["from"] is None and first["to"] == 1
    assert [line["kind"] for line in first["lines"]] == ["hunk", "added", "added", "added"]
    back = developer.get(f"/api/scripts/{script_id}/docs/history/1/diff?lang=en&against=2")
    kinds = [line["kind"] for line in back.get_json()["lines"]]
    assert kinds.count("removed") == 3 and kinds.count("added") == 1


def test_restore_writes_the_file_adds_a_version_and_is_audited(
    script_id, developer, groups, login, admin
):
    save(developer, script_id, "# Fin\n\nReplaced.\n")
    response = developer.post(
        f"/api/scripts/{script_id}/docs/history/1/restore", {"language": "en"}
    )
    assert response.status_code == 200, response.get_json()
    document = response.get_json()
    assert document["markdown"] == ORIGINAL and document["language"] == "en"
    assert document["exists"] is True and document["html"].startswith('<h1 id="fin">')
    assert (groups.root / "thermal" / "docs" / "fin.md").read_text("utf-8") == ORIGINAL
    latest = history(developer, script_id)["items"][0]
    assert (latest["version"], latest["source"], latest["author"]) == (3, "restore", "dana")
    events = login(admin).get("/api/admin/logs/audit?action=docs.").get_json()["items"]
    assert [(e["action"], e["details"].get("version")) for e in events] == [
        ("docs.restore", 1),
        ("docs.edit", None),
    ]
    assert events[0]["username"] == "dana" and events[0]["target"] == f"script:{script_id}"


def test_restore_takes_the_language_from_the_query_without_a_body(script_id, developer, groups):
    save(developer, script_id, "# Aleta\n", language="es")
    save(developer, script_id, "# Aleta cambiada\n", language="es")
    response = developer.call("POST", f"/api/scripts/{script_id}/docs/history/1/restore?lang=es")
    assert response.status_code == 200 and response.get_json()["markdown"] == "# Aleta\n"
    assert (groups.root / "thermal" / "docs" / "fin_es.md").read_text("utf-8") == "# Aleta\n"


@pytest.mark.parametrize("level", ["operator", "viewer"])
def test_below_developer_is_refused(script_id, login, make_user, level):
    client = login(make_user(level=level))
    base = f"/api/scripts/{script_id}/docs/history"
    for response in (
        client.get(f"{base}?lang=en"),
        client.get(f"{base}/1?lang=en"),
        client.get(f"{base}/1/diff?lang=en"),
        client.post(f"{base}/1/restore", {"language": "en"}),
    ):
        assert response.status_code == 403


def test_unknown_versions_and_scripts_are_not_found(script_id, developer):
    base = f"/api/scripts/{script_id}/docs/history"
    for response in (
        developer.get(f"{base}/9?lang=en"),
        developer.get(f"{base}/9/diff?lang=en"),
        developer.get(f"{base}/1/diff?lang=en&against=9"),
        developer.post(f"{base}/9/restore", {"language": "en"}),
        developer.get(f"/api/scripts/{script_id + 100}/docs/history?lang=en"),
    ):
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
    missing = developer.get(f"{base}/9?lang=en").get_json()["error"]["message"]
    assert missing == "Version 9 of this document does not exist."


def test_a_bad_language_is_refused_by_name(script_id, developer):
    base = f"/api/scripts/{script_id}/docs/history"
    for response, field in (
        (developer.get(f"{base}?lang=de"), "lang"),
        (developer.get(f"{base}/1?lang=xx"), "lang"),
        (developer.get(f"{base}/1/diff?lang=de"), "lang"),
        (developer.post(f"{base}/1/restore", {"language": "de"}), "language"),
    ):
        assert response.status_code == 400
        assert response.get_json()["error"]["field"] == field
