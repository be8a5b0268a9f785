"""Stored XSS through data files: what an operator stores never runs in an admin's browser.

Alice (operator) uploads ``evil.html`` (which loads ``evil.js``), ``evil.js`` and an SVG
with script through a script's ``file`` parameters, and the same script writes more of
them straight into her data folder. An admin opens each through ``GET /api/data/...``:
no dialog, no title change, no request from the payloads. Every data-file answer has
``X-Content-Type-Options: nosniff``, a CSP with ``sandbox``, and ``Content-Disposition:
attachment`` unless it is plain text, JSON or a PNG/JPEG/GIF/WebP image.
"""

from __future__ import annotations

import json

import pytest

from tests.security.chromium import log_in
from tests.security.clients import body_text
from tests.security.harness import ADMIN

SECURITY_CLASS = "stored XSS (data files)"
INLINE_TYPES = {"text/plain", "application/json", "image/png", "image/jpeg", "image/gif",
                "image/webp"}  # fmt: skip
STEAL = (
    "fetch('/api/auth/user?xss={mark}').then(r => r.text()).then(t => fetch('/health?xss=' + t))"
)
HTML = (
    "<!doctype html><html><head><title>clean</title><script src='evil.js'></script>"
    "<script>document.title='PWNED-INLINE';" + STEAL.format(mark="inline") + "</script></head>"
    '<body><img src=x onerror="' + STEAL.format(mark="img") + '">'
    "<iframe src='evil.svg'></iframe><embed src='evil.svg'></body></html>"
)
JS = "document.title = 'PWNED-JS'; " + STEAL.format(mark="js") + ";"
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" onload="' + STEAL.format(mark="svg-onload") + '">'
    "<script>document.title='PWNED-SVG';" + STEAL.format(mark="svg") + "</script></svg>"
)
XHTML = (
    '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>clean</title></head><body>'
    "<script>document.title='PWNED-XHTML';" + STEAL.format(mark="xhtml") + "</script></body></html>"
)
WRITTEN = {
    "evil.html": HTML, "evil.htm": HTML, "evil.js": JS, "evil.svg": SVG, "evil.xhtml": XHTML,
    "evil.xml": XHTML, "evil.shtml": HTML, "evil": HTML, "evil.txt": HTML, "evil.png": HTML,
    "evil.css": "body{background:url(javascript:alert(1))}", "evil.pdf": HTML,
    "evil.HTML": HTML, "evil.html.txt": HTML, "evil.mhtml": HTML, "evil.svgz": SVG,
}  # fmt: skip


@pytest.fixture(scope="module")
def stored(manager):
    """Alice's uploads and written files; return their data-file paths."""
    alice = manager.login("alice")
    group, project = manager.group_id(), manager.project_id(alice)
    files = {
        "page": ("evil.html", HTML.encode(), "text/html"),
        "code": ("evil.js", JS.encode(), "application/javascript"),
        "image": ("evil.svg", SVG.encode(), "image/svg+xml"),
    }
    run = manager.run(alice, "uploader.py", {"payloads": json.dumps(WRITTEN)}, files=files)
    assert manager.finished(alice, run)["status"] == "completed"
    alice.ok("POST", f"/api/data/{group}/{project}/evil.json", 201, json={"html": HTML})
    base = f"/api/data/{group}/{project}/"
    names = [*WRITTEN, "evil.json", "uploads/evil.html", "uploads/evil.js", "uploads/evil.svg"]
    listed = {f["name"] for f in alice.get(base + "files").json()["items"]}
    assert set(names) <= listed, sorted(set(names) - listed)
    return {"base": base, "names": names, "alice": alice}


def test_every_data_file_answer_is_inert(manager, stored, bad):
    for reader in (stored["alice"], manager.admin()):
        for name in stored["names"]:
            response = reader.get(stored["base"] + name)
            assert response.status_code == 200, (name, response.status_code)
            headers = response.headers
            kind = headers.get("Content-Type", "").split(";")[0].strip().lower()
            disposition = headers.get("Content-Disposition", "").lower()
            who = f"{reader.username} {name} ({kind})"
            bad.check(headers.get("X-Content-Type-Options", "").lower() == "nosniff",
                      f"{who}: no nosniff")  # fmt: skip
            policy = headers.get("Content-Security-Policy", "").lower()
            bad.check("sandbox" in policy, f"{who}: CSP {policy!r} has no sandbox")
            attachment = disposition.startswith("attachment")
            if kind not in INLINE_TYPES:
                bad.check(attachment, f"{who}: shown inline ({disposition or 'no disposition'})")
            active = kind in ("text/html", "image/svg+xml", "application/xhtml+xml", "text/xml")
            bad.check(attachment or not active, f"{who}: active type inline")
    missing = manager.admin().get(stored["base"] + "no-such-file.txt")
    bad.check(missing.headers.get("X-Content-Type-Options") == "nosniff", "404 without nosniff")
    bad.assert_none()


def test_an_admin_opening_the_files_runs_none_of_them(manager, stored, browser, bad):
    from playwright.sync_api import Error

    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    ran: list[str] = []
    page.on("dialog", lambda dialog: (ran.append(f"dialog {dialog.message}"), dialog.dismiss()))
    context.on("request", lambda r: ran.append(r.url) if "xss=" in r.url else None)
    try:
        log_in(page, manager, ADMIN)
        for name in stored["names"]:
            url = manager.url + stored["base"] + name
            try:
                page.goto(url)
            except Error as exc:  # a download instead of a page: nothing rendered
                assert "Download is starting" in str(exc) or "ERR_ABORTED" in str(exc), exc
            page.wait_for_load_state("networkidle")
            title = page.title()
            bad.check("PWNED" not in title, f"{name}: title {title!r}")
            bad.check(ran == [], f"{name}: script ran: {ran}")
            ran.clear()
        # the admin's session is intact and no payload reached it
        page.goto(manager.url + "/api/auth/user")
        assert ADMIN in body_text_of(page)
    finally:
        context.close()
    bad.assert_none()


def body_text_of(page) -> str:
    """Return the text the page shows."""
    return page.locator("body").inner_text()


def test_nothing_was_stolen_through_the_logs(manager, stored, bad):
    # a payload that ran would have fetched /health?xss=<the admin's user JSON>
    admin = manager.admin()
    log = admin.get("/api/admin/logs/system?name=access&lines=5000")
    text = body_text(log) if log.status_code == 200 else ""
    bad.check(log.status_code == 200, f"access log unreadable: {log.status_code}")
    bad.check("xss=" not in text, "a payload's request reached the server")
    bad.assert_none()
