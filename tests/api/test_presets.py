"""Parameter presets: example files of a group and each user's own saved sets."""

from __future__ import annotations

import json
import os

import pytest
from sqlalchemy import func, select

from server.models import AuditEvent, ParameterPreset, Script

HEADER = """@required_level: viewer
@parameters: [
  {"name": "length", "type": "float", "min": 0.001, "max": 10, "unit": "m"},
  {"name": "mode", "type": "select", "options": ["fast", "exact"], "default": "fast"},
  {"name": "label", "type": "string", "max": 20},
  {"name": "token", "type": "secret"}
]"""
EXAMPLE = {
    "script": "fin.py",
    "name": {"en": "Short fin", "es": "Aleta corta", "it": "Aletta corta", "fr": "Ailette courte"},
    "description": {"en": "A 5 cm fin", "es": "Una aleta de 5 cm"},
    "parameters": {"length": 0.05, "mode": "exact"},
}


def rescan(services):
    with services.db.job():
        return services.discovery.scan_all()


def write_example(groups, name: str, document) -> None:
    folder = groups.root / "thermal" / "examples"
    folder.mkdir(exist_ok=True)
    text = document if isinstance(document, str) else json.dumps(document)
    (folder / name).write_text(text, encoding="utf-8")


@pytest.fixture
def script_id(groups, services) -> int:
    groups.group("thermal", required_level="viewer")
    groups.script("thermal", "fin.py", HEADER)
    groups.script("thermal", "other.py", HEADER)
    write_example(groups, "short_fin.json", EXAMPLE)
    rescan(services)
    with services.db.job() as session:
        return session.scalar(select(Script.id).where(Script.filename == "fin.py"))


def presets(client, script_id: int) -> list[dict]:
    response = client.get(f"/api/scripts/{script_id}/presets")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def save(client, script_id: int, name: str, **parameters):
    return client.post(
        f"/api/scripts/{script_id}/presets", {"name": name, "parameters": parameters}
    )


def count(services, model, *where) -> int:
    with services.db.job() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_examples_are_listed_in_the_users_language_with_english_fallback(
    script_id, login, make_user
):
    client = login(make_user(level="viewer"))
    [example] = presets(client, script_id)
    assert example == {
        "id": "example:short_fin", "source": "example", "name": "Short fin",
        "description": "A 5 cm fin", "parameters": {"length": 0.05, "mode": "exact"},
        "stale": [], "created_at": None, "updated_at": None,
    }  # fmt: skip
    client.post("/api/user/preferences", {"language": "es"})
    assert presets(client, script_id)[0]["name"] == "Aleta corta"
    client.post("/api/user/preferences", {"language": "it"})
    [italian] = presets(client, script_id)
    assert italian["name"] == "Aletta corta" and italian["description"] == "A 5 cm fin"


def test_examples_of_other_scripts_are_not_listed(script_id, groups, services, login, admin):
    write_example(groups, "other.json", {**EXAMPLE, "script": "other.py", "name": "Other"})
    assert [p["id"] for p in presets(login(admin), script_id)] == ["example:short_fin"]


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[1, 2]",
        {**EXAMPLE, "script": "../fin.py"},
        {**EXAMPLE, "name": ""},
        {**EXAMPLE, "name": {"de": "Kurz"}},
        {**EXAMPLE, "parameters": [1]},
        {**EXAMPLE, "surprise": True},
        {key: value for key, value in EXAMPLE.items() if key != "name"},
    ],
    ids=["syntax", "list", "path", "empty-name", "unknown-language", "params", "key", "no-name"],
)
def test_a_malformed_example_is_skipped_and_reported_on_the_group(
    script_id, groups, services, login, admin, content
):
    write_example(groups, "broken.json", content)
    client = login(admin)
    assert [p["id"] for p in presets(client, script_id)] == ["example:short_fin"]
    report = rescan(services)
    assert report.problems == 1
    group = client.get("/api/script-groups").get_json()["items"][0]
    assert any("examples/broken.json" in warning for warning in group["warnings"])


