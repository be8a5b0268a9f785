"""Run lists on a real SQLite database: every sort, both directions, every filter and
full-text search give the reference order page after page, whichever way the query goes;
totals are counted up to a cap and then flagged as lower bounds."""

from __future__ import annotations

import random
import uuid
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from server.models import ExecutionLog, RunMark, UserProject
from server.services.logs import LogFilters, LogService
from server.services.run_search import FullText
from tests.api.test_catalog import rescan

DAY0 = datetime(2026, 3, 1, 8, 0)
WORDS = ("alpha", "bravo", "charlie", "delta")
SORTS = ("start_time", "duration", "status", "script", "project")
KEYS = {
    "duration": "duration_seconds",
    "status": "status",
    "script": "script_name",
    "project": "project_id",
}


@pytest.fixture
def world(app, groups, services, make_user):
    """300 runs of ann, 150 of bob (all saying ``bobword``): ties, NULLs, ten days."""
    groups.group("lab")
    for name in ("one.py", "two.py"):
        groups.script("lab", name)
    rescan(app)
    ann, bob = make_user("ann"), make_user("bob")
    with services.db.engine.begin() as connection:
        scripts = [row[0] for row in connection.exec_driver_sql("SELECT id FROM scripts")]
        projects = {}
        for user in (ann, bob):
            rows = [{"user_id": user.id, "project_name": f"p{n}", "is_default": n == 0}
                    for n in range(3)]  # fmt: skip
            connection.execute(insert(UserProject.__table__), rows)
            projects[user.id] = [
                row[0]
                for row in connection.exec_driver_sql(
                    f"SELECT id FROM user_projects WHERE user_id = {user.id}"
                )
            ]
        rng = random.Random(7)
        runs = [_run(rng, n, ann.id if n % 3 else bob.id, scripts, projects) for n in range(450)]
        connection.execute(insert(ExecutionLog.__table__), runs)
        ids = [row[0] for row in connection.exec_driver_sql("SELECT id FROM execution_logs")]
        marks = [{"user_id": ann.id, "execution_id": run_id, "starred": run_id % 4 == 0,
                  "note": "zzznote" if run_id % 50 == 1 else None, "updated_at": DAY0}
                 for run_id in ids if run_id % 4 == 0 or run_id % 50 == 1]  # fmt: skip
        connection.execute(insert(RunMark.__table__), marks)
    with app.app_context():
        yield {"ann": ann.id, "bob": bob.id, "scripts": scripts, "projects": projects}
        services.db.remove()


def _run(rng: random.Random, n: int, user_id: int, scripts: list[int], projects: dict) -> dict:
    status = rng.choice(("completed", "completed", "failed", "terminated", "running"))
    words = [word for word in WORDS if rng.random() < 0.8] if n % 3 else ["bobword"]
    if n % 10 == 4:
        words.append("middle")
    if n == 100:
        words.append("rare")
    script = rng.choice([*scripts, None])
    return {
        "execution_uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "user_id": user_id,
        "script_id": script,
        "script_name": None if script is None else f"s{script}.py",
        "project_id": rng.choice([*projects[user_id], None]),
        "status": status,
        "start_time": DAY0 + timedelta(hours=n * 0.5),
        "duration_seconds": None if status == "running" else rng.randint(1, 5),
        "output": " ".join(words),
    }


def everything(services) -> list[dict]:
    """Every run as a dict, plus ``note``: ann's note on it."""
    session = services.db.session
    notes = dict(session.execute(select(RunMark.execution_id, RunMark.note)).all())
    stars = set(session.scalars(select(RunMark.execution_id).where(RunMark.starred)))
    rows = session.execute(select(ExecutionLog.__table__)).mappings().all()
    return [{**row, "note": notes.get(row["id"]), "starred": row["id"] in stars} for row in rows]


def reference(rows: list[dict], sort: str, descending: bool) -> list[int]:
    """The list order: the key (NULL lowest), ties newest first in both directions."""
    if sort == "start_time":
        return sorted((row["id"] for row in rows), reverse=descending)
    key = KEYS[sort]

    def order(row: dict) -> tuple:
        value = row[key]
        low = (value is not None, value if value is not None else 0)
        return (low, row["id"]) if descending else (_flip(low), row["id"])

    return [row["id"] for row in sorted(rows, key=order, reverse=True)]


def _flip(low: tuple) -> tuple:
    present, value = low
    return (not present, _Reversed(value))


class _Reversed:
    """Orders a value backwards, so one descending sort gives "key ascending, id descending"."""

    def __init__(self, value) -> None:
        self.value = value

    def __lt__(self, other: _Reversed) -> bool:
        return other.value < self.value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and self.value == other.value


def matches(row: dict, filters: LogFilters) -> bool:
    """Return True when the run passes the filters (ann's marks count)."""
    if filters.text:
        words = filters.text.split()
        in_text = all(word in row["output"].split() for word in words)
        noted = row["note"] is not None and all(word in row["note"] for word in words)
        if not (in_text or noted):
            return False
    day, duration = row["start_time"].date(), row["duration_seconds"]
    wanted = {
        "script_id": row["script_id"],
        "project_id": row["project_id"],
        "status": row["status"],
        "starred": row["starred"],
    }
    if any(getattr(filters, name) not in (None, value) for name, value in wanted.items()):
        return False
    if filters.date_from is not None and day < filters.date_from:
        return False
    if filters.date_to is not None and day > filters.date_to:
        return False
    if filters.min_duration is not None and (duration is None or duration < filters.min_duration):
        return False
    return filters.max_duration is None or (
        duration is not None and duration <= filters.max_duration
    )


