"""Discovery through the API: groups, scripts, precedence, roles, bad headers, refresh."""

from __future__ import annotations

import json

import pytest

HEADER = """@description: Computes the fin efficiency
@description_es: Calcula la eficiencia de la aleta
@required_level: operator
@category: thermal
@tags: heat,fins
@parameters: [
  {"name": "length", "type": "float", "required": true, "unit": "m"}
]"""


@pytest.fixture
def catalog(groups):
    groups.group(
        "thermal", name={"en": "Thermal", "es": "Térmico"}, icon="thermometer", category="eng"
    )
    groups.script("thermal", "fin.py", HEADER)
    groups.script("thermal", "plain.py")
    groups.script("thermal", "_helpers.py")
    groups.group("admin_tools", name="Admin tools", required_level="admin")
    groups.script("admin_tools", "wipe.py", "@required_level: admin")
    groups.group("mixed", required_level="viewer")
    groups.script("mixed", "public.py", "@required_level: viewer")
    groups.script("mixed", "secret.py", "@required_level: developer")
    (groups.root / "not_a_group").mkdir()
    return groups


def rescan(app):
    from server.services.registry import EXTENSION_KEY

    services = app.extensions[EXTENSION_KEY]
    with services.db.job():
        return services.discovery.scan_all()


def names(response) -> list[str]:
    return sorted(item.get("filename") or item["name"] for item in response.get_json()["items"])


def group_id(client, name: str) -> int:
    items = client.get("/api/script-groups").get_json()["items"]
    return next(g["id"] for g in items if g["name"] == name)


def test_groups_and_scripts_are_discovered_with_their_metadata(app, catalog, login, make_user):
    rescan(app)
    client = login(make_user(level="operator"))
    groups = client.get("/api/script-groups").get_json()["items"]
    assert sorted(g["name"] for g in groups) == ["Mixed", "Thermal"]
    thermal = next(g for g in groups if g["name"] == "Thermal")
    assert thermal["icon"] == "thermometer" and thermal["script_count"] == 2
    scripts = client.get(f"/api/script-groups/{thermal['id']}/scripts").get_json()["items"]
    assert [s["filename"] for s in scripts] == ["fin.py", "plain.py"]
    fin = scripts[0]
    assert fin["description"] == "Computes the fin efficiency"
    assert fin["category"] == "thermal" and fin["tags"] == ["heat", "fins"]
    assert [p["name"] for p in fin["parameters"]] == ["length"]
    assert fin["conda_environment"] is None
    assert "warnings" not in fin  # only developers and admins see warnings
    plain = scripts[1]
    assert plain["display_name"] == "Plain" and plain["category"] == "eng"
    assert plain["required_level"] == "operator" and plain["parameters"] == []


def test_descriptions_follow_the_language(app, catalog, login, make_user):
    rescan(app)
    client = login(make_user(level="operator"))
    gid = group_id(client, "Thermal")
    spanish = client.get(f"/api/script-groups/{gid}/scripts?lang=es").get_json()["items"][0]
    assert spanish["description"] == "Calcula la eficiencia de la aleta"
    assert spanish["group_name"] == "Térmico"
    french = client.get(f"/api/script-groups/{gid}/scripts?lang=fr").get_json()["items"][0]
    assert french["description"] == "Computes the fin efficiency"


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("viewer", ["public.py"]),
        ("operator", ["public.py"]),
        ("developer", ["public.py", "secret.py"]),
        ("admin", ["public.py", "secret.py"]),
    ],
)
def test_each_level_sees_only_its_scripts(app, catalog, login, make_user, level, expected):
    rescan(app)
    client = login(make_user(level=level))
    mixed = group_id(client, "Mixed")
    assert names(client.get(f"/api/script-groups/{mixed}/scripts")) == expected
    group_names = [g["name"] for g in client.get("/api/script-groups").get_json()["items"]]
    assert ("Admin tools" in group_names) == (level == "admin")


def test_hidden_scripts_and_groups_answer_404(app, catalog, login, make_user, admin):
    rescan(app)
    admin_client = login(admin)
    admin_group = group_id(admin_client, "Admin tools")
    wipe = admin_client.get(f"/api/script-groups/{admin_group}/scripts").get_json()["items"][0]
    operator = login(make_user(level="operator"))
    assert operator.get(f"/api/script-groups/{admin_group}/scripts").status_code == 404
    assert operator.get(f"/api/scripts/{wipe['id']}").status_code == 404
    assert operator.get(f"/api/scripts/{wipe['id']}/metadata").status_code == 404