def test_an_example_for_a_missing_script_is_reported(script_id, groups, services, login, admin):
    write_example(groups, "ghost.json", {**EXAMPLE, "script": "ghost.py"})
    rescan(services)
    group = login(admin).get("/api/script-groups").get_json()["items"][0]
    assert group["warnings"] == ["examples/ghost.json: no script ghost.py here"]


def test_examples_linked_from_outside_the_group_are_skipped(
    script_id, groups, services, login, admin, tmp_path
):
    outside = tmp_path / "outside.json"
    outside.write_text(json.dumps({**EXAMPLE, "name": "Leaked"}), encoding="utf-8")
    os.symlink(outside, groups.root / "thermal" / "examples" / "leak.json")
    names = [p["name"] for p in presets(login(admin), script_id)]
    assert names == ["Short fin"]
    rescan(services)
    group = login(admin).get("/api/script-groups").get_json()["items"][0]
    assert any("leak.json" in warning for warning in group["warnings"])


def test_a_user_saves_renames_changes_and_deletes_a_set(script_id, login, make_user, services):
    client = login(make_user())
    response = save(client, script_id, "  Long fin ", length="2.5", mode="exact", label="")
    assert response.status_code == 201, response.get_json()
    created = response.get_json()["preset"]
    assert created["name"] == "Long fin" and created["source"] == "user"
    assert created["parameters"] == {"length": 2.5, "mode": "exact"}  # converted, empty dropped
    assert isinstance(created["id"], int) and created["stale"] == []
    url = f"/api/scripts/{script_id}/presets/{created['id']}"
    assert [p["name"] for p in presets(client, script_id)] == ["Short fin", "Long fin"]

    renamed = client.put(url, {"name": "Longest fin"})
    assert renamed.status_code == 200 and renamed.get_json()["preset"]["name"] == "Longest fin"
    assert renamed.get_json()["preset"]["parameters"] == {"length": 2.5, "mode": "exact"}
    changed = client.put(url, {"parameters": {"length": 3}}).get_json()["preset"]
    assert changed["name"] == "Longest fin" and changed["parameters"] == {"length": 3.0}

    assert client.delete(url).get_json() == {"status": "deleted"}
    assert [p["source"] for p in presets(client, script_id)] == ["example"]
    assert client.delete(url).status_code == 404
    for action in ("preset.create", "preset.update", "preset.delete"):
        assert count(services, AuditEvent, AuditEvent.action == action) >= 1


def test_secret_values_are_never_kept(script_id, login, make_user):
    client = login(make_user())
    created = save(client, script_id, "With token", length=1, token="hunter2").get_json()
    assert created["preset"]["parameters"] == {"length": 1.0}


def test_sets_are_private_to_their_owner(script_id, login, make_user, services):
    alice, bob = login(make_user("alice")), login(make_user("bob"))
    preset_id = save(alice, script_id, "Mine", length=1).get_json()["preset"]["id"]
    assert [p["source"] for p in presets(bob, script_id)] == ["example"]
    url = f"/api/scripts/{script_id}/presets/{preset_id}"
    assert bob.put(url, {"name": "Stolen"}).status_code == 404
    assert bob.delete(url).status_code == 404
    assert save(bob, script_id, "Mine", length=2).status_code == 201  # names are per user
    assert [p["name"] for p in presets(alice, script_id)] == ["Short fin", "Mine"]


def test_a_set_belongs_to_its_script(script_id, login, make_user, services):
    client = login(make_user())
    preset_id = save(client, script_id, "Mine", length=1).get_json()["preset"]["id"]
    other = script_id + 1  # other.py, scanned right after fin.py
    assert client.put(f"/api/scripts/{other}/presets/{preset_id}", {}).status_code == 404


