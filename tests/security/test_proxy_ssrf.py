"""Proxy SSRF: the interface proxy goes only to the port of the caller's live session.

A decoy TCP listener on a loopback port inside PORT_RANGE_START..END answers anything
with a banner and counts connections. Unknown, foreign and closed session ids, absolute
URLs, ``//host:port``, ``@``, encoded slashes and forwarding headers are thrown at
``/interfaces/<session>/app/...`` on the interfaces' own origin (where the proxy is) and on
the manager's (which must answer 404: proxied pages are not served there); the decoy must
see no connection at all, even on the very port a closed session used to have. The
interfaces' origin serves nothing of the manager (API, pages, Socket.IO): 404 there.
"""

from __future__ import annotations

import socket
import threading
from urllib.parse import quote

import pytest

from server.services.ports import can_bind
from tests.security.clients import NOT_HERE, body_text, connects
from tests.support import wait_for

SECURITY_CLASS = "proxy SSRF"


class Decoy:
    """A listener that answers every connection with a banner, and counts them."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connections = 0
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", port))
        self._sock.listen(64)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        """Count and answer connections until the socket is closed."""
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nDECOY"
                )

    def close(self) -> None:
        """Stop listening."""
        try:
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        except OSError:
            pass
        self._sock.close()
        self._thread.join(5)


def free_port_in_range(manager) -> int:
    """Return a port of the interface range that no session holds and nothing binds."""
    taken = {s["port"] for s in manager.admin().get("/api/active-interfaces").json()["items"]}
    return next(
        p for p in range(manager.port_start, manager.port_end + 1) if p not in taken and can_bind(p)
    )


@pytest.fixture(scope="module")
def live(manager):
    alice = manager.login("alice")
    session = manager.interface(alice)
    decoy = Decoy(free_port_in_range(manager))
    yield {"alice": alice, "session": session, "decoy": decoy}
    decoy.close()


def path_tricks(port: int) -> list[str]:
    """What may follow /app/ to try to reach 127.0.0.1:<port> instead."""
    return [
        f"http://127.0.0.1:{port}/", f"http:/127.0.0.1:{port}/", f"//127.0.0.1:{port}/",
        f"/127.0.0.1:{port}/", f"@127.0.0.1:{port}/", f"x@127.0.0.1:{port}/",
        f"%2f%2f127.0.0.1:{port}/", f"%2F%2F127.0.0.1%3A{port}/", "..%2f..%2f..%2f",
        f"%5c%5c127.0.0.1:{port}%5c", f":{port}/", f"127.0.0.1:{port}", f"localhost:{port}/",
        f"%40127.0.0.1:{port}/", f"?url=http://127.0.0.1:{port}/", f"%23@127.0.0.1:{port}/",
        f"http%3a%2f%2f127.0.0.1%3a{port}%2f", "..;/..;/", f"%0d%0aHost:%20127.0.0.1:{port}",
        f"[::1]:{port}/", f"0x7f000001:{port}/", f"2130706433:{port}/", f"0:{port}/",
        f"@localhost:{port}/x", f"%252f%252f127.0.0.1:{port}/", f"\\\\127.0.0.1:{port}\\",
    ]  # fmt: skip


def untouched(decoy: Decoy, response) -> bool:
    """Return True while the decoy saw no connection and the answer is not its banner."""
    return decoy.connections == 0 and "DECOY" not in body_text(response)


def not_here(response) -> bool:
    """Return True for the manager's answer to a proxied path: 404, not served here."""
    return response.status_code == 404 and response.content == NOT_HERE