def test_script_metadata_json_overrides_the_header(app, catalog, login, make_user):
    scripts_dir = catalog.root / "thermal" / "scripts"
    scripts_dir.mkdir()
    (scripts_dir / "script_metadata.json").write_text(
        json.dumps(
            {
                "fin.py": {
                    "display_name": {"en": "Fin efficiency", "fr": "Efficacité d'ailette"},
                    "description": {"fr": "Calcule l'efficacité"},
                    "category": "fins",
                }
            }
        )
    )
    rescan(app)
    client = login(make_user(level="operator"))
    gid = group_id(client, "Thermal")
    fin = client.get(f"/api/script-groups/{gid}/scripts?lang=fr").get_json()["items"][0]
    assert fin["display_name"] == "Efficacité d'ailette"
    assert fin["description"] == "Calcule l'efficacité"
    assert fin["category"] == "fins"
    english = client.get(f"/api/script-groups/{gid}/scripts?lang=en").get_json()["items"][0]
    assert english["description"] == "Computes the fin efficiency"  # header kept for English


def test_bad_headers_are_listed_with_warnings_and_break_nothing(app, groups, login, make_user):
    groups.group("broken")
    groups.script("broken", "bad_json.py", '@parameters: [{"name": "x",,}]')
    groups.script("broken", "bad_level.py", "@required_level: wizard")
    groups.script("broken", "dupes.py", '@parameters: [{"name": "a"}, {"name": "a"}]')
    (groups.root / "broken" / "latin1.py").write_bytes(
        b'"""\nScriptsManager Metadata:\n@description: \xe9\n"""'
    )
    groups.script("broken", "good.py", "@description: Fine")
    (groups.root / "broken_group").mkdir()
    (groups.root / "broken_group" / "metadata.json").write_text("{nope")
    groups.script("broken_group", "still_listed.py")
    rescan(app)
    developer = login(make_user(level="developer"))
    gid = group_id(developer, "Broken")
    scripts = {
        s["filename"]: s
        for s in developer.get(f"/api/script-groups/{gid}/scripts").get_json()["items"]
    }
    assert sorted(scripts) == ["bad_json.py", "bad_level.py", "dupes.py", "good.py", "latin1.py"]
    assert "not valid JSON" in scripts["bad_json.py"]["warnings"][0]
    assert "wizard" in scripts["bad_level.py"]["warnings"][0]
    assert "duplicate name" in scripts["dupes.py"]["warnings"][0]
    assert [p["name"] for p in scripts["dupes.py"]["parameters"]] == ["a"]
    assert "not UTF-8" in scripts["latin1.py"]["warnings"][0]
    assert scripts["good.py"]["warnings"] == []
    groups_listed = developer.get("/api/script-groups").get_json()["items"]
    broken_group = next(g for g in groups_listed if g["folder"] == "broken_group")
    assert "not valid JSON" in broken_group["warnings"][0]
    assert broken_group["name"] == "Broken group"


def test_vanished_files_become_inactive_and_come_back_with_their_edits(
    app, catalog, login, make_user
):
    rescan(app)
    developer = login(make_user(level="developer"))
    gid = group_id(developer, "Thermal")
    fin = developer.get(f"/api/script-groups/{gid}/scripts").get_json()["items"][0]
    developer.put(f"/api/scripts/{fin['id']}/metadata", {"category": "edited"})
    source = (catalog.root / "thermal" / "fin.py").read_text()
    (catalog.root / "thermal" / "fin.py").unlink()
    assert developer.get(f"/api/script-groups/{gid}/refresh").status_code == 200
    assert names(developer.get(f"/api/script-groups/{gid}/scripts")) == ["plain.py"]
    assert developer.get(f"/api/scripts/{fin['id']}").status_code == 404
    (catalog.root / "thermal" / "fin.py").write_text(source)
    developer.get(f"/api/script-groups/{gid}/refresh")
    back = developer.get(f"/api/scripts/{fin['id']}").get_json()["script"]
    assert back["category"] == "edited"


def test_a_removed_group_folder_disappears(app, catalog, login, admin):
    import shutil

    rescan(app)
    shutil.rmtree(catalog.root / "mixed")
    rescan(app)
    client = login(admin)
    assert "Mixed" not in [g["name"] for g in client.get("/api/script-groups").get_json()["items"]]


def test_refresh_needs_developer(app, catalog, login, make_user):
    rescan(app)
    operator = login(make_user(level="operator"))
    gid = group_id(operator, "Thermal")
    assert operator.get(f"/api/script-groups/{gid}/refresh").status_code == 403


def test_unchanged_files_are_not_parsed_again(app, catalog):
    first = rescan(app)
    second = rescan(app)
    assert first.parsed == 5 and second.parsed == 0
    assert second.scripts == first.scripts == 5
