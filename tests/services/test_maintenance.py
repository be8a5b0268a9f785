"""The maintenance loop runs jobs on their interval and survives failing jobs."""

from __future__ import annotations

import threading

from server.services.maintenance import Maintenance


def test_jobs_repeat_and_a_failure_does_not_stop_them():
    maintenance = Maintenance()
    ran = threading.Event()
    calls = {"ok": 0, "bad": 0}

    def ok() -> None:
        calls["ok"] += 1
        if calls["ok"] >= 3:
            ran.set()

    def bad() -> None:
        calls["bad"] += 1
        raise RuntimeError("boom")

    maintenance.every("ok", 0.02, ok)
    maintenance.every("bad", 0.02, bad)
    maintenance.start()
    try:
        assert ran.wait(60)  # a deadline: set after three runs, well under a second unloaded
    finally:
        maintenance.stop()
    assert calls["bad"] >= 2