def test_paths_and_session_ids_never_reach_the_decoy(manager, live, bad):
    decoy, alice, sid = live["decoy"], live["alice"], live["session"]["session_id"]
    port = decoy.port
    bob, anonymous, admin = manager.login("bob"), manager.anonymous(), manager.admin()
    assert "IFACE-OK" in alice.interfaces.get(f"/interfaces/{sid}/app/").text  # the proxy works
    tries = [
        (alice, "/interfaces/unknown-session/app/"),
        (alice, f"/interfaces/{sid}x/app/"),
        (alice, f"/interfaces/{sid}@127.0.0.1:{port}/app/"),
        (alice, f"/interfaces/{quote(f'127.0.0.1:{port}', safe='')}/app/"),
        (alice, f"/interfaces/..%2f{sid}/app/"),
        (alice, f"/interfaces/{port}/app/"),
        (bob, f"/interfaces/{sid}/app/"),
        (anonymous, f"/interfaces/{sid}/app/"),
        (admin, f"/interfaces/{port}/app/"),
        *[(alice, f"/interfaces/{sid}/app/{trick}") for trick in path_tricks(port)],
        *[(bob, f"/interfaces/{sid}/app/{trick}") for trick in path_tricks(port)[:6]],
    ]
    for client, path in tries:
        for method in ("GET", "POST"):
            body = {} if method == "POST" else None
            # on the interfaces' origin, where the proxy is
            response = client.interfaces.send(method, path, json=body)
            bad.check(untouched(decoy, response), f"{client.role} {method} {path}")
            response = client.interfaces.raw(method, path)
            bad.check(untouched(decoy, response), f"{client.role} raw {method} {path}")
            # on the manager's origin, which serves no proxied page at all
            response = client.send(method, path, json=body)
            bad.check(untouched(decoy, response) and response.status_code == 404,
                      f"{client.role} {method} {path} on the manager's port: "
                      f"{response.status_code}")  # fmt: skip
            response = client.raw(method, path)
            bad.check(untouched(decoy, response) and response.status_code == 404,
                      f"{client.role} raw {method} {path} on the manager's port: "
                      f"{response.status_code}")  # fmt: skip
    # the live session itself still answers through the proxy, on its origin only
    assert "IFACE-OK" in alice.interfaces.get(f"/interfaces/{sid}/app/").text
    assert not_here(alice.get(f"/interfaces/{sid}/app/"))
    assert decoy.connections == 0
    bad.assert_none()


def test_headers_and_request_lines_never_reach_the_decoy(manager, live, bad):
    decoy, alice, sid = live["decoy"], live["alice"], live["session"]["session_id"]
    target = f"127.0.0.1:{decoy.port}"
    headers = [
        {"Host": target}, {"X-Forwarded-Host": target}, {"X-Forwarded-Port": str(decoy.port)},
        {"X-Forwarded-Server": target}, {"Forwarded": f"host={target}"},
        {"X-Original-URL": f"http://{target}/"}, {"X-Rewrite-URL": f"http://{target}/"},
        {"X-Forwarded-Prefix": f"http://{target}"}, {"X-Real-IP": "127.0.0.1"},
        {"X-ScriptsManager-Token": "x", "X-Forwarded-Proto": "gopher"},
    ]  # fmt: skip
    for client, where in ((alice.interfaces, "interface origin"), (alice, "manager origin")):
        for extra in headers:
            for path in (f"/interfaces/{sid}/app/", f"/interfaces/{sid}/app//{target}/"):
                response = client.raw("GET", path, headers=extra)
                bad.check(untouched(decoy, response), f"{where}: {extra} GET {path}")
        lines = [
            f"http://{target}/interfaces/{sid}/app/",
            f"http://{target}/",
            f"//{target}/interfaces/{sid}/app/",
            f"http://{target}@127.0.0.1:{manager.port}/",
            f"http://{target}@127.0.0.1:{manager.interface_port}/interfaces/{sid}/app/",
        ]
        for line in lines:
            response = client.raw("GET", line)
            bad.check(untouched(decoy, response), f"{where}: request line {line}")
    bad.assert_none()


