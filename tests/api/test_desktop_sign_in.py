"""The personal desktop's sign-in: the OS user's account, one-time tickets handed over
in-process, and no password or login page that works for it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.models import AuditEvent, User
from server.services.desktop_account import account_name
from server.services.errors import NotFound
from tests.support import JsonClient


@pytest.fixture
def desktop(app, services):
    """The manager as the personal desktop runs it: the OS user ``engineer`` signed in."""
    with app.app_context():
        user = services.desktop_account.enable("engineer", "en")
        user_id = user.id
        services.db.remove()
    return user_id


def ticket(app, services) -> str:
    with app.app_context():
        return services.desktop_account.issue_ticket()


def sign_in(client: JsonClient, value: str):
    return client.post("/api/auth/desktop", {"ticket": value})


def test_the_first_start_creates_the_os_users_admin_account_once(app, services, desktop):
    with app.app_context():
        again = services.desktop_account.enable("engineer", "en")
        users = services.db.session.scalars(select(User)).all()
        assert again.id == desktop
        assert [(u.username, u.user_level, u.is_desktop_account) for u in users] == [
            ("engineer", "admin", True)
        ]
        actions = services.db.session.scalars(select(AuditEvent.action)).all()
        assert actions.count("users.create_desktop_account") == 1


def test_a_ticket_signs_the_window_in_once_and_is_refused_when_replayed(app, services, desktop):
    window = JsonClient(app.test_client())
    value = ticket(app, services)
    answer = sign_in(window, value)
    assert answer.status_code == 200
    assert answer.get_json()["user"]["username"] == "engineer"
    assert window.get("/api/auth/user").get_json()["user"]["user_level"] == "admin"

    intruder = JsonClient(app.test_client())
    replay = sign_in(intruder, value)
    assert replay.status_code == 401
    assert "Traceback" not in replay.get_data(as_text=True)
    assert intruder.get("/api/auth/user").status_code == 401


@pytest.mark.parametrize("value", ["", "made-up-ticket", "x" * 101])
def test_unknown_or_malformed_tickets_are_refused(app, client, desktop, value):
    assert sign_in(client, value).status_code in (400, 401)
    assert client.get("/api/auth/user").status_code == 401


def test_a_ticket_works_only_with_the_csrf_token(app, services, desktop):
    window = JsonClient(app.test_client())
    answer = window.post("/api/auth/desktop", {"ticket": ticket(app, services)}, csrf=False)
    assert answer.status_code in (400, 403)
    assert window.get("/api/auth/user").status_code == 401


def test_the_desktop_account_has_no_password_and_no_login_page(app, client, desktop):
    for password in ("", "!desktop-account", "engineer", "Corr3ct-Horse-Battery"):
        answer = client.post("/api/auth/login", {"username": "engineer", "password": password})
        assert answer.status_code in (400, 401)
    page = client.raw.get("/login")
    assert page.status_code == 302
    assert page.headers["Location"].endswith("/desktop/sign-in")
    waiting = client.raw.get("/desktop/sign-in")
    assert waiting.status_code == 200
    assert b"sm-desktop-no-ticket" in waiting.data
    assert client.raw.get("/").headers["Location"].startswith("/login")


def test_a_deactivated_desktop_account_is_not_signed_in(app, services, desktop, make_user, login):
    other_admin = login(make_user("boss", level="admin"))
    assert other_admin.put(f"/api/admin/users/{desktop}", {"is_active": False}).status_code == 200
    answer = sign_in(JsonClient(app.test_client()), ticket(app, services))
    assert answer.status_code == 401
    assert "deactivated" in answer.get_json()["error"]["message"]


def test_outside_the_personal_desktop_there_is_no_desktop_sign_in(app, client, services):
    assert sign_in(client, "anything").status_code == 404
    assert client.raw.get("/desktop/sign-in").headers["Location"].endswith("/login")
    with app.app_context():
        with pytest.raises(NotFound):
            services.desktop_account.issue_ticket()


def test_a_server_on_the_same_home_still_offers_the_first_run_page(app, services, desktop):
    """The desktop account cannot log in with a password, so it is not the admin a server
    needs: the one-time setup link stays until one exists."""
    with app.app_context():
        assert services.users.has_admin() is False
        assert services.first_run.pending_token()


@pytest.mark.parametrize(
    ("os_name", "expected"),
    [("engineer", "engineer"), ("CORP\\Jane Doe", "Jane.Doe"), ("é", "me"), ("a", "me")],
)
def test_account_names_follow_the_user_name_rules(os_name, expected):
    assert account_name(os_name) == expected
