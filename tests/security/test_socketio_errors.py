"""Finding 5: a Socket.IO ``error`` event goes only to the socket that caused it.

Alice, a second tab of Alice's and Bob are connected to ``/logs``; Alice subscribes to
invented (or foreign) execution ids. Only her socket may receive the ``error`` events:
each other socket then makes its own bad subscription as a barrier (events on one socket
arrive in order) and must have seen nothing but its own error.
"""

from __future__ import annotations

import uuid

import pytest

from tests.security.clients import LiveLogs

SECURITY_CLASS = "Socket.IO errors (finding 5)"


@pytest.fixture
def sockets(manager):
    opened = {
        "alice": LiveLogs(manager.url, manager.login("alice")),
        "alice-tab2": LiveLogs(manager.url, manager.login("alice")),
        "bob": LiveLogs(manager.url, manager.login("bob")),
    }
    yield opened
    for live in opened.values():
        live.close()


def errors(live: LiveLogs) -> list:
    """Return the error events a socket received."""
    return [data for name, data in list(live.events) if name == "error"]


def test_errors_reach_only_the_asker(manager, sockets, bad):
    bob = manager.login("bob")
    bobs_run = manager.run(bob, "echo_args.py", {"text": "bob's"})
    invented = [str(uuid.uuid4()), "nope", "../../etc/passwd", "a" * 500, bobs_run, "", None,
                123, ["list"], {"execution_id": "nested"}]  # fmt: skip
    asker, others = sockets["alice"], [sockets["alice-tab2"], sockets["bob"]]
    for count, value in enumerate(invented, start=1):
        asker.subscribe(value)
        got = asker.wait_event(lambda name, data, n=count: len(errors(asker)) >= n)
        assert got is not None, f"no error event reached the asker for {value!r}"
    for index, live in enumerate(others):
        barrier = f"barrier-{index}"
        live.subscribe(barrier)
        own = live.wait_event(lambda name, data, b=barrier: name == "error" and b in str(data))
        assert own is not None, "the barrier subscription got no error"
    for label, live in zip(("alice's other tab", "bob"), others, strict=True):
        foreign = [e for e in errors(live) if "barrier-" not in str(e)]
        for value in invented:
            bad.check(not any(repr(value)[:40].strip("'") in str(e) for e in foreign),
                      f"{label} got the error for {value!r}")  # fmt: skip
        bad.check(len(foreign) == 0, f"{label} got {len(foreign)} foreign errors")
        # Bob's own run reports its status to his sockets; nothing else may arrive
        data = [d for n, d in list(live.events) if n != "error"]
        bad.check(all(isinstance(d, dict) and d.get("execution_id") == bobs_run for d in data)
                  and (label == "bob" or not data), f"{label} got data: {data[:3]}")  # fmt: skip
    bad.check(len(errors(asker)) == len(invented), f"asker got {len(errors(asker))} errors")
    bad.assert_none()
