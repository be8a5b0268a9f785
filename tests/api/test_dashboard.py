"""The dashboard's data: favourites, recent scripts, active projects and plural forms."""

from __future__ import annotations

import pytest

from server.services.registry import EXTENSION_KEY
from tests.api.test_catalog import rescan
from tests.api.test_runs import run, wait_done


@pytest.fixture
def lab(app, groups, login, make_user):
    """A group with a quick script, a failing one and an admin-only one; an operator."""
    groups.group("lab", required_level="viewer")
    groups.script("lab", "quick.py", "@display_name: Quick", "print('ok')\n")
    groups.script("lab", "fail.py", "", "import sys\nsys.exit(3)\n")
    groups.script("lab", "secret.py", "@required_level: admin", "print('hi')\n")
    rescan(app)
    client = login(make_user("olga", level="operator"))
    admin = login(make_user("root", level="admin"))
    gid = admin.get("/api/script-groups").get_json()["items"][0]["id"]
    listed = admin.get(f"/api/script-groups/{gid}/scripts").get_json()["items"]
    return client, admin, {s["filename"].removesuffix(".py"): s["id"] for s in listed}, gid


def favourite_ids(client) -> list[int]:
    response = client.get("/api/user/favourites")
    assert response.status_code == 200
    return [item["id"] for item in response.get_json()["items"]]


def test_favourites_add_remove_idempotent(lab):
    client, _admin, ids, _gid = lab
    assert favourite_ids(client) == []
    for _ in range(2):  # starring twice changes nothing
        response = client.put(f"/api/user/favourites/{ids['quick']}")
        assert response.status_code == 200
        assert response.get_json()["script"]["favourite"] is True
    client.put(f"/api/user/favourites/{ids['fail']}")
    assert favourite_ids(client) == [ids["fail"], ids["quick"]]  # newest star first
    item = client.get("/api/user/favourites").get_json()["items"][1]
    assert item["display_name"] == "Quick" and item["group_name"] == "Lab"
    for _ in range(2):
        assert client.delete(f"/api/user/favourites/{ids['quick']}").status_code == 200
    assert favourite_ids(client) == [ids["fail"]]


def test_favourites_are_per_user_and_only_visible_scripts(app, groups, lab):
    client, admin, ids, _gid = lab
    assert client.put(f"/api/user/favourites/{ids['secret']}").status_code == 404
    assert admin.put(f"/api/user/favourites/{ids['secret']}").status_code == 200
    assert favourite_ids(client) == []
    assert favourite_ids(admin) == [ids["secret"]]
    # A script that becomes invisible is simply left out of the list.
    client.put(f"/api/user/favourites/{ids['quick']}")
    groups.script("lab", "quick.py", "@required_level: admin", "print('ok')\n")
    rescan(app)
    assert favourite_ids(client) == []
    assert client.delete(f"/api/user/favourites/{ids['quick']}").status_code == 200


def test_unknown_scripts_are_404_with_a_message(lab):
    client, _admin, _ids, _gid = lab
    for method in (client.put, client.delete):
        response = method("/api/user/favourites/999999")
        assert response.status_code == 404
        assert "999999" in response.get_json()["error"]["message"]


def test_favourites_need_a_login(client, lab):
    assert client.get("/api/user/favourites").status_code == 401


def test_recent_scripts_after_real_runs(lab):
    client, _admin, ids, _gid = lab
    assert client.get("/api/user/recent-scripts").get_json()["items"] == []
    for name in ("quick", "fail", "quick"):
        wait_done(client, run(client, ids[name]))
    items = client.get("/api/user/recent-scripts").get_json()["items"]
    assert [item["id"] for item in items] == [ids["quick"], ids["fail"]]  # distinct, newest
    assert items[0]["last_run"]["status"] == "completed"
    assert items[1]["last_run"]["status"] == "failed"
    assert items[0]["last_run"]["start_time"].endswith("Z")
    page = client.get("/").get_data(as_text=True)
    assert f'href="/scripts/{ids["quick"]}"' in page
    assert 'id="sm-recent-empty"' not in page


def test_the_dashboard_shows_the_active_project(lab):
    client, _admin, _ids, gid = lab
    page = client.get("/").get_data(as_text=True)
    assert f'data-sm-project-select="{gid}"' in page
    assert 'id="sm-favourites-empty"' in page and 'id="sm-recent-empty"' in page
    created = client.post("/api/projects", {"project_name": "alpha", "group_id": gid})
    project = created.get_json()["project"]
    assert client.post(f"/api/projects/{project['id']}/set-active").status_code == 200
    page = client.get("/").get_data(as_text=True)
    assert f'<option value="{project["id"]}" selected>' in page
    assert "sm-health" not in page  # the health card is for admins only


def test_admins_see_the_health_card(lab):
    _client, admin, _ids, _gid = lab
    page = admin.get("/").get_data(as_text=True)
    assert 'id="sm-health"' in page and 'href="/admin/users"' in page


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", {0: "0 scripts", 1: "1 script", 2: "2 scripts", 1000000: "1,000,000 scripts"}),
        ("es", {0: "0 scripts", 1: "1 script", 2: "2 scripts", 1000000: "1.000.000 de scripts"}),
        ("it", {0: "0 script", 1: "1 script", 2: "2 script", 1000000: "1.000.000 di script"}),
        (
            "fr",
            {
                0: "0 script",
                1: "1 script",
                2: "2 scripts",
                1000000: "1\u202f000\u202f000 de scripts",
            },
        ),
    ],
)
def test_plural_forms_follow_cldr(app, language, expected):
    i18n = app.extensions[EXTENSION_KEY].i18n
    for count, text in expected.items():
        assert i18n.translate_plural("dashboard.script_count", count, language) == text
