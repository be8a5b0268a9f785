"""A person opens the page of a run that is still going: its Errors tab shows the last
lines, says earlier ones were left out, takes new lines as they come (asked with the
detail's cursor), and shows every line once the run has ended."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.api.test_live_detail import GATED
from tests.browser.conftest import ADMIN_PASSWORD
from tests.browser.test_admin_console import Api
from tests.browser.test_shell import log_in
from tests.support import wait_for

pytestmark = pytest.mark.browser


def test_the_errors_tab_of_a_running_run_follows_its_tail(page, live_server, tmp_path):
    gates = tmp_path / "gates"
    gates.mkdir()
    code = GATED.replace("@GATES@", repr(str(gates))).replace("@BATCHES@", "[1500, 50]")
    (live_server.groups / "data_tools" / "gated_tail.py").write_text(
        code.replace("@WIDTH@", "8"), encoding="utf-8"
    )
    admin = Api(live_server, "admin", ADMIN_PASSWORD)
    assert admin.send("POST", "api/admin/discovery/scan", {}).status_code == 200
    script_id = admin.script_id("data_tools", "gated_tail.py")
    started = admin.send("POST", f"api/scripts/{script_id}/execute", {"parameters": {}})
    assert started.status_code == 202, started.text
    execution_id = started.json()["execution_id"]
    detail = f"api/logs/execution/{execution_id}"
    wait_for(lambda: admin.get(detail)["error_output"].endswith("err 001500\n"))

    log_in(page, live_server.url)
    page.goto(live_server.url + f"logs/{execution_id}")
    page.click("[data-bs-target='#tab-errors']")
    errors = page.locator("#sm-detail-errors")
    expect(errors).to_contain_text("err 001500")
    expect(errors).not_to_contain_text("err 000005")
    note = errors.locator("a", has_text="Download the full log")
    expect(note).to_have_attribute("href", f"/{detail}/download?format=txt")

    (gates / "go0").touch()  # 50 more lines: 10 more on stderr, fetched after the cursor
    expect(errors).to_contain_text("err 001550")
    assert errors.inner_text().count("err 001500") == 1

    with page.expect_navigation():  # the page reloads once the run has ended
        (gates / "go1").touch()
    page.click("[data-bs-target='#tab-errors']")
    expect(errors).to_contain_text("err 000005")
    expect(errors).to_contain_text("err 001550")
    expect(errors.locator("a")).to_have_count(0)
