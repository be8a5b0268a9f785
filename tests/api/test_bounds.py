"""Integers out of range are refused before they reach the database, and the API reference
says exactly what the services accept (the Schemathesis finding and its fixes)."""

from __future__ import annotations

import re
from typing import get_args

import pytest
from werkzeug.routing import Map, Rule

from server.api.common import SAFE_NAME, Language, Level, Theme
from server.api.converters import MAX_ID, BoundedIntConverter
from server.security.levels import LEVELS
from server.services.errors import InvalidInput
from server.services.safe_paths import safe_component
from server.services.users import THEMES
from server.settings import LANGUAGES
from tests.api.test_catalog import rescan

TOO_BIG = MAX_ID + 1
# The request of the finding: it answered 500.
FINDING = {"group_id": 2281518481351174434647575625728, "project_name": ""}


@pytest.fixture
def as_admin(login, admin):
    return login(admin)


@pytest.fixture
def group_id(app, groups, as_admin) -> int:
    groups.group("lab")
    groups.script("lab", "hello.py", code="print('hello')\n")
    rescan(app)
    return as_admin.get("/api/script-groups").get_json()["items"][0]["id"]


def field_of(response) -> str | None:
    return response.get_json()["error"].get("field")


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("1", 1),
        (str(MAX_ID), MAX_ID),
        ("007", 7),
        ("0", None),
        (str(TOO_BIG), None),
        ("9" * 5000, None),  # more digits than int() parses
        ("٣", None),  # a digit, but not an ASCII one
        ("-1", None),
    ],
)
def test_the_int_converter_matches_ids_only(text, matches):
    adapter = Map([Rule("/p/<int:id>", endpoint="p")], converters={"int": BoundedIntConverter})
    adapter = adapter.bind("localhost")
    if matches is None:
        assert adapter.test(f"/p/{text}") is False
    else:
        assert adapter.match(f"/p/{text}") == ("p", {"id": matches})


def test_the_app_routes_every_int_through_the_bounded_converter(app):
    assert app.url_map.converters["int"] is BoundedIntConverter
    int_rules = [r for r in app.url_map.iter_rules() if "<int:" in r.rule]
    assert any(not r.rule.startswith("/api/") for r in int_rules)  # the pages too
    for rule in int_rules:
        converters = rule._converters.values()
        assert all(c.max == MAX_ID for c in converters if isinstance(c, BoundedIntConverter))


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/scripts/{id}"),
        ("PUT", "/api/projects/{id}"),
        ("DELETE", "/api/admin/users/{id}"),
        ("GET", "/api/data/{id}/1/files"),
        ("GET", "/api/data/1/{id}/files"),
        ("POST", "/api/scripts/{id}/execute"),
        ("GET", "/api/logs/project/{id}"),
        ("GET", "/groups/{id}"),
        ("GET", "/scripts/{id}"),
    ],
)
def test_huge_ids_in_paths_are_not_found(as_admin, method, path):
    for huge in (str(TOO_BIG), str(FINDING["group_id"]), "9" * 5000):
        response = as_admin.call(method, path.format(id=huge), json={})
        assert response.status_code == 404, (path, huge[:30])


def test_the_largest_id_reaches_the_service(as_admin):
    response = as_admin.get(f"/api/scripts/{MAX_ID}")
    assert response.status_code == 404
    assert response.get_json()["error"]["message"] == f"Script {MAX_ID} does not exist."


def test_the_findings_request_is_refused(as_admin):
    response = as_admin.post("/api/projects", FINDING)
    assert response.status_code == 400
    assert field_of(response) == "group_id"


@pytest.mark.parametrize("group", [0, TOO_BIG, -(2**70)])
def test_out_of_range_ids_in_bodies_name_the_field(as_admin, group_id, group):
    response = as_admin.post("/api/projects", {"group_id": group, "project_name": "ok"})
    assert response.status_code == 400
    assert field_of(response) == "group_id"
    accepted = as_admin.post("/api/projects", {"group_id": group_id, "project_name": "ok"})
    assert accepted.status_code == 201


