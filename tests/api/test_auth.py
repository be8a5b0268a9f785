"""Login, logout, sessions, throttling, CSRF, first run and security headers."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import update

from server.models import AuthSession, utcnow
from tests.support import JsonClient


def test_login_returns_the_user_without_the_hash(client, make_user):
    user = make_user("alice", level="developer")
    response = client.post("/api/auth/login", {"username": "alice", "password": user.password})
    assert response.status_code == 200
    body = response.get_json()
    assert body["user"]["username"] == "alice"
    assert body["user"]["user_level"] == "developer"
    assert body["csrf_token"]
    assert "password" not in json.dumps(body)
    assert client.get("/api/auth/user").get_json()["user"]["username"] == "alice"


def test_user_names_are_matched_without_case(client, make_user):
    user = make_user("Bob")
    assert (
        client.post("/api/auth/login", {"username": "bob", "password": user.password}).status_code
        == 200
    )


def test_wrong_password_and_unknown_user_get_the_same_answer(client, make_user):
    make_user("carol")
    wrong = client.post("/api/auth/login", {"username": "carol", "password": "nope-nope-nope"})
    unknown = client.post("/api/auth/login", {"username": "nobody", "password": "nope-nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()


def test_inactive_user_cannot_log_in(client, make_user, login, admin):
    user = make_user("dave")
    login(admin).put(f"/api/admin/users/{user.id}", {"is_active": False})
    response = client.post("/api/auth/login", {"username": "dave", "password": user.password})
    assert response.status_code == 401


def test_repeated_failures_are_throttled_even_for_unknown_users(client, make_user):
    user = make_user("erin")
    make_user("admin9", level="admin")
    for name in ("erin", "ghost"):
        statuses = [
            client.post(
                "/api/auth/login", {"username": name, "password": "bad-password!"}
            ).status_code
            for _ in range(6)
        ]
        assert statuses[:5] == [401] * 5
        assert statuses[5] == 429
    refused = client.post("/api/auth/login", {"username": "erin", "password": user.password})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.get_json()["error"]["code"] == "too_many_requests"
    # Another account from the same address is never locked out by those failures.
    other = client.post("/api/auth/login", {"username": "admin9", "password": user.password})
    assert other.status_code == 200


def test_mutations_without_csrf_token_are_refused(client, make_user):
    user = make_user("frank")
    response = client.post(
        "/api/auth/login", {"username": "frank", "password": user.password}, csrf=False
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf_failed"
    forged = client.post(
        "/api/auth/login",
        {"username": "frank", "password": user.password},
        headers={"X-CSRFToken": "forged"},
        csrf=False,
    )
    assert forged.status_code == 400


def test_logout_revokes_the_session_on_the_server(app, login, make_user):
    client = login(make_user("gina"))
    stolen_cookie = client.raw.get_cookie("scriptsmanager_session").value
    assert client.post("/api/auth/logout").status_code == 200
    assert client.get("/api/auth/user").status_code == 401
    replay = JsonClient(app.test_client())
    replay.raw.set_cookie("scriptsmanager_session", stolen_cookie)
    assert replay.get("/api/auth/user").status_code == 401


def test_password_change_revokes_other_sessions(login, make_user):
    user = make_user("hank")
    laptop, desktop = login(user), login(user)
    response = laptop.post(
        "/api/auth/password",
        {"current_password": user.password, "new_password": "An0ther-Long-Secret"},
    )
    assert response.status_code == 200
    assert laptop.get("/api/auth/user").status_code == 200
    assert desktop.get("/api/auth/user").status_code == 401


def test_password_change_checks_the_current_password_and_rules(login, make_user):
    user = make_user("iris")
    client = login(user)
    wrong = client.post(
        "/api/auth/password", {"current_password": "wrong", "new_password": "An0ther-Long-Secret"}
    )
    assert wrong.status_code == 400
    assert wrong.get_json()["error"]["field"] == "current_password"
    short = client.post(
        "/api/auth/password", {"current_password": user.password, "new_password": "short"}
    )
    assert short.status_code == 400
    assert short.get_json()["error"]["field"] == "new_password"


def test_deactivation_revokes_sessions(login, make_user, admin):
    user = make_user("jack")
    client = login(user)
    login(admin).put(f"/api/admin/users/{user.id}", {"is_active": False})
    assert client.get("/api/auth/user").status_code == 401


def test_expired_sessions_are_refused(app, login, make_user, services):
    client = login(make_user("kate"))
    services.db.session.execute(
        update(AuthSession).values(expires_at=utcnow() - timedelta(seconds=1))
    )
    services.db.session.commit()
    assert client.get("/api/auth/user").status_code == 401


def test_login_body_is_validated(client):
    assert client.post("/api/auth/login", {"username": "x"}).status_code == 400
    not_json = client.call("POST", "/api/auth/login", data="username=x", content_type="text/plain")
    assert not_json.status_code == 400
    extra = client.post("/api/auth/login", {"username": "x", "password": "y", "admin": True})
    assert extra.status_code == 400
    assert extra.get_json()["error"]["field"] == "admin"


def test_first_run_needs_the_setup_token_and_creates_one_admin_only(client, settings):
    assert client.raw.get("/login").headers["Location"].endswith("/setup")
    token_file = settings.home / "setup_token"
    assert token_file.stat().st_mode & 0o777 == 0o600
    token = token_file.read_text()
    first = {"username": "root1", "email": "root@example.com", "password": "F1rst-Admin-Pass"}
    for wrong in ({}, {"setup_token": ""}, {"setup_token": token[:-1] + "x"}):
        refused = client.post("/api/auth/setup", {**first, **wrong})
        assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    page = client.raw.get("/setup")
    assert page.status_code == 403 and b"sm-setup-form" not in page.data
    assert b"sm-setup-form" in client.raw.get(f"/setup?token={token}").data
    assert client.post("/api/auth/setup", {**first, "setup_token": token}).status_code == 201
    assert not token_file.exists()
    second = {"username": "root2", "email": "r2@example.com", "password": "F1rst-Admin-Pass"}
    assert client.post("/api/auth/setup", {**second, "setup_token": token}).status_code == 409
    assert client.raw.get(f"/setup?token={token}").headers["Location"].endswith("/login")
    login = client.post("/api/auth/login", {"username": "root1", "password": first["password"]})
    assert login.get_json()["user"]["user_level"] == "admin"


def test_session_cookie_is_http_only_and_same_site(client, make_user):
    user = make_user("lena")
    response = client.post("/api/auth/login", {"username": "lena", "password": user.password})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_pages_carry_security_headers(client, admin):
    response = client.raw.get("/login")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert b"<script>" not in response.data  # templates carry no inline JS


def test_anonymous_pages_redirect_to_login(client, admin):
    response = client.raw.get("/admin/users")
    assert response.status_code == 302
    assert "/login?next=/admin/users" in response.headers["Location"]
