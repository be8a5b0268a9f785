"""Every route states its minimum level, and the rule is enforced for every method."""

from __future__ import annotations

import re

import pytest

from server.security.access import PUBLIC, RULE_ATTRIBUTE
from server.security.levels import LEVELS, level_rank

MUTATIONS = {"POST", "PUT", "DELETE", "PATCH"}


def routes(app):
    """Yield (url, method, rule) for every route, with sample path arguments."""
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        url = re.sub(r"<int:\w+>", "1", rule.rule)
        url = re.sub(r"<(?:\w+:)?\w+>", "x", url)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield url, method, getattr(view, RULE_ATTRIBUTE, None)


def test_every_route_has_an_access_rule(app):
    missing = [(url, method) for url, method, rule in routes(app) if rule is None]
    assert missing == []
    rules = {rule for _, _, rule in routes(app)}
    assert rules <= {PUBLIC, *LEVELS}


def test_anonymous_visitors_reach_only_public_routes(app, client, admin):
    for url, method, rule in routes(app):
        if rule == PUBLIC:
            continue
        response = client.call(method, url, json={} if method in MUTATIONS else None)
        expected = (401,) if url.startswith("/api/") else (302, 401)
        assert response.status_code in expected, (method, url, response.status_code)


@pytest.mark.parametrize("level", LEVELS[:-1])
def test_each_level_is_refused_above_it(app, login, make_user, level):
    client = login(make_user(level=level))
    for url, method, rule in routes(app):
        if rule in (None, PUBLIC) or level_rank(rule) <= level_rank(level):
            continue
        if method == "POST" and url == "/api/auth/logout":
            continue
        response = client.call(method, url, json={} if method in MUTATIONS else None)
        assert response.status_code == 403, (level, method, url, response.status_code)


def test_every_mutation_needs_the_csrf_token(app, login, admin):
    client = login(admin)
    for url, method, _rule in routes(app):
        if url.startswith("/interfaces/"):
            continue  # the proxy passes the script's own requests (tested in test_proxy)
        if method in MUTATIONS:
            response = client.call(method, url, json={}, csrf=False)
            assert response.status_code == 400, (method, url, response.status_code)
            assert response.get_json()["error"]["code"] == "csrf_failed"