def test_out_of_range_project_of_a_run_names_the_field(as_admin, app, group_id):
    scripts = as_admin.get(f"/api/script-groups/{group_id}/scripts").get_json()["items"]
    for project in (TOO_BIG, 0, "9" * 30, 1e300):
        response = as_admin.post(
            f"/api/scripts/{scripts[0]['id']}/execute", {"parameters": {}, "project_id": project}
        )
        assert response.status_code == 400
        assert field_of(response) == "project_id"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (f"/api/admin/users?page={MAX_ID}", "page"),
        ("/api/admin/users?page=0", "page"),
        ("/api/admin/users?per_page=201", "per_page"),
        (f"/api/admin/logs/audit?per_page={TOO_BIG}", "per_page"),
        (f"/api/logs/execution?script_id={TOO_BIG}", "script_id"),
        (f"/api/logs/execution?project_id={'9' * 5000}", "project_id"),
        ("/api/logs/execution?min_duration=-1", "min_duration"),
        (f"/api/logs/execution?max_duration={TOO_BIG}", "max_duration"),
        (f"/api/projects?group_id={TOO_BIG}", "group_id"),
        (f"/api/projects/active?group_id={TOO_BIG}", "group_id"),
        ("/api/projects/active", "group_id"),
        (f"/api/logs/execution/nope/content?offset={TOO_BIG}", "offset"),
        ("/api/logs/execution/nope/content?length=0", "length"),
        ("/api/admin/logs/system?lines=5001", "lines"),
        ("/api/logs/execution?order=sideways", "order"),
    ],
)
def test_out_of_range_query_numbers_are_refused_by_name(as_admin, query, field):
    response = as_admin.get(query)
    assert response.status_code == 400
    assert field_of(response) == field


@pytest.mark.parametrize(
    "query",
    [
        f"/api/admin/users?page={MAX_ID // 200}&per_page=200",
        f"/api/logs/execution?page={MAX_ID // 200}&per_page=200&max_duration={MAX_ID}",
        "/api/logs/execution?date_from=0001-01-01&date_to=9999-12-31",
        "/api/admin/logs/system?lines=5000",
    ],
)
def test_the_largest_query_numbers_and_dates_are_answered(as_admin, query):
    assert as_admin.get(query).status_code == 200


def test_the_documented_words_are_the_services_words():
    assert get_args(Level) == LEVELS
    assert get_args(Language) == LANGUAGES
    assert get_args(Theme) == THEMES


@pytest.mark.parametrize(
    "name",
    ["a", "A1", "a" * 100, "a" * 101, "con", "CON.txt", "con1", "com1", "Lpt9.x", "a.", "a..b"]
    + ["-a", ".a", "a-b_c.d", "a/b", "a b", "é", "nul_x", "aux."],
)
def test_the_documented_project_name_is_what_safe_component_accepts(name):
    try:
        safe_component(name, "project_name")
        accepted = True
    except InvalidInput:
        accepted = False
    assert bool(re.search(SAFE_NAME, name)) is accepted


def test_the_document_bounds_ids_and_documents_queries_and_links(client):
    document = client.get("/api/openapi.json").get_json()
    put = document["paths"]["/api/projects/{project_id}"]["put"]
    assert put["parameters"][0]["schema"] == {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    listed = document["paths"]["/api/logs/execution"]["get"]["parameters"]
    assert {"page", "per_page", "sort", "order", "script_id", "q"} <= {p["name"] for p in listed}
    schemas = document["components"]["schemas"]
    assert schemas["NewProject"]["properties"]["group_id"]["maximum"] == MAX_ID
    assert "pattern" in schemas["NewProject"]["properties"]["project_name"]
    created = document["paths"]["/api/projects"]["post"]["responses"]["201"]
    assert created["links"]["projects_api.update_project"]["parameters"] == {
        "path.project_id": "$response.body#/project/id"
    }
    started = document["paths"]["/api/scripts/{script_id}/execute"]["post"]["responses"]["202"]
    assert started["links"]["logs_api.run_detail"]["parameters"] == {
        "path.execution_id": "$response.body#/execution_id"
    }
    assert schemas["Error"]["properties"]["error"]["required"] == ["code", "message"]
