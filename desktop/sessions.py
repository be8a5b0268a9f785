"""Where interface windows come from: the embedded manager, or a server the shell joined."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable

import webview

from desktop.links import InterfaceLink
from desktop.windows import InterfaceWindows
from server.services.audit import Actor
from server.services.errors import ServiceError
from server.services.registry import Services

logger = logging.getLogger(__name__)

SHELL_ACTOR = Actor(None, "desktop", "127.0.0.1")


def window_title(script_name: str | None, project_name: str | None) -> str:
    """Return an interface window's title: script and project."""
    return " — ".join(part for part in (script_name or "ScriptsManager", project_name) if part)


class LocalInterfaces:
    """Interfaces of the embedded manager: a window opens on the script's own port when the
    session is ready, and closing it ends the session as the close API does.

    Also an execution listener of the manager: a session closed elsewhere (Stop, exit,
    admin) closes its window.
    """

    def __init__(self, services: Services) -> None:
        self._services = services
        self.windows = InterfaceWindows(self._closed_by_user)

    def follow_link(self, link: InterfaceLink) -> None:
        """Open (or focus, or close) the window a page asked for."""
        if link.closed:
            self.windows.close(link.session_id)
        else:
            self.open(link.session_id)

    def open(self, session_id: str) -> None:
        """Open (or focus) the window of a ready session; nothing when it is not running."""
        svc = self._services
        try:
            with svc.db.job():
                host, port, token = svc.interfaces.target(session_id, 0, is_admin=True)
                record = svc.interfaces.get(session_id, 0, is_admin=True)
                script = svc.interfaces.script_names([record]).get(record.execution_uuid or "")
                project = svc.projects.get(record.user_id, record.project_id or 0, True)
                title = window_title(script, project.project_name)
        except ServiceError:
            return
        svc.interfaces.hold(session_id)  # the window keeps it alive, not a heartbeat
        self.windows.open(session_id, title, f"http://{host}:{port}/?sm_token={token}")

    def on_output(self, execution_id: str, stream: str, seq: int, data: bytes) -> None:
        """Output is for the live logs, not for windows."""

    def on_status(
        self, execution_id: str, user_id: int | None, status: str, exit_code: int | None
    ) -> None:
        """Run status changes arrive as interface changes too."""

    def on_interface(self, user_id: int, session: dict[str, object]) -> None:
        """Open a window when a session is ready; close it when the session ends."""
        # Called on the engine's thread: hand over at once, with a database session of our own.
        threading.Thread(target=self._follow, args=(dict(session),), daemon=True).start()

    def close_all(self) -> None:
        """The main window closed: close every window (the manager stops the runs itself)."""
        self.windows.close_all()

    def _follow(self, session: dict[str, object]) -> None:
        if session.get("status") == "ready":
            self.open(str(session["session_id"]))
        elif session.get("status") == "closed":
            self._services.interfaces.release(str(session["session_id"]))
            self.windows.close(str(session["session_id"]))

    def _closed_by_user(self, session_id: str) -> None:
        svc = self._services
        try:
            with svc.db.job():
                record = svc.interfaces.get(session_id, 0, is_admin=True)
                svc.interfaces.close(record, SHELL_ACTOR, reason="window closed")
        except ServiceError:
            logger.info("interface %s was already gone when its window closed", session_id)
        finally:
            svc.interfaces.release(session_id)


class RemoteInterfaces:
    """Interfaces of a server the shell joined: windows show the server's interface page
    (through its proxy), logged in by the one-time window ticket in the page's link;
    closing one asks the main window's page to call the close API with its login."""

    def __init__(self, main_window: Callable[[], webview.Window | None]) -> None:
        self._main_window = main_window
        self._script_ids: dict[str, int] = {}
        self.windows = InterfaceWindows(self._closed_by_user)

    def follow_link(self, link: InterfaceLink) -> None:
        """Open (or focus, or close) the window a page asked for."""
        if link.closed:
            self.windows.close(link.session_id)
            return
        if link.script_id is not None:
            self._script_ids[link.session_id] = link.script_id
        self.windows.open(link.session_id, link.title or "ScriptsManager", link.url)

    def close_all(self) -> None:
        """The main window closed: each interface window says goodbye with its own login (a
        beacon: the server closes the session seconds later), then every window closes.
        A window that cannot (a crash) leaves it to its lease."""
        for window in self.windows.each():
            try:
                window.run_js("SM.interface && SM.interface.leave()")
            except Exception:  # the lease ends that session
                logger.warning("an interface window could not close its session", exc_info=True)
        self.windows.close_all()

    def _closed_by_user(self, session_id: str) -> None:
        main = self._main_window()
        script_id = self._script_ids.pop(session_id, None)
        if main is not None and script_id is not None:
            main.run_js(f"SM.desktop.windowClosed({json.dumps(session_id)}, {script_id})")


Interfaces = LocalInterfaces | RemoteInterfaces
