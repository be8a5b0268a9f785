"""Proxy SSRF: the interface proxy goes only to the port of the caller's live session.

A decoy TCP listener on a loopback port inside PORT_RANGE_START..END answers anything
with a banner and counts connections. Unknown, foreign and closed session ids, absolute
URLs, ``//host:port``, ``@``, encoded slashes and forwarding headers are thrown at
``/interfaces/<session>/app/...``; the decoy must see no connection at all, even on the
very port a closed session used to have.
"""

from __future__ import annotations

import socket
import threading
from urllib.parse import quote

import pytest

from server.services.ports import can_bind
from tests.security.conftest import body_text
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


def test_paths_and_session_ids_never_reach_the_decoy(manager, live, bad):
    decoy, alice, sid = live["decoy"], live["alice"], live["session"]["session_id"]
    port = decoy.port
    bob, anonymous, admin = manager.login("bob"), manager.anonymous(), manager.admin()
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
            response = client.send(method, path, json={} if method == "POST" else None)
            bad.check(untouched(decoy, response), f"{client.role} {method} {path}")
            response = client.raw(method, path)
            bad.check(untouched(decoy, response), f"{client.role} raw {method} {path}")
    # the live session itself still answers through the proxy
    assert "IFACE-OK" in alice.get(f"/interfaces/{sid}/app/").text
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
    for extra in headers:
        for path in (f"/interfaces/{sid}/app/", f"/interfaces/{sid}/app//{target}/"):
            response = alice.raw("GET", path, headers=extra)
            bad.check(untouched(decoy, response), f"{extra} GET {path}")
    lines = [
        f"http://{target}/interfaces/{sid}/app/",
        f"http://{target}/",
        f"//{target}/interfaces/{sid}/app/",
        f"http://{target}@127.0.0.1:{manager.port}/",
    ]
    for line in lines:
        response = alice.raw("GET", line)
        bad.check(untouched(decoy, response), f"request line {line}")
    bad.assert_none()


def test_a_closed_sessions_old_port_is_never_reached(manager, live, bad):
    alice = live["alice"]
    session = manager.interface(alice)
    sid, port = session["session_id"], session["port"]
    script = manager.script_id("iface.py")
    alice.ok("POST", f"/api/scripts/{script}/close-interface", json={"session_id": sid})
    wait_for(lambda: can_bind(port), 15)
    decoy = Decoy(port)  # now squatting on the closed session's port
    try:
        for client in (alice, manager.admin()):
            for path in (f"/interfaces/{sid}/app/", f"/interfaces/{sid}/app/x"):
                response = client.get(path)
                refused = response.status_code in (403, 404, 409, 410)
                bad.check(refused and untouched(decoy, response),
                          f"{client.role} {path}: {response.status_code}")  # fmt: skip
            # the wrapper page of a closed session says so; it never fetches the port
            wrapper = client.get(f"/interfaces/{sid}/")
            bad.check(untouched(decoy, wrapper), f"{client.role} wrapper")
    finally:
        decoy.close()
    bad.assert_none()