def test_a_closed_sessions_old_port_is_never_reached(manager, live, bad):
    alice = live["alice"]
    session = manager.interface(alice)
    sid, port = session["session_id"], session["port"]
    script = manager.script_id("iface.py")
    alice.ok("POST", f"/api/scripts/{script}/close-interface", json={"session_id": sid})
    wait_for(lambda: can_bind(port), 60, f"port {port} of the closed session still taken")
    decoy = Decoy(port)  # now squatting on the closed session's port
    try:
        for client in (alice, manager.admin()):
            for path in (f"/interfaces/{sid}/app/", f"/interfaces/{sid}/app/x"):
                for method in ("GET", "POST"):
                    body = {} if method == "POST" else None
                    response = client.interfaces.send(method, path, json=body)
                    refused = response.status_code in (403, 404, 409, 410)
                    bad.check(refused and untouched(decoy, response),
                              f"{client.role} {method} {path}: {response.status_code}")  # fmt: skip
                    response = client.send(method, path, json=body)
                    bad.check(not_here(response) and untouched(decoy, response),
                              f"{client.role} {method} {path} on the manager's port: "
                              f"{response.status_code}")  # fmt: skip
            # the wrapper page of a closed session says so; it never fetches the port
            wrapper = client.get(f"/interfaces/{sid}/")
            bad.check(untouched(decoy, wrapper), f"{client.role} wrapper")
    finally:
        decoy.close()
    bad.assert_none()


def test_the_interface_origin_serves_nothing_of_the_manager(manager, live, bad):
    """On the interface port the manager's API, pages, assets and Socket.IO answer 404, to a
    logged-in user too: a script's page there can neither read the manager nor get a token."""
    sid = live["session"]["session_id"]
    paths = [
        ("GET", "/api/auth/user"), ("GET", "/"), ("GET", "/login"),
        ("GET", "/socket.io/?EIO=4&transport=polling"),
        ("POST", "/socket.io/?EIO=4&transport=polling"),
        ("GET", "/api/auth/csrf"), ("POST", "/api/auth/login"), ("POST", "/api/auth/logout"),
        ("GET", "/api/openapi.json"), ("GET", "/api/script-groups"), ("GET", "/health"),
        ("GET", "/logs"), ("GET", "/account"), ("GET", "/admin/users"), ("GET", "/setup"),
        ("GET", f"/interfaces/{sid}/"), ("POST", f"/api/interfaces/{sid}/beacon"),
        ("GET", "/assets/js/api.js"), ("GET", "/no-such-page"), ("GET", "/interfaces/x/appx"),
    ]  # fmt: skip
    people = [manager.login("alice"), manager.admin(), manager.anonymous()]
    for client in people:
        for method, path in paths:
            body = {"username": "alice", "password": "x"} if path == "/api/auth/login" else None
            response = client.interfaces.send(method, path, json=body)
            text = body_text(response)
            named = bool(client.username) and f'"{client.username}"' in text
            bad.check(response.status_code == 404 and "csrf" not in text.lower() and not named,
                      f"{client.role} {method} {path} on the interface port: "
                      f"{response.status_code} {text[:80]!r}")  # fmt: skip
        bad.check(not connects(manager.interface_url, client),
                  f"{client.role}: Socket.IO connected on the interface port")  # fmt: skip
    # the same session still works on the manager's own port (the cookie reaches both)
    alice = people[0]
    assert alice.get("/api/auth/user").json()["user"]["username"] == "alice"
    assert "IFACE-OK" in alice.interfaces.get(f"/interfaces/{sid}/app/").text
    bad.assert_none()


def test_no_spelling_of_a_proxied_path_is_served_on_the_manager_port(manager, live):
    alice, sid = live["alice"], live["session"]["session_id"]
    spellings = [
        f"//interfaces/{sid}/app/", f"///interfaces/{sid}/app/", f"/%2finterfaces/{sid}/app/",
        f"/%2Finterfaces/{sid}/app/x?y=1", f"//interfaces/{sid}/app/anything",
    ]  # fmt: skip
    served = []
    for path in spellings:
        for method in ("GET", "POST"):
            response = alice.raw(method, path)
            if response.status_code == 200 or b"IFACE-OK" in response.content:
                served.append(f"{method} {path}: {response.status_code}")
    assert not served, "the manager's port served a proxied page:\n" + "\n".join(served)
