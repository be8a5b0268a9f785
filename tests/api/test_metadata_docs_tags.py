"""Metadata editing with history, documentation, and tags."""

from __future__ import annotations

import pytest

from tests.api.test_catalog import HEADER, rescan


@pytest.fixture
def script_id(app, groups, login, admin):
    groups.group("thermal", name={"en": "Thermal"})
    groups.script("thermal", "fin.py", HEADER)
    groups.script("thermal", "other.py", "@tags: heat,misc")
    docs = groups.root / "thermal" / "docs"
    docs.mkdir()
    (docs / "fin.md").write_text("# Fin\n\nEfficiency $\\eta = \\tanh(mL)/(mL)$\n")
    (docs / "fin_es.md").write_text("# Aleta\n")
    rescan(app)
    items = login(admin).get("/api/script-groups").get_json()["items"]
    scripts = login(admin).get(f"/api/script-groups/{items[0]['id']}/scripts").get_json()["items"]
    return next(s["id"] for s in scripts if s["filename"] == "fin.py")


def test_developer_edits_metadata_and_sees_its_history(script_id, login, make_user, admin):
    developer = login(make_user("dev1", level="developer"))
    response = developer.put(
        f"/api/scripts/{script_id}/metadata",
        {
            "description": {"es": "Nueva descripción"},
            "required_level": "developer",
            "tags": ["a", "b"],
        },
    )
    assert response.status_code == 200
    assert response.get_json()["changed"] == ["description", "required_level", "tags"]
    meta = developer.get(f"/api/scripts/{script_id}/metadata?lang=es").get_json()
    assert meta["metadata"]["description"]["es"] == "Nueva descripción"
    assert meta["metadata"]["description"]["en"] == "Computes the fin efficiency"
    assert meta["script"]["description"] == "Nueva descripción"
    assert meta["edited_fields"] == ["description", "required_level", "tags"]
    history = developer.get(f"/api/scripts/{script_id}/metadata/history").get_json()["items"]
    assert (
        history
        == login(admin).get(f"/api/scripts/{script_id}/metadata/history").get_json()["items"]
    )
    assert login(make_user(level="operator")).get(
        f"/api/scripts/{script_id}/metadata/history"
    ).status_code in (403, 404)
    level_change = next(h for h in history if h["field"] == "required_level")
    assert level_change["old_value"] == "operator" and level_change["new_value"] == "developer"
    assert level_change["username"] == "dev1"
    operator = login(make_user(level="operator"))
    assert operator.get(f"/api/scripts/{script_id}").status_code == 404  # now developer-only


def test_reparse_keeps_edits_and_null_reverts(script_id, groups, login, make_user):
    developer = login(make_user(level="developer"))
    developer.put(f"/api/scripts/{script_id}/metadata", {"category": "mine"})
    path = groups.root / "thermal" / "fin.py"
    path.write_text(path.read_text().replace("@category: thermal", "@category: new-from-file"))
    refreshed = developer.post(f"/api/scripts/{script_id}/refresh-metadata").get_json()["script"]
    assert refreshed["category"] == "mine"
    developer.put(f"/api/scripts/{script_id}/metadata", {"category": None})
    assert developer.get(f"/api/scripts/{script_id}").get_json()["script"]["category"] == (
        "new-from-file"
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"required_level": "wizard"}, "required_level"),
        ({"execution_timeout": -5}, "execution_timeout"),
        ({"tags": ["ok", "not ok!"]}, "tags"),
        ({"tags": [f"t{i}" for i in range(21)]}, "tags"),
        ({"parameters": [{"name": "a"}, {"name": "a"}]}, "parameters"),
        ({"description": {"de": "Hallo"}}, "description"),
        ({"filename": "x.py"}, "filename"),
    ],
)
def test_bad_edits_are_refused_and_nothing_changes(script_id, login, make_user, body, field):
    developer = login(make_user(level="developer"))
    before = developer.get(f"/api/scripts/{script_id}/metadata").get_json()["metadata"]
    response = developer.put(f"/api/scripts/{script_id}/metadata", body)
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field
    assert developer.get(f"/api/scripts/{script_id}/metadata").get_json()["metadata"] == before


def test_operators_cannot_edit_metadata_or_docs(script_id, login, make_user):
    operator = login(make_user(level="operator"))
    assert operator.put(f"/api/scripts/{script_id}/metadata", {"category": "x"}).status_code == 403
    doc = {"markdown": "# hacked", "language": "en"}
    assert operator.put(f"/api/scripts/{script_id}/description-long", doc).status_code == 403


