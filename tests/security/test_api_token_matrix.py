"""API tokens x roles: every operation of /api/openapi.json, sent with only a Bearer token.

Each level's token (no cookie, no CSRF token) is answered as that level's session is:
below an operation's ``x-required-level`` 403, at or above it anything but 401/403 — except
the operations whose security lists no ``bearer`` (they would hand out a session), which
refuse a token with 403. No answer to a token asks for a CSRF token or sets a cookie. A
forged token gets 401 on every operation, public ones included (``/health`` aside: it
reads no account). A private manager: the operations act on its data.
"""

from __future__ import annotations

from tests.security.clients import Client
from tests.security.harness import LEVELS
from tests.security.operations import operations, valid_body
from tests.security.test_role_matrix import EMPTY_BODY, RANK, TOKEN_GATED, refused

SECURITY_CLASS = "API tokens x roles"
MANAGER_OPTIONS: dict = {}  # a manager of this module's own


def bearer_client(manager, role: str, secret: str) -> Client:
    """Return a client of ``role`` that sends only ``Authorization: Bearer <secret>``."""
    client = Client(manager.url, role, None, manager.interface_url)
    client.http.cookies.clear()  # the CSRF fetch of the constructor left an anonymous session
    client.csrf = ""
    client.http.headers["Authorization"] = f"Bearer {secret}"
    manager.clients.append(client)
    return client


def takes_tokens(openapi: dict, op) -> bool:
    """Return True when the operation's security offers the bearer scheme."""
    return {"bearer": []} in openapi["paths"][op.template][op.method.lower()]["security"]


def test_every_operation_with_each_levels_token(manager, bad):
    openapi = manager.anonymous().get("/api/openapi.json").json()
    ops = operations(openapi)
    for role in LEVELS:
        session = manager.as_role(role)
        if role != "viewer":
            manager.finished(session, manager.run(session, "echo_args.py", {"text": role}))
        values = manager.values_for(session)
        secret = session.ok("POST", "/api/user/tokens", 201, json={"name": role})["token"]
        spare = session.ok("POST", "/api/user/tokens", 201, json={"name": "spare"})
        values["token_id"] = spare["id"]  # what the DELETE operations revoke
        token = bearer_client(manager, role, secret)
        for op in ops:
            body = None
            if op.method != "GET":
                body = {} if op.key in EMPTY_BODY else valid_body(op, values, f"t{role}")
            response = token.send(op.method, op.path(values), json=body)
            status, where = response.status_code, f"{role} token {op.key}"
            bad.check("Set-Cookie" not in response.headers, f"{where}: sets a cookie")
            bad.check(b"csrf_failed" not in response.content, f"{where}: asks for a CSRF token")
            if RANK[role] < RANK[op.level] or (
                op.level != "public" and not takes_tokens(openapi, op)
            ):
                bad.check(status == 403, f"{where}: {status}, expected 403")
            elif op.key not in TOKEN_GATED:
                bad.check(not refused(status), f"{where} (level {op.level}): {status}")
    bad.assert_none()


def test_a_forged_token_is_401_everywhere(manager, bad):
    ops = operations(manager.anonymous().get("/api/openapi.json").json())
    forged = bearer_client(manager, "anonymous", "smt_" + "F" * 43)
    values = manager.values_for(manager.anonymous())
    for op in ops:
        body = None if op.method == "GET" else {}
        status = forged.send(op.method, op.path(values), json=body).status_code
        expected = 200 if op.template == "/health" else 401  # /health reads no account
        bad.check(status == expected, f"forged token {op.key}: {status}, expected {expected}")
    bad.assert_none()