def paged(logs: LogService, user_id, filters, sort, descending, per_page) -> list[int]:
    """Return the ids of every page of a list, checking each page's total."""
    ids, page = [], 1
    while True:
        found = logs.list(user_id, filters, sort, descending, page, per_page)
        ids += [row.id for row in found.rows]
        if len(found.rows) < per_page:
            assert found.total == len(ids) and not found.total_is_lower_bound
            return ids
        assert found.total >= len(ids)
        page += 1


def test_every_sort_in_both_directions_pages_in_the_reference_order(services, world):
    rows = everything(services)
    for user_id in (world["ann"], None):
        mine = [row for row in rows if user_id is None or row["user_id"] == user_id]
        for sort in SORTS:
            for descending in (True, False):
                expected = reference(mine, sort, descending)
                got = paged(services.logs, user_id, LogFilters(), sort, descending, 40)
                assert got == expected, (user_id, sort, descending)


FILTERS = [
    LogFilters(status="failed"),
    LogFilters(date_from=date(2026, 3, 3), date_to=date(2026, 3, 6)),
    LogFilters(date_to=date(2026, 3, 4)),
    LogFilters(min_duration=4),
    LogFilters(max_duration=2),
    LogFilters(starred=True),
    LogFilters(starred=False),
    LogFilters(text="alpha"),
    LogFilters(text="alpha bravo"),
    LogFilters(text="middle"),
    LogFilters(text="rare"),
    LogFilters(text="bobword"),
    LogFilters(text="zzznote"),  # a note of ann's holds it, no run's text
    LogFilters(text="alpha", status="completed", min_duration=2),
]


@pytest.mark.parametrize("per_page", [1, 3, 25])
def test_every_filter_and_search_with_every_sort_gives_the_reference_pages(
    services, world, per_page
):
    rows = [row for row in everything(services) if row["user_id"] == world["ann"]]
    more = [LogFilters(script_id=world["scripts"][0]),
            LogFilters(project_id=world["projects"][world["ann"]][1])]  # fmt: skip
    for filters in FILTERS + more:
        filters = replace(filters, marker=world["ann"])
        kept = [row for row in rows if matches(row, filters)]
        for sort in SORTS:
            for descending in (True, False):
                expected = reference(kept, sort, descending)[: 3 * per_page]
                got = []
                for page in (1, 2, 3):
                    found = services.logs.list(
                        world["ann"], filters, sort, descending, page, per_page
                    )
                    got += [row.id for row in found.rows]
                assert got == expected, (filters, sort, descending)


@pytest.mark.sqlite_only  # the plans of SQLite's FTS5 index
def test_a_search_probes_lists_or_reads_its_matches_by_how_many_there_are(services, world):
    session = services.db.session
    assert FullText("alpha").plan(session, 1).way == "probe"  # dense: ~80% of the runs
    assert FullText("middle").plan(session, 5).way == "list"  # 10%
    assert FullText("rare").plan(session, 5).way == "read"  # one run
    # Dense overall yet absent from ann's runs: probing gives up (the list answers).
    bob_only = FullText("bobword")
    walk = select(ExecutionLog.id).where(ExecutionLog.user_id == world["ann"])
    walk = walk.order_by(ExecutionLog.status, ExecutionLog.id.desc())
    plan = bob_only.plan(session, 1)
    assert plan.way == "probe"
    assert bob_only.first_matches(session, walk, 1, plan.window) is None
    found = services.logs.list(world["ann"], LogFilters(text="bobword"), "status", False)
    assert found.rows == [] and found.total == 0


def test_a_total_is_counted_up_to_the_cap_and_then_flagged(services, world):
    logs = LogService(services.db, services.layout, services.executions, services.audit,
                      count_limit=5, search_count_limit=3)  # fmt: skip
    ann = world["ann"]
    first = logs.list(ann, LogFilters(), per_page=2)
    assert (first.total, first.total_is_lower_bound) == (5, True)
    deep = logs.list(ann, LogFilters(), page=10, per_page=2)  # runs 19-20 exist
    assert (deep.total, deep.total_is_lower_bound) == (20, True)
    searched = logs.list(ann, LogFilters(text="alpha", marker=ann), "duration", per_page=2)
    assert (searched.total, searched.total_is_lower_bound) == (3, True)
    few = logs.list(ann, LogFilters(text="middle", marker=ann), per_page=2)
    assert (few.total, few.total_is_lower_bound) == (3, True)  # ann has 30 such runs
    rare = logs.list(ann, LogFilters(text="rare", marker=ann), per_page=2)
    assert (len(rare.rows), rare.total, rare.total_is_lower_bound) == (1, 1, False)
    last = logs.list(ann, LogFilters(status="failed"), per_page=1000)
    assert last.total == len(last.rows) and not last.total_is_lower_bound
    beyond = logs.list(ann, LogFilters(), page=1000, per_page=50)
    assert beyond.rows == [] and (beyond.total, beyond.total_is_lower_bound) == (5, True)


def test_a_list_loads_its_rows_without_their_texts(services, world):
    rows = services.logs.list(world["ann"], LogFilters(), per_page=5).rows
    assert all("output" not in row.__dict__ for row in rows)  # deferred: left in the database
    full = services.logs.list(world["ann"], LogFilters(), per_page=5, texts=True).rows
    assert all(row.__dict__["output"] for row in full)
