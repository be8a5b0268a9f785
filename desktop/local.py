"""Desktop mode's start: the window first, the manager behind it, then the dashboard.

The main window shows the loading view at once; a thread started before the GUI toolkit's
own start imports and starts the embedded manager meanwhile, and the dashboard is loaded
as soon as both are up:

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
    """Start the embedded manager beside the window and sign the window in."""

    def __init__(self, settings: Settings, shell: DesktopShell) -> None:
        self._settings = settings
        self._shell = shell
        self._closed = threading.Event()
        self._starter: threading.Thread | None = None
        self._problem: str | None = None
        self._url = ""
        self.manager = None
        self.failed = False

    def begin(self) -> None:
        """Start the manager now, on a thread, while the window toolkit starts."""
        self._starter = threading.Thread(target=self._start_manager, name="manager-start",
                                         daemon=True)  # fmt: skip
        self._starter.start()

    def __call__(self) -> None:
        """Once the window is up (the toolkit's thread): wait for the manager, then load the
        first page; any failure is shown in the window, which stays open to be read."""
        try:
            if self._starter is None:
                self._start_manager()
            else:
                self._starter.join()
            if self._problem is not None:
                self._fail(self._problem)
            elif not self._closed.is_set():  # not closed while the manager started
                self._show()
        except Exception as exc:  # the top of a thread: show it, never hang
            logger.exception("the first page could not be shown")
            self._fail(str(exc) or type(exc).__name__)

    def _start_manager(self) -> None:
        try:
            from desktop.manager import EmbeddedManager  # the manager's modules

            self.manager = EmbeddedManager(self._settings)
            self._url = self.manager.start()
        except Exception as exc:
            logger.exception("the manager did not start")
            self._problem = str(exc) or type(exc).__name__

    def _show(self) -> None:
        print(f"ScriptsManager desktop on {self._url}", flush=True)
        self._shell.attach(self._url, self._interfaces())
        self._shell.main.load_url(self._first_page(self._url))

    def stop(self) -> None:
        """The main window is gone: stop the manager (every child, every port)."""
        self._closed.set()
        if self._starter is not None:
            self._starter.join()  # a manager still starting is stopped once it is up
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
