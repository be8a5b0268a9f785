"""An admin works through the console pages of a shared workstation, on real data."""

from __future__ import annotations

import re
import sqlite3

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import ADMIN_PASSWORD
from tests.browser.test_catalog import create_user
from tests.browser.test_shell import log_in
from tests.support import wait_for

pytestmark = pytest.mark.browser
USER_PASSWORD = "Us3r-Password!"
CONVERSION = {"value": 10, "quantity": "pressure", "from_unit": "bar", "to_unit": "psi"}


class Api:
    """A logged-in requests session on the live server, carrying the CSRF token."""

    def __init__(self, server, username: str, password: str) -> None:
        self.url = server.url
        self.session = requests.Session()
        token = self.session.get(self.url + "api/auth/csrf").json()["csrf_token"]
        body = {"username": username, "password": password}
        answer = self.session.post(self.url + "api/auth/login", json=body, headers=self._h(token))
        assert answer.status_code == 200, answer.text
        self.token = answer.json()["csrf_token"]

    @staticmethod
    def _h(token: str) -> dict[str, str]:
        return {"X-CSRFToken": token}

    def get(self, path: str) -> dict:
        return self.session.get(self.url + path).json()

    def send(self, method: str, path: str, body: dict) -> requests.Response:
        return self.session.request(method, self.url + path, json=body, headers=self._h(self.token))

    def script_id(self, folder: str, filename: str) -> int:
        group = next(g for g in self.get("api/script-groups")["items"] if g["folder"] == folder)
        scripts = self.get(f"api/script-groups/{group['id']}/scripts")["items"]
        return next(s["id"] for s in scripts if s["filename"] == filename)

    def run_to_end(self, script_id: int, parameters: dict) -> str:
        started = self.send("POST", f"api/scripts/{script_id}/execute", {"parameters": parameters})
        assert started.status_code == 202, started.text
        execution_id = started.json()["execution_id"]
        ended = lambda: self.get(f"api/logs/execution/{execution_id}")["status"] != "running"  # noqa: E731
        wait_for(ended, message=f"run {execution_id} still running")
        return execution_id


def operator_run(live_server) -> str:
    """Create the operator opal and have them convert a pressure; return the run's id."""
    create_user(live_server, "opal", "operator", USER_PASSWORD)
    opal = Api(live_server, "opal", USER_PASSWORD)
    return opal.run_to_end(opal.script_id("data_tools", "unit_converter.py"), CONVERSION)


def test_runs_audit_system_logs_and_configuration(page, live_server, shot):
    execution_id = operator_run(live_server)
    url = live_server.url
    log_in(page, url)
    page.goto(url + "admin/runs")
    row = page.locator(f"#sm-runs-body tr[data-execution-id='{execution_id}']")
    expect(row).to_contain_text("opal")
    expect(row).to_contain_text("project_default")
    expect(page.locator("#runs-user option", has_text="opal")).to_have_count(1)
    page.select_option("#runs-user", label="opal")
    expect(page.locator("#sm-runs-body tr")).to_have_count(1)
    page.select_option("#runs-status", "failed")
    expect(page.locator("#sm-runs-body")).to_contain_text("No runs match.")
    page.select_option("#runs-status", "completed")
    expect(row).to_be_visible()
    shot(page, "admin_runs")
    row.locator("a").click()
    page.wait_for_url(re.compile(rf".*/logs/{execution_id}$"))
    expect(page.locator("#sm-log-viewer")).to_contain_text("145.03")

    page.goto(url + "admin/audit")
    page.fill("#audit-actor", "opal")
    expect(page.locator("#sm-audit-body")).to_contain_text("script.execute")
    expect(page.locator("#sm-audit-body tr")).to_have_count(2)  # opal's login and run
    shot(page, "admin_audit")

    page.goto(url + "admin/system-logs")
    page.select_option("#syslog-name", "access")
    expect(page.locator("#syslog-level")).to_be_disabled()
    page.fill("#syslog-q", "/execute")
    expect(page.locator("#sm-syslog-body pre").first).to_contain_text("/execute")
    page.select_option("#syslog-name", "application")
    page.fill("#syslog-q", "")
    page.select_option("#syslog-level", "INFO")
    expect(page.locator("#sm-syslog-body .badge").first).to_be_visible()
    shot(page, "admin_system_logs")

    page.goto(url + "admin/configuration")
    expect(page.locator("tr[data-setting='secret_key']")).to_contain_text("hidden")
    expect(page.locator("tr[data-setting='script_groups_path']")).to_contain_text("Environment")
    page.fill("#config-q", "log_retention")
    expect(page.locator("#sm-config-body tr")).to_have_count(4)
    expect(page.locator("tr[data-setting='log_retention_days_viewer']")).to_contain_text("7 days")
    shot(page, "admin_configuration")


