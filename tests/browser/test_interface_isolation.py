"""A script's page runs on the interfaces' own origin: it works, but cannot act on the manager."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.browser.test_shell import log_in
from tests.support import wait_for

pytestmark = pytest.mark.browser

PROBE = Path(__file__).resolve().parents[1] / "fixtures" / "isolation_probe.py"


def api(page, method: str, path: str, body: dict | None = None):
    """Call the manager's API from the logged-in page (cookies and CSRF as the app does)."""
    return page.evaluate(
        """async ([method, path, body]) => {
            const csrf = (await (await fetch('/api/auth/csrf')).json()).csrf_token;
            const options = {method, headers: {'X-CSRFToken': csrf}};
            if (body) {
                options.headers['Content-Type'] = 'application/json';
                options.body = JSON.stringify(body);
            }
            return (await fetch(path, options)).json();
        }""",
        [method, path, body],
    )


def test_script_javascript_gets_nothing_from_the_manager(browser, live_server, shot):
    folder = live_server.groups / "isolation"
    folder.mkdir()
    (folder / "metadata.json").write_text(json.dumps({"name": "Isolation"}), encoding="utf-8")
    shutil.copy(PROBE, folder / "probe.py")
    context = browser.new_context()  # the probe's refused requests log console errors
    page = context.new_page()
    try:
        log_in(page, live_server.url)

        def probe_id():
            groups = api(page, "GET", "/api/script-groups")["items"]
            group = next((g for g in groups if g["name"] == "Isolation"), None)
            scripts = api(page, "GET", f"/api/script-groups/{group['id']}/scripts") if group else {}
            return next((s["id"] for s in scripts.get("items", [])), None)

        script_id = wait_for(probe_id)
        parameters = {"manager": live_server.url}
        started = api(page, "POST", f"/api/scripts/{script_id}/execute", {"parameters": parameters})

        def ready():
            items = api(page, "GET", f"/api/scripts/{script_id}/interface-status")["items"]
            ids = (s for s in items if s["status"] == "ready")
            return next((s for s in ids if s["execution_id"] == started["execution_id"]), None)

        session = wait_for(ready, 120)
        page.goto(live_server.url + f"interfaces/{session['session_id']}/")
        frame_src = page.get_attribute("#sm-interface-frame", "src")
        assert frame_src.startswith(live_server.interface_url)  # its own origin
        assert not frame_src.startswith(live_server.url)
        out = page.frame_locator("#sm-interface-frame").locator("#out")
        out.filter(has_text="own").wait_for()
        result = json.loads(out.text_content())
        assert result["own"].startswith("200:")  # the page's own requests work
        assert result["relative"].startswith("404:")  # /api/... is not the manager there
        assert result["absolute"] == "blocked"  # the manager's answers are unreadable
        shot(page, "interface-isolated")
        proxied_on_manager = page.request.get(
            live_server.url + f"interfaces/{session['session_id']}/app/"
        )
        assert proxied_on_manager.status == 404  # never served on the manager's origin
    finally:
        context.close()
