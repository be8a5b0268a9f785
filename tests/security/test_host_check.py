"""Finding 4: the manager answers only to the host names it is known by.

Any request (pages, /api/, /health, /socket.io/, /interfaces/..., assets) whose Host is
not a loopback name or a configured one gets 400 ``{"error": {"code": "untrusted_host"}}``
before anything runs (DNS rebinding), on the manager's port and on the interfaces' own;
``localhost:PORT`` and ``127.0.0.1:PORT`` work.
"""

from __future__ import annotations

import json

import pytest

from tests.security.clients import body_text, connects

SECURITY_CLASS = "Host check (finding 4)"
PATHS = [
    ("GET", "/"), ("GET", "/login"), ("GET", "/setup"), ("GET", "/health"),
    ("GET", "/api/auth/csrf"), ("GET", "/api/openapi.json"), ("GET", "/api/auth/user"),
    ("GET", "/api/script-groups"), ("POST", "/api/auth/login"), ("POST", "/api/projects"),
    ("GET", "/socket.io/?EIO=4&transport=polling"), ("GET", "/interfaces/x/app/"),
    ("POST", "/interfaces/x/app/x"), ("GET", "/interfaces/x/"), ("GET", "/assets/js/api.js"),
    ("GET", "/logs"), ("GET", "/no-such-page"), ("GET", "/api/no-such-route"),
]  # fmt: skip


def bad_hosts(port: int) -> list[str]:
    """Return Host values the manager must refuse."""
    return [
        "evil.example", f"evil.example:{port}", "127.0.0.1.evil.example",
        f"127.0.0.1.evil.example:{port}", f"localhost.evil.example:{port}", "EVIL.EXAMPLE",
        "evil.example.", f"evil.example.localhost:{port}", f"0.0.0.0:{port}",
        f"127.0.0.1@evil.example:{port}", "evil.example#127.0.0.1", "",
        f"localhost:{port}.evil.example", "127.0.0.1:80@evil.example", f"127.1:{port}",
    ]  # fmt: skip


@pytest.fixture(scope="module")
def bob(manager):
    return manager.login("bob")


def test_untrusted_hosts_get_400_everywhere(manager, bob, bad):
    # on both ports: the manager's and the interfaces' own origin (proxied pages live there)
    for client, port in ((bob, manager.port), (bob.interfaces, manager.interface_port)):
        for host in bad_hosts(port):
            for method, path in PATHS:
                response = client.raw(
                    method, path, headers={"Host": host}, body=b"{}" if method == "POST" else b""
                )
                status, text = response.status_code, body_text(response)
                ok = status == 400
                if ok and (path.startswith(("/api/", "/health", "/socket.io/"))):
                    try:
                        ok = json.loads(text)["error"]["code"] == "untrusted_host"
                    except (ValueError, KeyError, TypeError):
                        ok = False
                bad.check(ok, f"port {port}: Host {host!r} {method} {path}: {status} {text[:80]!r}")
    bad.assert_none()


def test_trusted_hosts_work(manager, bob):
    for host in (f"localhost:{manager.port}", f"127.0.0.1:{manager.port}"):
        for path in ("/", "/health", "/api/auth/user", "/api/script-groups"):
            response = bob.raw("GET", path, headers={"Host": host})
            assert response.status_code == 200, (host, path, response.status_code)


def test_forwarded_host_headers_are_not_believed(manager, bad):
    visitor = manager.anonymous()
    for header in ("X-Forwarded-Host", "X-Host", "X-Forwarded-Server", "Forwarded"):
        value = "host=evil.example" if header == "Forwarded" else "evil.example"
        for path in ("/", "/logs", "/login?next=/logs"):
            response = visitor.get(path, headers={header: value})
            location = response.headers.get("Location", "")
            bad.check("evil.example" not in location and "evil.example" not in body_text(response),
                      f"{header} {path}: {response.status_code} {location!r}")  # fmt: skip
    bad.assert_none()


def test_socketio_with_an_untrusted_host_is_refused(manager, bob, bad):
    for host in ("evil.example", f"evil.example:{manager.port}", f"0.0.0.0:{manager.port}"):
        connected = connects(manager.url, bob, headers={"Host": host}, transport="polling")
        bad.check(not connected, f"Socket.IO connected with Host {host}")
    bad.assert_none()


def test_verdicts_remembered_for_a_few_hosts_only():
    # A flood of made-up Host values is refused each time and never grows the memory.
    from server.security.hosts import KNOWN_HOSTS_KEPT, HostCheck, trusted_names

    def app(_environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    check = HostCheck(app, trusted_names("tools.example"))

    def status(host: str) -> str:
        seen: list[str] = []
        check({"HTTP_HOST": host}, lambda code, _headers: seen.append(code))
        return seen[0]

    made_up = [f"host{number}.evil.example" for number in range(KNOWN_HOSTS_KEPT * 3)]
    assert {status(host) for host in made_up * 2} == {"400 Bad Request"}
    assert len(check._verdicts) == KNOWN_HOSTS_KEPT
    for host in ("127.0.0.1:5000", "localhost", "tools.example:8443"):
        assert status(host) == "200 OK", host
    assert status("tools.example.evil.example") == "400 Bad Request"
