"""Personal API tokens: made, shown once, stored hashed, listed, revoked; Bearer requests on
the API at the owner's current level, with no CSRF token and no session; never on pages."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, select, update

from server.models import ApiToken, utcnow
from server.services.audit import AuditFilters
from tests.api.test_catalog import rescan
from tests.api.test_runs import run, wait_done

SECRET_LENGTH = 4 + 43  # "smt_" and token_urlsafe(32)


class Bearer:
    """A client that sends only ``Authorization: Bearer <token>``: no cookie, no CSRF."""

    def __init__(self, app, token: str, scheme: str = "Bearer") -> None:
        self.raw = app.test_client(use_cookies=False)
        self.header = f"{scheme} {token}".rstrip() if scheme else token
        self.cookies_set: list[str] = []

    def call(self, method: str, path: str, json=None, headers=None):
        sent = {"Authorization": self.header, **(headers or {})}
        response = self.raw.open(path, method=method, json=json, headers=sent)
        response.get_data()
        response.close()
        self.cookies_set += response.headers.getlist("Set-Cookie")
        return response

    def get(self, path: str, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path: str, json=None, **kwargs):
        return self.call("POST", path, json={} if json is None else json, **kwargs)

    def put(self, path: str, json=None, **kwargs):
        return self.call("PUT", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.call("DELETE", path, **kwargs)


def new_token(client, name: str = "ci", **extra) -> dict:
    answer = client.post("/api/user/tokens", {"name": name, **extra})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def audit_events(services, action: str) -> list:
    with services.db.job():
        events, _total = services.audit.events(1, 200, AuditFilters(action=action))
        return [(e.action, e.username, e.target, e.scope, e.details) for e in events]


def stored(services, token_id: int) -> ApiToken:
    with services.db.job() as session:
        return session.get(ApiToken, token_id)


def set_columns(services, token_id: int, **values) -> None:
    with services.db.job() as session:
        session.execute(update(ApiToken).where(ApiToken.id == token_id).values(**values))


@pytest.fixture
def lab(app, groups):
    """A group of operators with one quick script; returns nothing (ids come from the API)."""
    groups.group("lab", required_level="operator")
    groups.script("lab", "hello.py", "", "print('hello from a token')\n")
    rescan(app)


def script_id(client) -> int:
    group = client.get("/api/script-groups").get_json()["items"][0]["id"]
    return client.get(f"/api/script-groups/{group}/scripts").get_json()["items"][0]["id"]


def test_a_token_is_shown_once_listed_without_its_secret_and_revoked(login, make_user, services):
    client = login(make_user("tina", level="viewer"))
    made = new_token(client, "  Nightly export ")
    assert set(made) == {"id", "name", "token", "expires_at"}
    secret = made["token"]
    assert secret.startswith("smt_") and len(secret) == SECRET_LENGTH
    assert made["name"] == "Nightly export"
    expires = datetime.fromisoformat(made["expires_at"].removesuffix("Z"))
    assert abs(expires - (utcnow() + timedelta(days=90))) < timedelta(minutes=1)

    listing = client.get("/api/user/tokens")
    item = listing.get_json()["items"][0]
    assert set(item) == {"id", "name", "prefix", "created_at", "expires_at", "last_used_at"}
    assert item["prefix"] == secret[:10] and item["last_used_at"] is None
    assert secret not in listing.get_data(as_text=True)

    row = stored(services, made["id"])
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    columns = [str(getattr(row, c.key)) for c in ApiToken.__table__.columns]
    assert not any(secret in value for value in columns)

    assert client.delete(f"/api/user/tokens/{made['id']}").get_json() == {"status": "revoked"}
    assert client.get("/api/user/tokens").get_json()["items"] == []
    assert client.delete(f"/api/user/tokens/{made['id']}").status_code == 404
    assert stored(services, made["id"]).revoked_at is not None  # kept for the audit trail


def test_expiry_is_90_days_by_default_chosen_or_never(login, make_user):
    client = login(make_user("eve"))
    one_day = datetime.fromisoformat(new_token(client, expires_in_days=1)["expires_at"][:-1])
    assert abs(one_day - (utcnow() + timedelta(days=1))) < timedelta(minutes=1)
    assert new_token(client, "forever", expires_in_days=None)["expires_at"] is None
    listed = {
        t["name"]: t["expires_at"] for t in client.get("/api/user/tokens").get_json()["items"]
    }
    assert listed["forever"] is None


def test_bearer_acts_at_the_owners_level_on_every_api_route(app, lab, login, make_user):
    viewer = Bearer(app, new_token(login(make_user("vic", level="viewer")))["token"])
    operator_session = login(make_user("ops", level="operator"))
    operator = Bearer(app, new_token(operator_session)["token"])
    admin = Bearer(app, new_token(login(make_user("boss", level="admin")))["token"])

    assert viewer.get("/api/auth/user").get_json()["user"]["username"] == "vic"
    assert viewer.get("/api/script-groups").get_json()["items"] == []  # the lab is operators'
    hello = script_id(operator)
    refused = viewer.post(f"/api/scripts/{hello}/execute", {"parameters": {}})
    assert refused.status_code == 403

    execution_id = run(operator, hello)
    done = wait_done(operator, execution_id)
    assert done["status"] == "completed" and "hello from a token" in done["output"]
    assert operator_session.get(f"/api/logs/execution/{execution_id}").status_code == 200
    assert operator.get("/api/admin/users").status_code == 403
    assert operator.get("/metrics").status_code == 403

    assert admin.get("/api/admin/users").get_json()["total"] == 3
    metrics = admin.get("/metrics")
    assert metrics.status_code == 200 and b"scriptsmanager_active_runs" in metrics.data
    for client in (viewer, operator, admin):
        assert client.cookies_set == []  # a token never makes a session cookie


def test_no_csrf_token_with_bearer_but_a_session_still_needs_it(app, login, make_user):
    user = make_user("carl")
    session = login(user)
    token = new_token(session)["token"]
    bearer = Bearer(app, token)
    changed = bearer.post("/api/user/preferences", {"theme": "dark"})
    assert changed.status_code == 200 and changed.get_json()["preferences"]["theme"] == "dark"
    minted = bearer.post("/api/user/tokens", {"name": "second"})  # no token from a token
    assert minted.status_code == 403

    refused = session.post("/api/user/preferences", {"theme": "light"}, csrf=False)
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf_failed"
    no_csrf = session.post("/api/user/tokens", {"name": "third"}, csrf=False)
    assert no_csrf.status_code == 400

    # With a Bearer header the session cookie is not read: a wrong token is not rescued by it.
    mixed = session.post("/api/user/tokens", {"name": "x"}, csrf=False,
                         headers={"Authorization": "Bearer smt_wrong"})  # fmt: skip
    assert mixed.status_code == 401
    assert session.get("/api/auth/user").status_code == 200  # the session lives on


def test_pages_ignore_tokens_and_tokens_never_open_a_session(app, login, make_user):
    bearer = Bearer(app, new_token(login(make_user("pam")))["token"])
    for page in ("/", "/account", "/logs"):
        answer = bearer.get(page)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"], page
    assert bearer.get("/api/auth/csrf").status_code == 200
    assert bearer.post("/api/auth/window-ticket").status_code == 403  # would open a session
    assert bearer.post("/api/auth/logout").status_code == 403  # no session to end
    assert bearer.get("/api/auth/user").status_code == 200
    assert bearer.cookies_set == []


@pytest.mark.parametrize(
    ("header", "scheme"),
    [
        ("smt_" + "A" * 43, "Bearer"),
        ("not-a-token", "Bearer"),
        ("", "Bearer"),
        ("smt_" + "x" * 500, "bearer"),
    ],
)
def test_forged_tokens_are_401_json(app, make_user, header, scheme):
    make_user("owner")
    client = Bearer(app, header, scheme)
    for path in ("/api/auth/user", "/api/script-groups", "/api/i18n/languages", "/metrics"):
        answer = client.get(path)
        assert answer.status_code == 401, path
        assert answer.get_json()["error"]["code"] == "not_authenticated"
        assert "Traceback" not in answer.get_data(as_text=True)
    assert client.get("/health").status_code == 200  # reads no account: ignores tokens


def test_basic_auth_stays_refused(app, make_user):
    user = make_user("basil")
    pair = base64.b64encode(f"{user.username}:{user.password}".encode()).decode()
    answer = Bearer(app, pair, "Basic").get("/api/auth/user")
    assert answer.status_code == 401 and answer.get_json()["error"]["code"] == "not_authenticated"


def test_expired_and_revoked_tokens_stop_at_once(app, login, make_user, services):
    client = login(make_user("rita"))
    expiring, revoked = new_token(client, "a"), new_token(client, "b")
    users = {name: Bearer(app, t["token"]) for name, t in (("a", expiring), ("b", revoked))}
    for bearer in users.values():
        for _ in range(3):  # read, then kept in memory
            assert bearer.get("/api/auth/user").status_code == 200
    set_columns(services, expiring["id"], expires_at=utcnow() - timedelta(seconds=1))
    assert users["a"].get("/api/auth/user").status_code == 401
    assert client.delete(f"/api/user/tokens/{revoked['id']}").status_code == 200
    answer = users["b"].get("/api/auth/user")
    assert answer.status_code == 401 and "revoked" in answer.get_json()["error"]["message"]


def test_role_changes_deactivation_and_deletion_apply_at_once(
    app, lab, login, make_user, admin, services
):
    user = make_user("otto", level="operator")
    bearer = Bearer(app, new_token(login(user))["token"])
    root = login(admin)
    hello = script_id(bearer)
    for _ in range(3):  # read, then kept in memory
        assert bearer.get("/api/auth/user").get_json()["user"]["user_level"] == "operator"
    assert root.put(f"/api/admin/users/{user.id}", {"user_level": "viewer"}).status_code == 200
    assert bearer.get("/api/auth/user").get_json()["user"]["user_level"] == "viewer"
    assert bearer.post(f"/api/scripts/{hello}/execute", {"parameters": {}}).status_code == 403
    assert root.put(f"/api/admin/users/{user.id}", {"is_active": False}).status_code == 200
    assert bearer.get("/api/auth/user").status_code == 401
    assert root.put(f"/api/admin/users/{user.id}", {"is_active": True}).status_code == 200
    assert bearer.get("/api/auth/user").status_code == 200
    assert root.delete(f"/api/admin/users/{user.id}").status_code == 200
    assert bearer.get("/api/auth/user").status_code == 401
    with services.db.job() as session:
        assert session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all() == []


def test_creation_revocation_and_use_are_audited_and_use_is_rate_limited(
    app, login, make_user, services
):
    client = login(make_user("audra"))
    made = new_token(client, "audited")
    bearer = Bearer(app, made["token"])
    for _ in range(5):
        assert bearer.get("/api/auth/user").status_code == 200
    assert stored(services, made["id"]).last_used_at is not None
    uses = audit_events(services, "tokens.use")
    assert [(a, u, t) for a, u, t, _s, _d in uses] == [
        ("tokens.use", "audra", f"token:{made['id']}")
    ]

    services.token_auth.audit_every = timedelta(0)  # as if ten minutes had passed
    set_columns(services, made["id"], last_used_at=utcnow() - timedelta(minutes=2))
    assert bearer.get("/api/auth/user").status_code == 200
    assert len(audit_events(services, "tokens.use")) == 2
    assert client.delete(f"/api/user/tokens/{made['id']}").status_code == 200

    events = audit_events(services, "tokens.")
    assert [e[0] for e in events] == ["tokens.revoke", "tokens.use", "tokens.use", "tokens.create"]
    assert events[-1][4]["name"] == "audited" and events[-1][4]["prefix"] == made["token"][:10]
    trail = json.dumps(events) + (services.layout.audit_logs / "user_actions.log").read_text()
    assert made["token"] not in trail and made["token"][10:20] not in trail


def test_a_burst_of_requests_reads_and_writes_the_token_once(app, login, make_user, services):
    bearer = Bearer(app, new_token(login(make_user("quick")))["token"])
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if "api_tokens" in statement:
            statements.append(statement.lstrip().split()[0].upper())

    event.listen(services.db.engine, "before_cursor_execute", record)
    try:
        for _ in range(10):
            assert bearer.get("/api/auth/user").status_code == 200
    finally:
        event.remove(services.db.engine, "before_cursor_execute", record)
    assert statements.count("SELECT") <= 2 and statements.count("UPDATE") == 1


def test_admins_list_and_revoke_anyones_tokens(app, login, make_user, admin, services):
    owner = make_user("olive")
    mine = login(owner)
    made = new_token(mine, "deploy")
    bearer = Bearer(app, made["token"])
    assert bearer.get("/api/auth/user").status_code == 200
    root = login(admin)
    listed = root.get(f"/api/admin/users/{owner.id}/tokens").get_json()["items"]
    assert [t["name"] for t in listed] == ["deploy"] and "token" not in listed[0]
    assert mine.get(f"/api/admin/users/{owner.id}/tokens").status_code == 403
    assert mine.delete(f"/api/admin/tokens/{made['id']}").status_code == 403
    assert root.get("/api/admin/users/999999/tokens").status_code == 404

    answer = root.delete(f"/api/admin/tokens/{made['id']}")
    assert answer.get_json() == {"status": "revoked", "user_id": owner.id}
    assert bearer.get("/api/auth/user").status_code == 401
    assert root.delete(f"/api/admin/tokens/{made['id']}").status_code == 404
    assert mine.get("/api/user/tokens").get_json()["items"] == []

    revokes = audit_events(services, "tokens.revoke")
    assert revokes[0][:4] == ("tokens.revoke", "admin0", f"token:{made['id']}", "admin")
    assert revokes[0][4]["owner_id"] == owner.id
    lists = audit_events(services, "tokens.admin_list")
    assert lists[0][:4] == ("tokens.admin_list", "admin0", f"user:{owner.id}", "admin")


def test_another_users_token_is_not_found(login, make_user):
    made = new_token(login(make_user("ann")))
    other = login(make_user("bob"))
    assert other.delete(f"/api/user/tokens/{made['id']}").status_code == 404
    assert other.delete("/api/user/tokens/999999").status_code == 404
    assert other.get("/api/user/tokens").get_json()["items"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "tab\there"}, "name"),
        ({"name": 5}, "name"),
        ({"name": "ok", "expires_in_days": 0}, "expires_in_days"),
        ({"name": "ok", "expires_in_days": 3651}, "expires_in_days"),
        ({"name": "ok", "expires_in_days": "30"}, "expires_in_days"),
        ({"name": "ok", "expires_in_days": True}, "expires_in_days"),
        ({"name": "ok", "expires_in_days": 1.5}, "expires_in_days"),
        ({"name": "ok", "scope": "admin"}, "scope"),
    ],
)
def test_bad_bodies_are_400_naming_the_field(login, make_user, body, field):
    client = login(make_user("bad"))
    answer = client.post("/api/user/tokens", body)
    assert answer.status_code == 400, answer.get_json()
    assert answer.get_json()["error"]["field"] == field
    assert client.get("/api/user/tokens").get_json()["items"] == []


def test_a_body_that_is_not_an_object_is_400(login, make_user):
    client = login(make_user("arr"))
    assert client.post("/api/user/tokens", ["name"]).status_code == 400
    text = client.call("POST", "/api/user/tokens", data="name=x", content_type="text/plain")
    assert text.status_code in (400, 415)


def test_at_most_twenty_live_tokens(login, make_user, services):
    client = login(make_user("many"))
    made = [new_token(client, f"t{n}") for n in range(20)]
    full = client.post("/api/user/tokens", {"name": "one more"})
    assert full.status_code == 409 and "20" in full.get_json()["error"]["message"]
    assert client.delete(f"/api/user/tokens/{made[0]['id']}").status_code == 200
    new_token(client, "in its place")
    set_columns(services, made[1]["id"], expires_at=utcnow() - timedelta(days=1))
    new_token(client, "an expired one does not count")
    assert len(client.get("/api/user/tokens").get_json()["items"]) == 21  # expired still listed


def test_the_openapi_document_describes_the_bearer_scheme(client):
    document = client.get("/api/openapi.json").get_json()
    scheme = document["components"]["securitySchemes"]["bearer"]
    assert scheme == {**scheme, "type": "http", "scheme": "bearer"}
    paths = document["paths"]
    assert {"bearer": []} not in paths["/api/user/tokens"]["post"]["security"]  # session only
    assert {"bearer": []} in paths["/api/script-groups"]["get"]["security"]
    assert {"bearer": []} not in paths["/api/auth/logout"]["post"]["security"]
    assert {"bearer": []} not in paths["/api/auth/window-ticket"]["post"]["security"]
    assert paths["/api/user/tokens"]["post"]["responses"]["201"]
    assert paths["/api/admin/tokens/{token_id}"]["delete"]["x-required-level"] == "admin"
    assert paths["/api/admin/users/{user_id}/tokens"]["get"]["x-required-level"] == "admin"


def test_revoking_every_token_after_a_restore_ends_cached_ones_at_once(
    app, login, make_user, services
):
    client = login(make_user("rex"))
    bearers = [Bearer(app, new_token(client, name)["token"]) for name in ("one", "two")]
    for bearer in bearers * 3:  # read, then kept in memory
        assert bearer.get("/api/auth/user").status_code == 200
    with services.db.job():
        assert services.api_tokens.revoke_every() == 2  # what a restore does (registry)
    assert [b.get("/api/auth/user").status_code for b in bearers] == [401, 401]
    assert client.get("/api/user/tokens").get_json()["items"] == []
