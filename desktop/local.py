"""Desktop mode's start: the window first, the manager behind it, then the dashboard.

The main window shows the loading view at once; this runs on a thread beside the GUI
toolkit's start, imports and starts the embedded manager, then loads the dashboard:

- personal desktop (the default): the OS user's own account is found or created, and the
  window's sign-in page gets a one-time ticket in-process (``run_js``), never in a URL;
- ``DESKTOP_REQUIRE_LOGIN``: the login page (or, before any admin exists, the first-run
  page with the setup token only this window holds).
"""

from __future__ import annotations

import getpass
import json
import logging
import threading
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from desktop.loading import error_view
from server.settings import Settings

if TYPE_CHECKING:
    from desktop.shell import DesktopShell

logger = logging.getLogger(__name__)

SIGN_IN_PATH = "/desktop/sign-in"


class LocalStart:
    """Start the embedded manager behind the shown window and sign the window in."""

    def __init__(self, settings: Settings, shell: DesktopShell) -> None:
        self._settings = settings
        self._shell = shell
        self._closed = threading.Event()
        self.manager = None
        self.failed = False

    def __call__(self) -> None:
        """Start the manager, then load the first page (on a thread of its own); any
        failure is shown in the window, which stays open so that it can be read."""
        try:
            self._start()
        except Exception as exc:  # the top of a thread: show it, never hang
            logger.exception("the manager did not start")
            self._fail(str(exc) or type(exc).__name__)

    def _start(self) -> None:
        from desktop.manager import EmbeddedManager  # the manager's modules: after the window

        self.manager = EmbeddedManager(self._settings)
        url = self.manager.start()
        if self._closed.is_set():  # the window was closed while the manager started
            self.manager.stop()
            return
        print(f"ScriptsManager desktop on {url}", flush=True)
        self._shell.attach(url, self._interfaces())
        self._shell.main.load_url(self._first_page(url))

    def stop(self) -> None:
        """The main window is gone: stop the manager (every child, every port)."""
        self._closed.set()
        if self.manager is not None:
            self.manager.stop()

    def _interfaces(self):
        from desktop.sessions import LocalInterfaces

        interfaces = LocalInterfaces(self.manager.services)
        self.manager.services.events.subscribe(interfaces)
        return interfaces

    def _first_page(self, url: str) -> str:
        from server.app import first_run_token
        from server.services.first_run import setup_link

        if self._settings.desktop_require_login:
            token = first_run_token(self.manager.app)  # only this window sees it
            return setup_link(url, token) if token else url
        services = self.manager.services
        with services.db.job():
            services.desktop_account.enable(getpass.getuser(), self._settings.default_language)
        self._shell.main.events.loaded += self._hand_ticket
        return url.rstrip("/") + SIGN_IN_PATH

    def _hand_ticket(self) -> None:
        """Give the sign-in page, whenever it is shown, a fresh one-time ticket."""
        window = self._shell.main
        if window is None or urlsplit(window.get_current_url() or "").path != SIGN_IN_PATH:
            return
        ticket = self.manager.services.desktop_account.issue_ticket()
        # Run as is: evaluate_js wraps the code in eval(), which the pages' CSP refuses.
        window.run_js(f"SM.desktopSignIn({json.dumps(ticket)})")

    def _fail(self, problem: str) -> None:
        self.failed = True
        print(f"scriptsmanager: the manager did not start: {problem}", flush=True)
        self._shell.main.load_html(error_view(self._settings.brand_name, problem))
