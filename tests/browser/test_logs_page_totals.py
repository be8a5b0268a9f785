"""The Logs page with more matching runs than a count goes to: "1,000+" and a next page."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, insert, text

from server.models import ExecutionLog, utcnow
from tests.browser.test_shell import log_in

pytestmark = pytest.mark.browser
RUNS = 1_100  # more than a full-text search counts (1,000), fewer than a list does


@pytest.fixture
def many_runs(live_server) -> None:
    """Store RUNS finished runs of the admin that say "flange" in the live server's database."""
    engine = create_engine(f"sqlite:///{live_server.home / 'data' / 'scriptsmanager.db'}")
    start = utcnow() - timedelta(days=1)
    with engine.begin() as connection:
        admin = connection.execute(text("SELECT id FROM users WHERE username = 'admin'")).scalar()
        runs = [
            {"execution_uuid": str(uuid.uuid4()), "user_id": admin, "status": "completed",
             "script_name": "lab.py", "start_time": start + timedelta(seconds=n),
             "duration_seconds": n % 7, "output": f"flange {n} seated"}
            for n in range(RUNS)
        ]  # fmt: skip
        connection.execute(insert(ExecutionLog.__table__), runs)
    engine.dispose()


def test_a_capped_total_reads_as_at_least_and_the_next_page_opens(page, live_server, many_runs):
    url = live_server.url
    log_in(page, url)
    page.goto(url + "logs")
    expect(page.locator("#sm-log-count")).to_have_text("1–25 of 1,100")  # counted exactly
    page.goto(url + "logs?q=flange&sort=duration")
    count, next_page = page.locator("#sm-log-count"), page.locator("#sm-log-next")
    expect(count).to_have_text("1–25 of 1,000+")
    expect(next_page).to_be_enabled()
    next_page.click()
    expect(count).to_have_text("26–50 of 1,000+")
    page.check("#sm-bulk-page")
    expect(page.locator("#sm-bulk-all")).to_have_text("Select all 1,000+ matching runs")
    page.click("#sm-bulk-all")
    expect(page.locator("#sm-bulk-count")).to_have_text("All 1,000+ matching runs are selected")
