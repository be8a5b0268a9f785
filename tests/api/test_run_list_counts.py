"""Run lists count up to a cap, and every sort reads the same runs a plain sort would."""

from __future__ import annotations

import pytest

from server.services.logs import LogService
from server.services.run_list import LogFilters
from tests.api.run_history import failing, hello, write_lab


@pytest.fixture
def uma(app, groups, login, make_user):
    write_lab(app, groups)
    client = login(make_user("uma"))
    client.runs = [hello(client, f"w{n}") for n in range(4)] + [failing(client)]
    return client


def capped(services, limit: int) -> LogService:
    return LogService(services.db, services.layout, services.executions, services.audit,
                      count_limit=limit, search_count_limit=limit)  # fmt: skip


def test_a_count_past_the_cap_is_a_lower_bound(app, services, uma):
    user_id = uma.get("/api/auth/user").get_json()["user"]["id"]
    with app.app_context():
        exact = capped(services, 10).list(user_id, LogFilters(), per_page=2)
        assert (exact.total, exact.total_is_lower_bound) == (5, False)
        bounded = capped(services, 3).list(user_id, LogFilters(), per_page=2)
        assert (bounded.total, bounded.total_is_lower_bound) == (3, True)
        searched = capped(services, 2).list(user_id, LogFilters(text="hello"), per_page=1)
        assert (searched.total, searched.total_is_lower_bound) == (2, True)
        last = capped(services, 3).list(user_id, LogFilters(), page=3, per_page=2)
        assert (last.total, last.total_is_lower_bound) == (5, False)  # the end was seen
        services.db.remove()
    answer = uma.get("/api/logs/execution?per_page=2").get_json()
    assert answer["total"] == 5 and answer["total_is_lower_bound"] is False


@pytest.mark.parametrize("sort", ["start_time", "duration", "status", "script", "project"])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_every_sort_pages_through_every_run_once(uma, sort, order):
    seen = []
    for page in (1, 2, 3):
        body = uma.get(f"/api/logs/execution?sort={sort}&order={order}&per_page=2&page={page}")
        seen += [item["execution_id"] for item in body.get_json()["items"]]
    assert sorted(seen) == sorted(uma.runs)
    whole = uma.get(f"/api/logs/execution?sort={sort}&order={order}&per_page=50").get_json()
    assert [item["execution_id"] for item in whole["items"]] == seen