@pytest.mark.parametrize(
    ("parameters", "field"),
    [
        ({"length": 50}, "length"),
        ({"length": "long"}, "length"),
        ({"mode": "slow"}, "mode"),
        ({"label": "x" * 21}, "label"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_values_are_refused_naming_the_field(script_id, login, make_user, parameters, field):
    client = login(make_user())
    response = save(client, script_id, "Bad", **parameters)
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field
    assert client.get(f"/api/scripts/{script_id}/presets").get_json()["items"][1:] == []


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "tab\there"])
def test_bad_names_are_refused(script_id, login, make_user, name):
    response = save(login(make_user()), script_id, name, length=1)
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "name"


def test_a_taken_name_is_a_conflict(script_id, login, make_user):
    client = login(make_user())
    first = save(client, script_id, "Same", length=1).get_json()["preset"]["id"]
    assert save(client, script_id, "Same", length=2).status_code == 409
    second = save(client, script_id, "Other", length=2).get_json()["preset"]["id"]
    url = f"/api/scripts/{script_id}/presets/{second}"
    assert client.put(url, {"name": "Same"}).status_code == 409
    assert (
        client.put(f"/api/scripts/{script_id}/presets/{first}", {"name": "Same"}).status_code == 200
    )


def test_the_number_of_sets_per_script_is_limited(script_id, login, make_user, services):
    services.presets.limit = 3
    client = login(make_user())
    for index in range(3):
        assert save(client, script_id, f"Set {index}", length=1).status_code == 201
    response = save(client, script_id, "One too many", length=1)
    assert response.status_code == 409 and "up to 3" in response.get_json()["error"]["message"]


def test_stale_fields_are_reported_after_the_declarations_change(
    script_id, groups, services, login, make_user
):
    client = login(make_user())
    save(client, script_id, "Before", length=5, mode="exact", label="kept")
    groups.script("thermal", "fin.py", """@required_level: viewer
@parameters: [
  {"name": "length", "type": "float", "max": 1},
  {"name": "mode", "type": "select", "options": ["fast", "rough"]},
  {"name": "label", "type": "int"}
]""")  # fmt: skip
    rescan(services)
    example, own = presets(client, script_id)
    assert example["stale"] == ["mode"] and example["parameters"]["length"] == 0.05
    assert own["stale"] == ["length", "mode", "label"]
    groups.script("thermal", "fin.py", '@parameters: [{"name": "length", "type": "float"}]')
    rescan(services)
    assert presets(client, script_id)[1]["stale"] == ["mode", "label"]


def test_examples_are_read_only(script_id, login, make_user):
    client = login(make_user())
    url = f"/api/scripts/{script_id}/presets/example:short_fin"
    response = client.put(url, {"name": "Mine now"})
    assert response.status_code == 409 and "Examples" in response.get_json()["error"]["message"]
    assert client.delete(url).status_code == 409
    assert presets(client, script_id)[0]["name"] == "Short fin"


@pytest.mark.parametrize(
    "preset_id", ["999", "0", "-1", "abc", "example:nothing", "9" * 30, "1e3", "١"]
)
def test_unknown_ids_are_not_found(script_id, login, make_user, preset_id):
    client = login(make_user())
    url = f"/api/scripts/{script_id}/presets/{preset_id}"
    assert client.put(url, {"name": "x"}).status_code == 404
    assert client.delete(url).status_code == 404


def test_levels_viewers_list_operators_save(script_id, groups, services, login, make_user):
    viewer = login(make_user(level="viewer"))
    assert len(presets(viewer, script_id)) == 1
    assert save(viewer, script_id, "No", length=1).status_code == 403
    groups.script("thermal", "guarded.py", "@required_level: developer")
    rescan(services)
    with services.db.job() as session:
        guarded = session.scalar(select(Script.id).where(Script.filename == "guarded.py"))
    operator = login(make_user(level="operator"))
    assert operator.get(f"/api/scripts/{guarded}/presets").status_code == 404
    assert save(operator, guarded, "No").status_code == 403
    assert operator.get("/api/scripts/987654/presets").status_code == 404


def test_sets_go_with_their_owner(script_id, login, make_user, admin, services):
    user = make_user("leaving")
    save(login(user), script_id, "Gone soon", length=1)
    assert login(admin).delete(f"/api/admin/users/{user.id}").status_code == 200
    assert count(services, ParameterPreset, ParameterPreset.user_id == user.id) == 0
