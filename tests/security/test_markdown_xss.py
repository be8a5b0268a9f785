"""Markdown XSS: documentation a developer writes renders with no active element.

Each payload goes through the preview, the save (PUT description-long) and the read; the
HTML must hold no script-capable element, no ``on*`` handler, no ``style``/``srcdoc`` and
no javascript:/vbscript:/data: URL. Then all of them, saved as one document, are shown to
an admin in Chromium (the script page, and the bare HTML in a page with no CSP to lean
on): no dialog opens and no script runs.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from tests.security.chromium import log_in
from tests.security.harness import ADMIN

SECURITY_CLASS = "markdown XSS"
PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(2)>",
    '<img src="javascript:alert(3)">',
    "<svg onload=alert(4)>",
    "<svg><script>alert(5)</script></svg>",
    '<iframe src="javascript:alert(6)"></iframe>',
    '<iframe srcdoc="<script>alert(7)</script>"></iframe>',
    '<object data="javascript:alert(8)"></object>',
    '<embed src="data:text/html,<script>alert(9)</script>">',
    "[click](javascript:alert(10))",
    "[click](JaVaScRiPt:alert(11))",
    "[click](java\tscript:alert(12))",
    "[click](&#106;avascript:alert(13))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxNCk8L3NjcmlwdD4=)",
    "[click](vbscript:msgbox(15))",
    "![img](javascript:alert(16))",
    "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMTcpPjwvc3ZnPg==)",
    '<a href="javascript:alert(18)">x</a>',
    '<a href="#" onclick="alert(19)">x</a>',
    '<div onmouseover="alert(20)">hover</div>',
    "<details open ontoggle=alert(21)><summary>x</summary></details>",
    "<body onload=alert(22)>",
    '<form action="javascript:alert(24)"><button>go</button></form>',
    "<input autofocus onfocus=alert(25)>",
    '<video><source onerror="alert(26)"></video>',
    "<style>@import 'javascript:alert(27)';</style>",
    "<link rel=stylesheet href=javascript:alert(28)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(29)">',
    '<base href="javascript:alert(30)//">',
    '<p style="background:url(javascript:alert(31))">x</p>',
    "[x](javascript&colon;alert(32))",
    '<a href="&#x6A;avascript:alert(33)">x</a>',
    '<noscript><p title="</noscript><img src=x onerror=alert(34)>">',
    "<!--><img src=x onerror=alert(35)>-->",
    "<img src=x:alert(36) onerror=eval(src)>",
    '[a](https://ok.example "t" onclick=alert(37))',
    "<a href=javascript:alert(38)>x</a>",
    "$$\\href{javascript:alert(39)}{x}$$",
    "\\(\\href{javascript:alert(40)}{click}\\)",
    "<scr<script>ipt>alert(41)</scr</script>ipt>",
    '<img src="x" onerror="&#97;lert(42)">',
    "<a href='jav&#x09;ascript:alert(43)'>tab</a>",
    "<isindex action=javascript:alert(44) type=image>",
    "<marquee onstart=alert(45)>x</marquee>",
    '<a href="\x01javascript:alert(46)">ctl</a>',
    '<img src=x id=sm-doc name=cookie onerror="alert(47)">',
    # last: the sanitiser drops everything after it (harmless, but it would hide the rest)
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(23)>",
]
CLOSERS = "</style></textarea></noscript></iframe></script></math></svg></details>"
ACTIVE_TAGS = {
    "script", "iframe", "object", "embed", "svg", "math", "style", "link", "meta", "base",
    "form", "input", "button", "textarea", "select", "frame", "frameset", "applet", "video",
    "audio", "source", "template", "noscript", "body", "html", "isindex", "marquee", "details",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "data", "action", "formaction", "poster", "cite", "background"}
C0_AND_SPACE = "".join(map(chr, range(0x21)))
BAD_SCHEMES = re.compile(r"^(javascript|vbscript|data|livescript):", re.IGNORECASE)


class ActiveContent(HTMLParser):
    """Collect what in an HTML fragment could run script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ACTIVE_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc", "xlink:href"):
                self.found.append(f"{tag}[{name}]")
            if name in URL_ATTRIBUTES and value is not None:
                # as a browser reads a URL: outer controls and spaces trimmed, tabs and
                # newlines dropped anywhere
                cleaned = re.sub(r"[\t\n\r]", "", html.unescape(value)).strip(C0_AND_SPACE)
                if BAD_SCHEMES.match(cleaned):
                    self.found.append(f"{tag}[{name}={value!r}]")


