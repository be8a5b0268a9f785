"""A user's own preferences."""

from __future__ import annotations

import re


def test_preferences_are_saved_per_user(login, make_user):
    user = make_user("nina")
    client = login(user)
    response = client.post("/api/user/preferences", {"language": "fr", "theme": "dark"})
    assert response.get_json()["preferences"] == {"language": "fr", "theme": "dark"}
    again = login(user).get("/api/auth/user").get_json()["user"]
    assert again["preferred_language"] == "fr" and again["preferred_theme"] == "dark"
    page = client.raw.get("/").get_data(as_text=True)
    assert 'data-bs-theme="dark"' in page


def test_bad_preferences_are_refused_and_nothing_changes(login, make_user):
    client = login(make_user("otto"))
    assert client.post("/api/user/preferences", {"language": "de"}).status_code == 400
    assert client.post("/api/user/preferences", {"theme": "pink"}).status_code == 400
    assert client.post("/api/user/preferences", {"theme": 3}).status_code == 400
    user = client.get("/api/auth/user").get_json()["user"]
    assert user["preferred_language"] == "en" and user["preferred_theme"] == "light"


def test_health_reports_database_and_ports(client):
    body = client.get("/health").get_json()
    assert body["status"] == "healthy" and body["database"] is True
    assert body["port_usage"] == {"in_use": 0, "range_size": 201}
    assert body["active_scripts"] == 0


def test_openapi_documents_every_api_route(app, client):
    document = client.get("/api/openapi.json").get_json()
    documented = {
        (path, method.upper()) for path, ops in document["paths"].items() for method in ops
    }
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented
    login = document["paths"]["/api/auth/login"]["post"]
    assert login["x-required-level"] == "public"
    schema = document["components"]["schemas"]["LoginRequest"]
    assert set(schema["required"]) == {"username", "password"}
    assert document["paths"]["/api/admin/users"]["get"]["x-required-level"] == "admin"


def test_unknown_api_paths_answer_json_404(client):
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