def test_docs_follow_the_language_with_english_fallback(script_id, login, make_user):
    client = login(make_user(level="operator"))
    spanish = client.get(f"/api/scripts/{script_id}/description-long?lang=es").get_json()
    assert spanish["language"] == "es" and spanish["html"].startswith('<h1 id="aleta">')
    assert spanish["available"] == ["en", "es"]
    italian = client.get(f"/api/scripts/{script_id}/description-long?lang=it").get_json()
    assert italian["language"] == "en"
    assert '<span class="arithmatex">' in italian["html"]


def test_developer_writes_docs_from_the_template(script_id, groups, login, make_user):
    developer = login(make_user(level="developer"))
    french = developer.get(f"/api/scripts/{script_id}/description-long?lang=fr").get_json()
    assert french["language"] == "en"
    other = [s for s in developer.get("/api/script-groups").get_json()["items"]]
    assert other
    response = developer.put(
        f"/api/scripts/{script_id}/description-long",
        {"markdown": "# Ailette\n\n| a | b |\n|---|---|\n| 1 | 2 |\n", "language": "fr"},
    )
    assert response.status_code == 200
    assert (groups.root / "thermal" / "docs" / "fin_fr.md").read_text().startswith("# Ailette")
    body = response.get_json()
    assert body["language"] == "fr" and "<table>" in body["html"]


def test_missing_docs_offer_a_template_built_from_metadata(app, groups, login, make_user):
    groups.group("bare")
    groups.script("bare", "calc.py", HEADER)
    rescan(app)
    client = login(make_user(level="operator"))
    gid = client.get("/api/script-groups").get_json()["items"][0]["id"]
    sid = client.get(f"/api/script-groups/{gid}/scripts").get_json()["items"][0]["id"]
    doc = client.get(f"/api/scripts/{sid}/description-long").get_json()
    assert doc["exists"] is False and doc["available"] == []
    assert "| `length` | float | m |" in doc["markdown"]


def test_markdown_is_sanitised(script_id, login, make_user):
    developer = login(make_user(level="developer"))
    evil = (
        "<script>alert('x')</script>\n\n[click](javascript:alert(1))\n\n"
        '<img src="x.png" onerror="alert(2)">\n\n<iframe src="https://example.com"></iframe>\n'
        '<a href="https://example.com" onclick="steal()">ok</a>'
    )
    html = developer.put(
        f"/api/scripts/{script_id}/description-long", {"markdown": evil, "language": "en"}
    ).get_json()["html"]
    for forbidden in ("<script", "javascript:", "onerror", "<iframe", "onclick"):
        assert forbidden not in html
    assert 'href="https://example.com"' in html
    preview = developer.post("/api/docs/preview", {"markdown": evil}).get_json()["html"]
    assert "<script" not in preview and "javascript:" not in preview


def test_user_tags_are_personal_and_searchable(script_id, login, make_user):
    anna, ben = make_user("anna"), make_user("ben")
    anna_client, ben_client = login(anna), login(ben)
    response = anna_client.put(f"/api/scripts/{script_id}/tags", {"tags": ["mine", "fav", "fav"]})
    assert response.get_json() == {"system": ["heat", "fins"], "user": ["mine", "fav"]}
    assert ben_client.get(f"/api/scripts/{script_id}/tags").get_json()["user"] == []

    def found(client, query):
        return sorted(
            s["filename"]
            for s in client.get(f"/api/scripts/search-tags?{query}").get_json()["items"]
        )

    assert found(anna_client, "tags=heat") == ["fin.py", "other.py"]
    assert found(anna_client, "tags=heat,mine&match=all") == ["fin.py"]
    assert found(anna_client, "tags=misc,mine&match=any") == ["fin.py", "other.py"]
    assert found(ben_client, "tags=mine") == []
    assert anna_client.get("/api/user/tags").get_json()["items"] == [
        {"tag": "fav", "count": 1},
        {"tag": "mine", "count": 1},
    ]
    assert anna_client.get("/api/scripts/search-tags").status_code == 400
    assert anna_client.get("/api/scripts/search-tags?tags=a&match=some").status_code == 400
    bad = anna_client.put(f"/api/scripts/{script_id}/tags", {"tags": ["x" * 31]})
    assert bad.status_code == 400