def active_content(fragment: str) -> list[str]:
    """Return what in an HTML fragment could run script (empty when nothing)."""
    parser = ActiveContent()
    parser.feed(fragment)
    parser.close()
    return parser.found


@pytest.fixture(scope="module")
def documented(manager):
    """Dave (developer) saves every payload; return the script id and the saved HTML."""
    dave = manager.login("dave")
    script = manager.script_id("echo_args.py")
    # each payload is closed off so that one which swallows the rest (<style>...) hides none
    markdown = "\n\n".join(f"Payload {i}:\n\n{p}\n\n{CLOSERS}" for i, p in enumerate(PAYLOADS, 1))
    saved = dave.ok("PUT", f"/api/scripts/{script}/description-long",
                    json={"markdown": markdown, "language": "en"})  # fmt: skip
    return {"dave": dave, "script": script, "html": saved["html"]}


def test_each_payload_renders_inert(manager, documented, bad):
    dave, script = documented["dave"], documented["script"]
    base = f"/api/scripts/{script}/description-long"
    for index, payload in enumerate(PAYLOADS, 1):
        preview = dave.ok("POST", "/api/docs/preview", json={"markdown": payload})["html"]
        bad.check(not active_content(preview), f"preview #{index}: {active_content(preview)}")
        saved = dave.ok("PUT", base, json={"markdown": payload, "language": "fr"})["html"]
        bad.check(not active_content(saved), f"save #{index}: {active_content(saved)}")
        read = manager.admin().get(f"{base}?lang=fr").json()
        bad.check(read["language"] == "fr" and not active_content(read["html"]),
                  f"read #{index}: {active_content(read['html'])}")  # fmt: skip
    whole = documented["html"]
    bad.check(not active_content(whole), f"whole document: {active_content(whole)}")
    bad.assert_none()


def watch(page, ran: list[str]) -> None:
    """Record every sign of script: dialogs, and requests that carry a payload's mark."""
    page.on("dialog", lambda dialog: (ran.append(f"dialog {dialog.message}"), dialog.dismiss()))
    page.on(
        "request",
        lambda request: (
            ran.append(f"request {request.url}")
            if "evil.example" in request.url or "alert" in request.url
            else None
        ),
    )


def test_the_documentation_runs_nothing_in_a_browser(manager, documented, browser, bad):
    context = browser.new_context()
    page = context.new_page()
    ran: list[str] = []
    watch(page, ran)
    try:
        log_in(page, manager, ADMIN)
        page.goto(f"{manager.url}/scripts/{documented['script']}")
        page.click("#sm-docs-tab")
        shown = max(int(n) for n in re.findall(r"Payload (\d+):", documented["html"]))
        assert shown >= len(PAYLOADS) - 1  # all but the swallowing one are in the page
        page.wait_for_function(
            "n => document.querySelector('#sm-doc')?.textContent.includes(`Payload ${n}:`)",
            arg=shown,
        )
        title = page.title()
        for link in page.locator("#sm-doc a").all():
            link.hover()
        page.mouse.move(0, 0)
        # everything the page asked for has come back: handlers that would fire have fired
        page.wait_for_load_state("networkidle")
        bad.check(page.title() == title, f"title changed to {page.title()!r}")
        live = page.evaluate(
            "Array.from(document.querySelectorAll('#sm-doc *')).flatMap(e => "
            "Array.from(e.attributes).filter(a => a.name.startsWith('on') || "
            "/^\\s*(javascript|data|vbscript):/i.test(a.value)).map(a => e.tagName + ' ' + a.name))"
        )
        bad.check(live == [], f"live attributes in the page: {live}")
        bad.check(ran == [], f"script ran on the script page: {ran}")
        # the same HTML in a page with no Content-Security-Policy: the sanitiser alone
        bare = context.new_page()
        watch(bare, ran)
        bare.set_content(f"<title>bare</title><article>{documented['html']}</article>")
        assert f"Payload {shown}:" in bare.content()
        bare.wait_for_load_state("networkidle")
        bad.check(bare.title() == "bare", f"bare title changed to {bare.title()!r}")
        bad.check(ran == [], f"script ran from the bare HTML: {ran}")
    finally:
        context.close()
    bad.assert_none()