def test_permissions_environments_discovery_and_documentation(page, live_server, shot):
    (live_server.groups / "data_tools" / "broken_header.py").write_text(
        '"""\nScriptsManager Metadata:\n@required_level: wizard\n"""\nprint(1)\n'
    )
    url = live_server.url
    admin = Api(live_server, "admin", ADMIN_PASSWORD)
    script_id = admin.script_id("data_tools", "unit_converter.py")
    log_in(page, url)

    page.goto(url + "admin/permissions")
    row = page.locator(f"#sm-perm-body tr[data-script-id='{script_id}']")
    expect(row.locator("input[value='operator']")).to_be_checked()
    expect(page.locator("#sm-perm-body .sm-matrix-group").first).to_be_visible()
    row.locator("input[value='developer']").check()
    expect(row.locator(".badge")).to_have_text("Changed here")
    expect(row.locator("input[value='developer']")).to_be_checked()
    history = admin.get(f"api/scripts/{script_id}/metadata/history")["items"]
    assert (history[0]["field"], history[0]["new_value"]) == ("required_level", "developer")
    page.fill("#perm-q", "unit")
    expect(page.locator("#sm-perm-body tr[data-script-id]")).to_have_count(1)
    shot(page, "admin_permissions")

    page.goto(url + "admin/environments")
    expect(page.locator("#sm-env-body")).to_contain_text("manager")
    group_row = page.locator("#sm-envgroup-body tr").first
    expect(group_row.locator("select")).to_have_value("manager")
    page.click("#sm-env-refresh")
    expect(page.locator("#sm-env-refresh")).to_be_enabled()
    expect(page.locator("#sm-env-message")).to_be_visible()  # no conda on this machine
    shot(page, "admin_environments")

    page.goto(url + "admin/discovery")
    expect(page.locator("#sm-scan-state")).to_contain_text("Last full scan")
    page.click("#sm-scan")
    expect(page.locator("#sm-problem-body")).to_contain_text("broken_header.py")
    expect(page.locator("#sm-problem-body")).to_contain_text("wizard")
    expect(page.locator("[data-report='problems']")).to_have_text("1")
    expect(page.locator("#sm-scan")).to_be_enabled()
    shot(page, "admin_discovery")
    assert admin.get("api/admin/logs/audit?action=catalog.rescan")["total"] == 1

    page.goto(url + "admin/documentation")
    expect(page.locator("[data-coverage='en']")).not_to_have_text("—")
    page.select_option("#doc-missing", "es")
    expect(page.locator("#sm-doc-body tr").first).to_be_visible()
    missing = page.locator("#sm-doc-body i[data-language='es'][data-present='1']")
    expect(missing).to_have_count(0)
    expect(page.locator("#sm-doc-body")).to_contain_text("Broken header")
    shot(page, "admin_documentation")


def age_runs(home, days: int) -> None:
    """Move every run of the live server's database ``days`` into the past."""
    with sqlite3.connect(home / "data" / "scriptsmanager.db", timeout=30) as db:
        db.execute(
            "UPDATE execution_logs SET start_time = datetime(start_time, ?)", (f"-{days} days",)
        )


def test_retention_previews_before_a_confirmed_cleanup(page, live_server, shot):
    operator_run(live_server)
    age_runs(live_server.home, 45)
    url = live_server.url
    log_in(page, url)
    admin = Api(live_server, "admin", ADMIN_PASSWORD)
    admin.send("POST", "api/user/preferences", {"theme": "dark"})
    page.goto(url + "admin/retention")
    expect(page.locator("[data-stat='total']")).to_have_text("1")
    expect(page.locator("#ret-operator")).to_have_value("30")
    page.click("#sm-ret-preview")
    expect(page.locator("#sm-ret-summary-text")).to_contain_text("would remove now: 1,")
    expect(page.locator("#sm-ret-levels-body tr[data-level='operator']")).to_contain_text("1")
    expect(page.locator("#sm-ret-users-body")).to_contain_text("opal")
    shot(page, "admin_retention")

    page.fill("#ret-operator", "60")
    page.click("#sm-ret-days button[type='submit']")
    expect(page.locator("#sm-toasts")).to_contain_text("Retention days saved.")
    page.click("#sm-ret-preview")
    expect(page.locator("#sm-ret-summary-text")).to_contain_text("Nothing is older")
    expect(page.locator("#sm-ret-cleanup")).to_be_disabled()
    page.fill("#ret-operator", "30")
    page.click("#sm-ret-days button[type='submit']")
    page.click("#sm-ret-preview")
    expect(page.locator("#sm-ret-summary-text")).to_contain_text("would remove now: 1,")

    page.click("#sm-ret-cleanup")
    expect(page.locator("#sm-ret-confirm")).to_be_visible()
    expect(page.locator("#sm-ret-confirm-text")).to_contain_text("for good: 1,")
    page.click("#sm-ret-confirm-go")
    expect(page.locator("#sm-toasts")).to_contain_text("Runs removed: 1.")
    expect(page.locator("#sm-ret-summary-text")).to_contain_text("Nothing is older")
    expect(page.locator("[data-stat='total']")).to_have_text("0")
    assert admin.get("api/admin/logs/audit?action=log.cleanup")["total"] == 1
