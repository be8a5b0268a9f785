"""Stars and notes on runs: set, clear, filter, search; private; admins read them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.models import RunMark
from tests.api.run_history import hello, listed, write_lab


@pytest.fixture
def uma(app, groups, login, make_user):
    write_lab(app, groups)
    return login(make_user("uma"))


def mark_of(client, execution_id: str) -> dict:
    return client.get(f"/api/logs/execution/{execution_id}/mark").get_json()


def test_star_note_filter_and_search(uma, services):
    first, second = hello(uma, "zebra"), hello(uma, "yak")
    base = f"/api/logs/execution/{first}/mark"
    assert uma.put(base, {"starred": True}).get_json()["starred"] is True
    noted = uma.put(base, {"note": "Check the flange\nbefore Monday"}).get_json()
    assert noted["starred"] is True and noted["note"].startswith("Check the flange")
    assert mark_of(uma, first)["other_marks"] == []
    items = uma.get("/api/logs/execution").get_json()["items"]
    assert [(i["starred"], i["note"]) for i in items] == [
        (False, None), (True, "Check the flange\nbefore Monday"),
    ]  # fmt: skip
    assert listed(uma, "starred=true") == [first]
    assert listed(uma, "starred=false") == [second]
    assert uma.get("/api/logs/execution?starred=yes").status_code == 400

    assert listed(uma, "q=flange") == [first]  # the note, not the output
    assert listed(uma, "q=FLANGE+monday") == [first]
    assert listed(uma, "q=yak") == [second]  # the output search is unchanged
    assert listed(uma, "q=hello") == [second, first]
    uma.put(f"/api/logs/execution/{second}/mark", {"note": "a yak, like the flange"})
    assert listed(uma, "q=flange") == [second, first]  # newest first, as before
    assert listed(uma, "q=flange&starred=true") == [first]
    assert uma.get("/api/logs/search?q=flange").get_json()["total"] == 2

    assert uma.put(base, {"note": "x" * 2001}).status_code == 400
    cleared = uma.put(base, {"note": None}).get_json()
    assert cleared == {"starred": True, "note": None, "updated_at": cleared["updated_at"]}
    assert uma.put(base, {"starred": False}).get_json()["updated_at"] is None  # nothing left
    assert uma.put(f"/api/logs/execution/{second}/mark", {"starred": True}).status_code == 200
    assert uma.delete(f"/api/logs/execution/{second}/mark").get_json()["starred"] is False
    with services.db.session as session:
        assert session.scalar(select(func.count()).select_from(RunMark)) == 0


def test_marks_are_private_and_admins_read_them(uma, login, make_user, admin, services):
    run = hello(uma, "zebra")
    uma.put(f"/api/logs/execution/{run}/mark", {"starred": True, "note": "flange"})
    vic = login(make_user("vic"))
    assert vic.put(f"/api/logs/execution/{run}/mark", {"starred": True}).status_code == 404
    assert vic.get(f"/api/logs/execution/{run}/mark").status_code == 404
    own = hello(vic, "ox")
    vic.put(f"/api/logs/execution/{own}/mark", {"note": "flange too"})
    assert listed(uma, "q=flange") == [run] and listed(vic, "q=flange") == [own]

    root = login(admin)
    seen = mark_of(root, run)
    assert (seen["starred"], seen["note"]) == (False, None)
    assert [(m["username"], m["starred"], m["note"]) for m in seen["other_marks"]] == [
        ("uma", True, "flange")
    ]
    root.put(f"/api/logs/execution/{run}/mark", {"note": "seen by the admin"})
    assert mark_of(uma, run)["note"] == "flange" and mark_of(uma, run)["other_marks"] == []
    assert listed(root, "q=flange", "/api/admin/logs/execution") == []  # others' notes
    items = root.get("/api/admin/logs/execution").get_json()["items"]
    assert [i["execution_id"] for i in items] == [own, run]
    by_run = {i["execution_id"]: i for i in items}
    assert by_run[run]["note"] == "seen by the admin"
    assert [m["username"] for m in by_run[run]["other_marks"]] == ["uma"]
    assert listed(root, "q=admin", "/api/admin/logs/execution") == [run]  # the admin's note
    assert listed(root, "starred=true", "/api/admin/logs/execution") == []  # uma's star

    assert uma.delete(f"/api/logs/execution/{run}").status_code == 200
    with services.db.session as session:  # the run's marks went with it
        assert session.scalar(select(func.count()).select_from(RunMark)) == 1
