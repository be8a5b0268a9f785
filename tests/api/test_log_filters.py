"""Saved filters of the Logs page: save, list, apply, rename, delete; checks; privacy."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tests.api.run_history import failing, hello, listed, script_ids, write_lab


@pytest.fixture
def uma(app, groups, login, make_user):
    write_lab(app, groups)
    return login(make_user("uma"))


def test_a_preset_round_trip(uma):
    good, bad = hello(uma, "zebra"), failing(uma)
    hello_id = script_ids(uma)["hello"]
    body = {"name": "  Failures ", "filters": {"status": "failed", "sort": "duration"}}
    created = uma.post("/api/logs/filters", body)
    assert created.status_code == 201
    preset = created.get_json()["preset"]
    assert preset["name"] == "Failures"
    assert preset["filters"] == {"status": "failed", "sort": "duration"}
    assert [p["id"] for p in uma.get("/api/logs/filters").get_json()["items"]] == [preset["id"]]
    assert listed(uma, urlencode(preset["filters"])) == [bad]  # applied as the list's query

    change = {"name": "Zebra runs", "filters": {"q": "zebra", "script_id": hello_id}}
    changed = uma.put(f"/api/logs/filters/{preset['id']}", change).get_json()["preset"]
    assert changed["filters"] == {"q": "zebra", "script_id": str(hello_id)}
    assert listed(uma, urlencode(changed["filters"])) == [good]
    renamed = uma.put(f"/api/logs/filters/{preset['id']}", {"name": "Zebras"}).get_json()
    assert renamed["preset"]["name"] == "Zebras" and renamed["preset"]["filters"]["q"] == "zebra"

    assert uma.delete(f"/api/logs/filters/{preset['id']}").status_code == 200
    assert uma.get("/api/logs/filters").get_json()["items"] == []
    assert uma.delete(f"/api/logs/filters/{preset['id']}").status_code == 404


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"page": 2}, "page"),
        ({"status": "bogus"}, "status"),
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"script_id": 0}, "script_id"),
        ({"min_duration": -1}, "min_duration"),
        ({"starred": "maybe"}, "starred"),
        ({"order": "sideways"}, "order"),
        ({"user_id": "all"}, "user_id"),  # admins only
        ({"q": ["a", "b"]}, "q"),
        ({"min_duration": 1.5}, "min_duration"),
    ],
)
def test_bad_filters_are_400_naming_the_key(uma, filters, field):
    answer = uma.post("/api/logs/filters", {"name": "x", "filters": filters})
    assert answer.status_code == 400
    assert answer.get_json()["error"]["field"] == field


def test_names_are_unique_and_presets_limited(uma, services, login, admin):
    assert uma.post("/api/logs/filters", {"name": "Mine", "filters": {}}).status_code == 201
    taken = uma.post("/api/logs/filters", {"name": "Mine", "filters": {"q": "x"}})
    assert taken.status_code == 409 and "Mine" in taken.get_json()["error"]["message"]
    other = uma.post("/api/logs/filters", {"name": "Other", "filters": {"starred": True}})
    assert other.get_json()["preset"]["filters"] == {"starred": "true"}
    other_id = other.get_json()["preset"]["id"]
    assert uma.put(f"/api/logs/filters/{other_id}", {"name": "Mine"}).status_code == 409
    assert uma.post("/api/logs/filters", {"name": "", "filters": {}}).status_code == 400
    services.log_filters.limit = 2
    assert uma.post("/api/logs/filters", {"name": "Third", "filters": {}}).status_code == 409
    root = login(admin)  # the limit is per user; admins may choose runs by user
    everyone = root.post("/api/logs/filters", {"name": "Mine", "filters": {"user_id": "all"}})
    assert everyone.status_code == 201
    bad = root.post("/api/logs/filters", {"name": "Bad", "filters": {"user_id": "some"}})
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "user_id"


def test_presets_are_private(uma, login, make_user):
    preset = uma.post("/api/logs/filters", {"name": "Mine", "filters": {"q": "x"}}).get_json()
    preset_id = preset["preset"]["id"]
    vic = login(make_user("vic"))
    assert vic.get("/api/logs/filters").get_json()["items"] == []
    assert vic.put(f"/api/logs/filters/{preset_id}", {"name": "Stolen"}).status_code == 404
    assert vic.delete(f"/api/logs/filters/{preset_id}").status_code == 404
    assert vic.post("/api/logs/filters", {"name": "Mine", "filters": {}}).status_code == 201
    assert [p["name"] for p in uma.get("/api/logs/filters").get_json()["items"]] == ["Mine"]
    assert uma.get("/api/logs/filters").get_json()["items"][0]["filters"] == {"q": "x"}
