"""Finding 2: ``/login?next=...`` never sends anyone to another origin.

The login page's ``data-next`` must be a path on this origin, however ``next`` was
written (tabs and newlines that browsers drop, backslashes they read as slashes, dot
segments that collapse into ``//``, schemes, user-info). Then, in Chromium, logging in from
such a link lands on this origin, and no request ever leaves for another host.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote, urljoin, urlsplit

import pytest

from tests.security.clients import body_text, origin_of
from tests.security.harness import ADMIN, PASSWORD

SECURITY_CLASS = "open redirect (finding 2)"
NEXTS = [
    "/%09/evil.example/", "/%0a/evil.example", "//evil.example", "/\\evil.example",
    "https://evil.example", "/%5cevil.example", "\t//evil.example", "/\t/evil.example",
    "/\n/evil.example", "http://evil.example", "///evil.example", "\\\\evil.example",
    "/\\/evil.example", "javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
    "https:evil.example", "http:/evil.example", "//evil.example@127.0.0.1/",
    "/%2f%2fevil.example", "%2f%2fevil.example", "/.//evil.example", "/a/..//evil.example",
    "/./\\evil.example", " //evil.example", "/\x00/evil.example", "\\/evil.example",
    "//evil.example/%2f..", "/%2e%2e//evil.example", "https://127.0.0.1.evil.example/",
    "/\u3002evil.example", "\uff0f\uff0fevil.example", "/\r/evil.example", "/\x0b/evil.example",
]  # fmt: skip
IN_BROWSER = ["/%09/evil.example/", "//evil.example", "/\\evil.example", "\t//evil.example",
              "/.//evil.example", "/a/..//evil.example", "/%2f%2fevil.example",
              "javascript:alert(1)"]  # fmt: skip
DATA_NEXT = re.compile(r'data-next="([^"]*)"')


def lands_here(base: str, target: str) -> bool:
    """Return True when a page at ``base`` going to ``target`` as login.js does stays here.

    login.js resolves ``target`` against the page, keeps pathname+search+hash, and assigns
    that: a pathname that starts with "//" would leave. Browsers drop tabs and newlines
    and read "\\" as "/" in http URLs.
    """
    if any(ord(c) < 0x20 or c == "\x7f" for c in target) or "\\" in target:
        return False
    if not target.startswith("/") or target.startswith("//"):
        return False
    resolved = urlsplit(urljoin(base, target))
    kept = resolved.path + (f"?{resolved.query}" if resolved.query else "")
    final = urlsplit(urljoin(base, kept))
    return (final.scheme, final.netloc) == (urlsplit(base).scheme, urlsplit(base).netloc)


def test_data_next_is_always_a_path_on_this_origin(manager, bad):
    visitor = manager.anonymous()
    base = manager.url + "/login"
    for target in NEXTS:
        for encoded in (quote(target, safe=""), quote(target, safe="/:@")):
            page = visitor.get(f"/login?next={encoded}")
            found = DATA_NEXT.search(body_text(page))
            shown = html.unescape(found.group(1)) if found else None
            ok = page.status_code == 200 and shown is not None and lands_here(base, shown)
            bad.check(ok, f"next={target!r}: {page.status_code} data-next={shown!r}")
    plain = visitor.get("/login?next=/logs%3Fstatus%3Dfailed")
    assert html.unescape(DATA_NEXT.search(plain.text).group(1)) == "/logs?status=failed"
    bad.assert_none()


def test_window_login_links_stay_here_too(manager, bad):
    visitor = manager.anonymous()
    for target in NEXTS:
        response = visitor.get(f"/auth/window?ticket=bogus&next={quote(target, safe='')}")
        location = response.headers.get("Location", "")
        final = urljoin(manager.url + "/auth/window", location)
        bad.check(origin_of(final) == manager.url, f"window next={target!r}: {location!r}")
    bad.assert_none()


@pytest.mark.parametrize("target", IN_BROWSER)
def test_logging_in_from_a_crafted_link_lands_here(manager, browser, target, bad):
    context = browser.new_context()
    left: list[str] = []

    def guard(route):
        url = route.request.url
        if origin_of(url) != manager.url:
            left.append(url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("dialog", lambda dialog: (left.append(f"dialog {dialog.message}"), dialog.dismiss()))
    try:
        page.goto(f"{manager.url}/login?next={quote(target, safe='')}")
        page.fill("#username", ADMIN)
        page.fill("#password", PASSWORD)
        page.click("#sm-login-submit")
        page.wait_for_function("() => !location.pathname.startsWith('/login')")
        page.wait_for_load_state()
        bad.check(origin_of(page.url) == manager.url and not left,
                  f"next={target!r} went to {page.url} ({left})")  # fmt: skip
    finally:
        context.close()
    bad.assert_none()
