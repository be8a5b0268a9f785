"""User management by admins, with last-admin protection."""

from __future__ import annotations

import pytest


@pytest.fixture
def as_admin(login, admin):
    return login(admin)


def test_admin_creates_lists_and_updates_users(as_admin):
    created = as_admin.post(
        "/api/admin/users",
        {
            "username": "op1",
            "email": "Op1@Example.com",
            "password": "0perator-Pass",
            "user_level": "operator",
        },
    )
    assert created.status_code == 201
    user = created.get_json()["user"]
    assert user["email"] == "op1@example.com"
    assert "password_hash" not in user
    listing = as_admin.get("/api/admin/users").get_json()
    assert listing["total"] == 2 and listing["page"] == 1
    assert {u["username"] for u in listing["items"]} == {"admin0", "op1"}
    updated = as_admin.put(f"/api/admin/users/{user['id']}", {"user_level": "developer"})
    assert updated.get_json()["user"]["user_level"] == "developer"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {
                "username": "x",
                "email": "x@example.com",
                "password": "Long-Enough-1",
                "user_level": "operator",
            },
            "username",
        ),
        (
            {
                "username": "okname",
                "email": "not-an-email",
                "password": "Long-Enough-1",
                "user_level": "operator",
            },
            "email",
        ),
        (
            {
                "username": "okname",
                "email": "ok@example.com",
                "password": "short",
                "user_level": "operator",
            },
            "password",
        ),
        (
            {
                "username": "okname",
                "email": "ok@example.com",
                "password": "Long-Enough-1",
                "user_level": "root",
            },
            "user_level",
        ),
        (
            {
                "username": "okname",
                "email": "ok@example.com",
                "password": 12345678901,
                "user_level": "operator",
            },
            "password",
        ),
    ],
)
def test_bad_user_fields_are_named(as_admin, body, field):
    response = as_admin.post("/api/admin/users", body)
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field


def test_duplicate_names_and_emails_conflict(as_admin, make_user):
    make_user("taken")
    same_name = {
        "username": "TAKEN",
        "email": "n@example.com",
        "password": "Long-Enough-1",
        "user_level": "viewer",
    }
    assert as_admin.post("/api/admin/users", same_name).status_code == 409
    same_mail = {
        "username": "fresh",
        "email": "taken@example.com",
        "password": "Long-Enough-1",
        "user_level": "viewer",
    }
    assert as_admin.post("/api/admin/users", same_mail).status_code == 409


def test_last_admin_cannot_be_demoted_deactivated_or_deleted(as_admin, admin, make_user, login):
    for change in ({"user_level": "developer"}, {"is_active": False}):
        response = as_admin.put(f"/api/admin/users/{admin.id}", change)
        assert response.status_code == 409, change
    other = make_user("admin2", level="admin")
    assert login(other).delete(f"/api/admin/users/{admin.id}").status_code == 200
    assert login(other).delete(f"/api/admin/users/{other.id}").status_code == 409


def test_admin_cannot_delete_themselves(as_admin, admin, make_user):
    make_user("admin2", level="admin")
    assert as_admin.delete(f"/api/admin/users/{admin.id}").status_code == 409


def test_deleting_a_user_removes_them(as_admin, make_user):
    user = make_user("gone")
    assert as_admin.delete(f"/api/admin/users/{user.id}").status_code == 200
    assert as_admin.get(f"/api/admin/users/{user.id}").status_code == 404
    assert as_admin.delete(f"/api/admin/users/{user.id}").status_code == 404


@pytest.mark.parametrize("level", ["viewer", "operator", "developer"])
def test_non_admins_are_refused(login, make_user, level):
    client = login(make_user(level=level))
    assert client.get("/api/admin/users").status_code == 403
    body = {
        "username": "sneaky",
        "email": "s@example.com",
        "password": "Long-Enough-1",
        "user_level": "admin",
    }
    assert client.post("/api/admin/users", body).status_code == 403


def test_projects_and_reset_data(as_admin, make_user, settings, services):
    from server.models import UserProject

    user = make_user("maria")
    folder = settings.base_data_path / "script_groups" / "thermal" / "maria" / "project_x"
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    keep = settings.base_data_path / "script_groups" / "thermal" / "admin0"
    keep.mkdir(parents=True)
    session = services.db.session
    session.add_all(
        [
            UserProject(user_id=user.id, project_name="project_default", is_default=True),
            UserProject(user_id=user.id, project_name="project_x", is_default=False),
        ]
    )
    session.commit()
    projects = as_admin.get(f"/api/admin/users/{user.id}/projects").get_json()["items"]
    assert sorted(p["project_name"] for p in projects) == ["project_default", "project_x"]
    result = as_admin.post(f"/api/admin/users/{user.id}/reset-data").get_json()
    assert result == {"folders_removed": 1, "projects_removed": 1}
    assert not folder.exists() and keep.exists()
    projects = as_admin.get(f"/api/admin/users/{user.id}/projects").get_json()["items"]
    assert [p["project_name"] for p in projects] == ["project_default"]


def test_changes_are_audited(as_admin, services, settings):
    from sqlalchemy import select

    from server.models import AuditEvent

    body = {
        "username": "audited",
        "email": "a@example.com",
        "password": "Long-Enough-1",
        "user_level": "viewer",
    }
    as_admin.post("/api/admin/users", body)
    event = services.db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "user.create", AuditEvent.username == "admin0"
        )
    ).one()
    assert event.username == "admin0" and event.scope == "admin"
    assert event.remote_addr == "127.0.0.1"
    lines = (settings.logs_path / "audit" / "admin_actions.log").read_text().splitlines()
    assert any('"user.create"' in line and '"audited"' in line for line in lines)


def test_pagination_is_validated(as_admin):
    assert as_admin.get("/api/admin/users?page=0").status_code == 400
    assert as_admin.get("/api/admin/users?per_page=abc").status_code == 400
