"""The route x role matrix: every operation of /api/openapi.json, for anonymous and each level.

Below an operation's ``x-required-level`` the answer is 401 or 403; at or above it, it is
anything but (400/404/409 are fine: the request may lack data). Paths carry real ids of
the caller's own objects. The HTML pages are walked the same way; proxied pages on the
interfaces' own origin (where anonymous gets 401: no login page there), and on the
manager's origin, which answers 404 to them for every role.
"""

from __future__ import annotations

from tests.security.clients import NOT_HERE, is_proxied
from tests.security.harness import LEVELS, ROLES
from tests.security.operations import operations, valid_body

SECURITY_CLASS = "route x role matrix"
RANK = {"anonymous": -1, "public": -1, **{level: rank for rank, level in enumerate(LEVELS)}}
# Bodies that would change the caller's session or password are sent empty (400).
EMPTY_BODY = {"POST /api/auth/login", "POST /api/auth/password", "POST /api/auth/setup"}
# Open to all, but gated by something other than a level (the first-run setup token).
TOKEN_GATED = {"POST /api/auth/setup"}
PAGES = [
    ("/", "viewer"), ("/groups/{group_id}", "viewer"), ("/scripts/{script_id}", "viewer"),
    ("/logs", "viewer"), ("/logs/{execution_id}", "viewer"), ("/account", "viewer"),
    ("/tags", "viewer"),
    ("/admin/users", "admin"), ("/admin/interfaces", "admin"), ("/admin/data", "admin"),
    ("/admin/runs", "admin"), ("/admin/audit", "admin"), ("/admin/system-logs", "admin"),
    ("/admin/permissions", "admin"), ("/admin/environments", "admin"),
    ("/admin/discovery", "admin"), ("/admin/documentation", "admin"),
    ("/admin/configuration", "admin"), ("/admin/retention", "admin"),
    ("/interfaces/{session_id}/", "viewer"), ("/interfaces/{session_id}/app/", "viewer"),
    ("/login", "public"), ("/health", "public"),
]  # fmt: skip


def refused(status: int) -> bool:
    """Return True for a refusal on grounds of identity or level."""
    return status in (401, 403)


def test_every_operation_declares_a_known_level(manager, bad):
    ops = operations(manager.anonymous().get("/api/openapi.json").json())
    assert len(ops) >= 60
    for op in ops:
        bad.check(op.level in RANK, f"{op.key}: x-required-level {op.level!r}")
    bad.assert_none()


def test_every_operation_for_every_role(manager, bad):
    ops = operations(manager.anonymous().get("/api/openapi.json").json())
    for role in ROLES:
        client = manager.as_role(role)
        if role in ("operator", "developer", "admin"):
            manager.finished(client, manager.run(client, "echo_args.py", {"text": role}))
        values = manager.values_for(client)
        for op in ops:
            body = None
            if op.method != "GET":
                body = {} if op.key in EMPTY_BODY else valid_body(op, values, role)
            response = client.send(op.method, op.path(values), json=body)
            status = response.status_code
            if RANK[role] < RANK[op.level]:
                expected = 401 if role == "anonymous" else 403
                bad.check(status in (401, 403), f"{role} {op.key}: {status}, expected {expected}")
            elif op.key not in TOKEN_GATED:
                bad.check(not refused(status), f"{role} {op.key} (level {op.level}): {status}")
    bad.assert_none()


def test_every_page_for_every_role(manager, bad):
    for role in ROLES:
        client = manager.as_role(role)
        values = manager.values_for(client)
        for template, level in PAGES:
            path = template.format(**values)
            proxied = is_proxied(path)
            if proxied:  # not served on the manager's origin, whoever asks
                response = client.get(path)
                bad.check(response.status_code == 404 and response.content == NOT_HERE,
                          f"{role} page {template} on the manager's port: "
                          f"{response.status_code}")  # fmt: skip
            status = client.at(path).get(path).status_code
            if RANK[role] < RANK[level]:
                redirected = role == "anonymous" and status == 302 and not proxied
                ok = status in (401, 403) or redirected
                if proxied and role == "anonymous":
                    ok = status == 401
                bad.check(ok, f"{role} page {template}: {status}")
            else:
                bad.check(not refused(status), f"{role} page {template} (level {level}): {status}")
    bad.assert_none()
