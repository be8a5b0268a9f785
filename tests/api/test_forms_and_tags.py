"""Run forms and tags: errors name the parameter, values come back as typed, tag search."""

from __future__ import annotations

import pytest

from tests.api.test_catalog import rescan
from tests.api.test_runs import run, wait_done

FORM = """@parameters: [
  {"name": "count", "type": "int", "min": 1, "max": 10},
  {"name": "ratio", "type": "float", "min": 0, "max": 5, "step": 0.5},
  {"name": "fast", "type": "bool"},
  {"name": "code", "type": "string", "pattern": "[A-Z]{3}"},
  {"name": "notes", "type": "text", "max": 5},
  {"name": "colour", "type": "select", "options": ["red", "green"]},
  {"name": "shades", "type": "multiselect", "options": ["red", "green", "blue"]},
  {"name": "folder", "type": "path"},
  {"name": "upload", "type": "file"},
  {"name": "token", "type": "secret", "pattern": "[0-9]+"},
  {"name": "day", "type": "date"},
  {"name": "needed", "type": "string", "required": true}
]"""
OK = {"needed": "yes"}
BAD_VALUES = [
    ("count", "many"),
    ("count", 11),
    ("ratio", "x"),
    ("ratio", 0.3),
    ("fast", "maybe"),
    ("code", "abc"),
    ("notes", ["not", "text"]),
    ("notes", "too long"),
    ("colour", "purple"),
    ("shades", ["red", "pink"]),
    ("shades", {"red": 1}),
    ("folder", "../outside"),
    ("folder", "/etc/passwd"),
    ("upload", "a/b.txt"),
    ("upload", "missing.txt"),
    ("token", "abc"),
    ("day", "2024-13-01"),
]


@pytest.fixture
def form(app, groups, login, make_user):
    groups.group("lab", required_level="operator")
    groups.script("lab", "form.py", FORM, "print('ok')\n")
    groups.script("lab", "ui.py", "@interface: true\n@tags: web", "print('ui')\n")
    rescan(app)
    client = login(make_user("olga", level="developer"))
    gid = client.get("/api/script-groups").get_json()["items"][0]["id"]
    listed = client.get(f"/api/script-groups/{gid}/scripts").get_json()["items"]
    return client, {s["filename"].removesuffix(".py"): s["id"] for s in listed}


@pytest.mark.parametrize(("name", "value"), BAD_VALUES)
def test_every_bad_value_names_its_parameter(form, name, value):
    client, ids = form
    response = client.post(
        f"/api/scripts/{ids['form']}/execute", {"parameters": {**OK, name: value}}
    )
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["field"] == name


def test_a_missing_required_value_names_its_parameter(form):
    client, ids = form
    response = client.post(f"/api/scripts/{ids['form']}/execute", {"parameters": {}})
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "needed"


def test_bounds_and_step_reach_the_schema(form):
    client, ids = form
    schema = client.get(f"/api/scripts/{ids['form']}/parameters-schema").get_json()
    ratio = schema["properties"]["ratio"]
    assert (ratio["minimum"], ratio["maximum"], ratio["x-step"]) == (0, 5, 0.5)
    assert schema["properties"]["code"]["pattern"] == "[A-Z]{3}"


def test_a_bad_step_is_dropped_with_a_warning(app, groups, login, make_user):
    groups.group("lab")
    groups.script(
        "lab", "odd.py", '@parameters: [{"name": "n", "type": "int", "step": 0}]', "pass\n"
    )
    rescan(app)
    client = login(make_user("root", level="admin"))
    gid = client.get("/api/script-groups").get_json()["items"][0]["id"]
    script = client.get(f"/api/script-groups/{gid}/scripts").get_json()["items"][0]
    assert script["parameters"] == []
    assert any("step" in warning for warning in script["warnings"])


def test_run_parameters_come_back_as_json_and_show_as_typed(form):
    client, ids = form
    values = {**OK, "fast": False, "shades": ["green", "blue"], "ratio": 1.5, "count": 3}
    execution_id = run(client, ids["form"], values)
    body = wait_done(client, execution_id)
    assert body["parameters"] == values
    page = client.get(f"/logs/{execution_id}").get_data(as_text=True)
    assert 'data-param="fast">false<' in page
    assert 'data-param="shades">green,blue<' in page
    assert 'data-param="ratio">1.5<' in page
    assert "False" not in page and "['green'" not in page


def test_the_auto_open_toggle_is_only_on_interface_scripts(form):
    client, ids = form
    assert 'id="meta-auto-open"' not in client.get(f"/scripts/{ids['form']}").get_data(True)
    assert 'id="meta-auto-open"' in client.get(f"/scripts/{ids['ui']}").get_data(True)


@pytest.fixture
def tagged(app, groups, login, make_user):
    groups.group("shared", required_level="viewer")
    groups.group("secret", required_level="admin")
    groups.script("shared", "both.py", "@tags: heat,water", "pass\n")
    groups.script("shared", "heat.py", "@tags: heat", "pass\n")
    groups.script("secret", "hidden.py", "@tags: heat,water", "pass\n")
    rescan(app)
    return login(make_user("vera", level="viewer")), login(make_user("root", level="admin"))


def names(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return sorted(item["filename"] for item in response.get_json()["items"])


def test_and_or_across_groups_respect_levels(tagged):
    viewer, admin = tagged
    query = "/api/scripts/search-tags?tags=heat,water&match="
    assert names(viewer.get(query + "all")) == ["both.py"]
    assert names(viewer.get(query + "any")) == ["both.py", "heat.py"]
    assert names(admin.get(query + "all")) == ["both.py", "hidden.py"]
    assert names(admin.get(query + "any")) == ["both.py", "heat.py", "hidden.py"]


def test_personal_tags_count_and_match(tagged):
    viewer, _admin = tagged
    gid = viewer.get("/api/script-groups").get_json()["items"][0]["id"]
    scripts = viewer.get(f"/api/script-groups/{gid}/scripts").get_json()["items"]
    heat = next(s["id"] for s in scripts if s["filename"] == "heat.py")
    assert viewer.put(f"/api/scripts/{heat}/tags", {"tags": ["water", "mine"]}).status_code == 200
    listing = viewer.get("/api/tags").get_json()["items"]
    counts = {entry["tag"]: (entry["count"], entry["system"], entry["user"]) for entry in listing}
    assert counts == {
        "heat": (2, True, False), "water": (2, True, True), "mine": (1, False, True),
    }  # fmt: skip
    query = "/api/scripts/search-tags?tags=heat,water&match=all"
    assert names(viewer.get(query)) == ["both.py", "heat.py"]


def test_the_tags_page_and_a_bad_search(tagged):
    viewer, _admin = tagged
    assert viewer.get("/tags").status_code == 200
    bad = viewer.get("/api/scripts/search-tags?tags=heat&match=some")
    assert bad.status_code == 400
    assert viewer.get("/api/scripts/search-tags?tags=,").status_code == 400
