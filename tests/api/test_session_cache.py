"""A logged-in request reads no session from the database, and every change that ends or
alters a login still takes effect on the very next request."""

from __future__ import annotations

import pytest
from sqlalchemy import event

SESSION_QUERY = "FROM auth_sessions"


@pytest.fixture
def session_queries(services):
    """Count the SELECTs of the session table the server runs."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT") and SESSION_QUERY in statement:
            seen.append(statement)

    event.listen(services.db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(services.db.engine, "before_cursor_execute", record)


@pytest.fixture
def as_admin(login, admin):
    return login(admin)


def test_repeated_requests_read_the_session_once(make_user, login, session_queries):
    client = login(make_user("cached"))
    for _ in range(5):
        assert client.get("/api/auth/user").status_code == 200
    assert len(session_queries) <= 1


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"is_active": False}, 401),
        ({"user_level": "viewer"}, "viewer"),
        ({"preferred_language": "fr"}, "fr"),
    ],
)
def test_an_admin_change_applies_to_the_next_request(make_user, login, as_admin, change, expected):
    user = make_user("changed", level="operator")
    client = login(user)
    assert client.get("/api/auth/user").status_code == 200  # now cached
    assert as_admin.put(f"/api/admin/users/{user.id}", change).status_code == 200
    answer = client.get("/api/auth/user")
    if expected == 401:
        assert answer.status_code == 401
    else:
        assert expected in answer.get_json()["user"].values()


def test_logout_ends_the_cached_session_at_once(make_user, login):
    client = login(make_user("leaver"))
    cookie = client.raw.get_cookie("scriptsmanager_session")
    assert client.get("/api/auth/user").status_code == 200
    assert client.post("/api/auth/logout").status_code == 200
    replay = login(make_user("other"))  # another browser holding the old cookie
    replay.raw.set_cookie(cookie.key, cookie.value)
    assert replay.get("/api/auth/user").status_code == 401


def test_a_password_change_ends_the_other_sessions_at_once(make_user, login):
    user = make_user("mover")
    first, second = login(user), login(user)
    assert second.get("/api/auth/user").status_code == 200  # cached
    body = {"current_password": user.password, "new_password": "An0ther-Long-Pass"}
    assert first.post("/api/auth/password", body).status_code == 200
    assert second.get("/api/auth/user").status_code == 401
    assert first.get("/api/auth/user").status_code == 200


def test_deleting_a_user_ends_their_cached_session(make_user, login, as_admin):
    user = make_user("gone")
    client = login(user)
    assert client.get("/api/auth/user").status_code == 200
    assert as_admin.delete(f"/api/admin/users/{user.id}").status_code in (200, 204)
    assert client.get("/api/auth/user").status_code == 401


def test_an_unchanged_session_cookie_is_not_sent_again(make_user, login):
    client = login(make_user("quiet"))
    answer = client.get("/api/auth/user")
    assert answer.status_code == 200
    assert "Set-Cookie" not in answer.headers
    assert "Set-Cookie" in client.post("/api/auth/logout").headers  # a change is sent
