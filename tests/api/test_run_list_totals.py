"""The run list's answer: the paginated shape plus ``total_is_lower_bound``, for the caller's
runs, a search and the admin's list of everyone's runs."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import insert

from server.models import ExecutionLog

START = datetime(2026, 3, 1, 8, 0)


def add_runs(services, user_id: int, durations: list[int]) -> list[str]:
    """Store finished runs of ``user_id`` (oldest first); return their execution ids."""
    runs = [
        {"execution_uuid": str(uuid.uuid4()), "user_id": user_id, "status": "completed",
         "script_name": "lab.py", "start_time": START + timedelta(minutes=n),
         "duration_seconds": seconds, "output": f"step {n} pressure ok"}
        for n, seconds in enumerate(durations)
    ]  # fmt: skip
    with services.db.engine.begin() as connection:
        connection.execute(insert(ExecutionLog.__table__), runs)
    return [run["execution_uuid"] for run in runs]


def test_a_list_says_whether_its_total_is_exact(services, login, make_user, admin):
    uma = make_user("uma")
    ids = add_runs(services, uma.id, [5, 3, 5, 1])
    client = login(uma)
    body = client.get("/api/logs/execution?sort=duration&order=asc&per_page=3").get_json()
    assert {key: body[key] for key in ("total", "page", "per_page")} == {
        "total": 4, "page": 1, "per_page": 3,
    }  # fmt: skip
    assert body["total_is_lower_bound"] is False
    # Ascending durations, ties newest first.
    assert [item["execution_id"] for item in body["items"]] == [ids[3], ids[1], ids[2]]
    searched = client.get("/api/logs/search?q=pressure&sort=duration").get_json()
    assert searched["total"] == 4 and searched["total_is_lower_bound"] is False
    assert [item["execution_id"] for item in searched["items"]] == [ids[2], ids[0], ids[1], ids[3]]
    everyone = login(admin).get("/api/admin/logs/execution?sort=status&order=asc").get_json()
    assert everyone["total"] == 4 and everyone["total_is_lower_bound"] is False
    assert everyone["items"][0]["username"] == "uma"
