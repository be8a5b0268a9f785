"""Window tickets: a logged-in page lets a second window (the desktop shell's) log in once."""

from __future__ import annotations

import server.services.auth as auth_module
from tests.support import JsonClient


def ticket_for(client: JsonClient) -> str:
    response = client.post("/api/auth/window-ticket")
    assert response.status_code == 200
    return response.get_json()["ticket"]


def test_a_ticket_logs_a_new_window_in_once(app, make_user, login):
    ann = login(make_user("ann"))
    ticket = ticket_for(ann)
    window = JsonClient(app.test_client())
    assert window.get("/api/auth/user").status_code == 401

    answer = window.get(f"/auth/window?ticket={ticket}&next=/interfaces/abc/")

    assert answer.status_code == 302 and answer.headers["Location"] == "/interfaces/abc/"
    assert window.get("/api/auth/user").get_json()["user"]["username"] == "ann"
    again = JsonClient(app.test_client()).get(f"/auth/window?ticket={ticket}&next=/logs")
    assert again.status_code == 302 and again.headers["Location"].startswith("/login?next=")


def test_tickets_need_a_login_and_csrf(client, make_user, login):
    assert client.post("/api/auth/window-ticket").status_code == 401
    ann = login(make_user("ann"))
    assert ann.post("/api/auth/window-ticket", csrf=False).status_code in (400, 403)


def test_unknown_or_late_tickets_and_foreign_targets_are_refused(
    app, make_user, login, monkeypatch
):
    ann = login(make_user("ann"))
    window = JsonClient(app.test_client())
    assert window.get("/auth/window?ticket=made-up").headers["Location"].startswith("/login")
    monkeypatch.setattr(auth_module, "TICKET_LIFETIME", -1.0)
    late = ticket_for(ann)
    assert window.get(f"/auth/window?ticket={late}").headers["Location"].startswith("/login")
    assert window.get("/api/auth/user").status_code == 401
    monkeypatch.setattr(auth_module, "TICKET_LIFETIME", 60.0)
    ticket = ticket_for(ann)
    answer = window.get(f"/auth/window?ticket={ticket}&next=//elsewhere.example/")
    assert answer.headers["Location"] == "/"


def test_a_deactivated_user_s_ticket_is_refused(app, make_user, login, admin):
    ann_user = make_user("ann")
    ticket = ticket_for(login(ann_user))
    boss = login(admin)
    assert boss.put(f"/api/admin/users/{ann_user.id}", {"is_active": False}).status_code == 200
    window = JsonClient(app.test_client())
    assert window.get(f"/auth/window?ticket={ticket}").headers["Location"].startswith("/login")
