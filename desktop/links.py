"""Links that pages open in a new window, routed by the shell.

The main window's pages open interfaces as a browser would, with ``window.open``; the GUI
toolkit hands every new-window request to Python's ``webbrowser`` module, where this
router is registered. Interface links become native windows; any other link goes to the
system browser. No JavaScript bridge is needed, so the pages keep a strict CSP.

Interface links (same origin as the shell's manager):

- ``/interfaces/<session>/`` — the session's page;
- ``/auth/window?ticket=…&next=/interfaces/<session>/&script=<id>&title=…`` — the same,
  logged in with a one-time window ticket (needed when the shell joined a server);
- ``/interfaces/<session>/#closed`` — the session ended: close its window.
"""

from __future__ import annotations

import re
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urljoin, urlsplit

SESSION_PAGE = re.compile(r"^/interfaces/([A-Za-z0-9_-]{1,100})/$")
BROWSER_NAME = "scriptsmanager-shell"


@dataclass(frozen=True)
class InterfaceLink:
    """A request about one interface session's window."""

    session_id: str
    url: str
    script_id: int | None = None
    title: str | None = None
    closed: bool = False


def interface_link(url: str, base_url: str) -> InterfaceLink | None:
    """Return the interface request a URL carries, or None for any other link."""
    absolute = urljoin(base_url, url)
    parts, base = urlsplit(absolute), urlsplit(base_url)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        return None
    query = parse_qs(parts.query)
    page = query.get("next", [""])[0] if parts.path == "/auth/window" else parts.path
    target = urlsplit(page)
    if target.scheme or target.netloc:  # a page elsewhere is never an interface of ours
        return None
    page = target.path  # "?lease=1" and the like are the page's own business
    match = SESSION_PAGE.match(page)
    if not match:
        return None
    script = query.get("script", [""])[0]
    return InterfaceLink(
        session_id=match.group(1),
        url=absolute.split("#", 1)[0],
        script_id=int(script) if script.isdigit() else None,
        title=query.get("title", [""])[0][:200] or None,
        closed=parts.fragment == "closed",
    )


class LinkRouter(webbrowser.BaseBrowser):
    """A ``webbrowser`` controller: interface links to the shell, others to the system."""

    def __init__(
        self,
        base_url: str,
        on_interface: Callable[[InterfaceLink], None],
        system_browser: webbrowser.BaseBrowser | None,
    ) -> None:
        super().__init__(BROWSER_NAME)
        self._base_url = base_url
        self._on_interface = on_interface
        self._system_browser = system_browser

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        """Route one link."""
        link = interface_link(url, self._base_url)
        if link is not None:
            # Called on the GUI thread, which opening or closing a window waits for.
            threading.Thread(target=self._on_interface, args=(link,), daemon=True).start()
            return True
        if self._system_browser is None:
            return False
        return self._system_browser.open(url, new, autoraise)

    @classmethod
    def install(cls, base_url: str, on_interface: Callable[[InterfaceLink], None]) -> LinkRouter:
        """Register a router as the preferred browser of this process."""
        try:
            system_browser: webbrowser.BaseBrowser | None = webbrowser.get()
        except webbrowser.Error:
            system_browser = None
        router = cls(base_url, on_interface, system_browser)
        webbrowser.register(BROWSER_NAME, None, router, preferred=True)
        return router
