"""The desktop shell: the main window, interface windows, single instance, clean stop.

Imported only once a display and the desktop packages are known to be there.
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

os.environ.setdefault("QT_API", "pyside6")  # qtpy: PySide6 even when PyQt is installed too
if hasattr(os, "geteuid") and os.geteuid() == 0:
    # Chromium's sandbox cannot run as root, and Qt WebEngine refuses to start without it.
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")

import webview  # noqa: E402

from desktop.instance import SingleInstance  # noqa: E402
from desktop.links import LinkRouter  # noqa: E402
from desktop.loading import loading_view  # noqa: E402
from server.resources import resource_path  # noqa: E402
from server.settings import APP_NAME, SettingsError, load_settings  # noqa: E402

if TYPE_CHECKING:
    from desktop.local import LocalStart
    from desktop.sessions import Interfaces

MAIN_SIZE = (1280, 860)
MAIN_MIN_SIZE = (960, 640)
CONNECT_TIMEOUT = 10.0
# SIGBREAK: the CTRL_BREAK that stops a console program on Windows.
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGBREAK") if hasattr(signal, name)
)


logger = logging.getLogger(__name__)


class DesktopShell:
    """Run the GUI: the main window; closing it closes every other window."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.main: webview.Window | None = None
        self._signal_sockets: tuple[socket.socket, socket.socket] | None = None

    def open(self, url: str | None = None, html: str | None = None) -> webview.Window:
        """Create the main window on a page (or on HTML of its own, such as the loading view)."""
        self.main = webview.create_window(
            self.title,
            url,
            html=html,
            width=MAIN_SIZE[0],
            height=MAIN_SIZE[1],
            min_size=MAIN_MIN_SIZE,
            text_select=True,  # logs and paths are for copying (and no injected style)
        )
        return self.main

    def attach(self, url: str, interfaces: Interfaces) -> None:
        """Route the pages' interface links of the manager at ``url`` to ``interfaces``;
        closing the main window closes their windows."""
        LinkRouter.install(url, interfaces.follow_link)
        self.main.events.closed += interfaces.close_all

    def run(
        self,
        on_start: Callable[[], None] | None = None,
        on_main_closed: Callable[[], None] | None = None,
    ) -> None:
        """Show the windows and return once every one is closed. ``on_start`` runs on a
        thread of its own from now on, beside the GUI toolkit's own start (window calls
        such as ``load_url`` wait until the window is shown); ``on_main_closed`` runs once
        the main window is gone."""
        if on_main_closed is not None:
            self.main.events.closed += on_main_closed
        self._close_on_stop_signals()
        if on_start is not None:
            threading.Thread(target=on_start, name="manager-start", daemon=True).start()
        webview.start(
            gui=None if os.environ.get("PYWEBVIEW_GUI") else "qt",
            # Each window keeps its own in-memory profile: a shared on-disk profile makes
            # Qt WebEngine spin once one of several windows closes. Log in once per launch.
            private_mode=True,
            icon=str(resource_path("assets/images/app-icon.png")),
        )

    def focus(self) -> None:
        """Bring the main window to the front (asked by a second launch)."""
        if self.main is not None:
            self.main.restore()
            self.main.show()

    def close(self) -> None:
        """Close the main window, which closes the rest and ends ``run``."""
        if self.main is not None:
            self.main.destroy()

    def _close_on_stop_signals(self) -> None:
        # Python runs signal handlers between bytecodes of the main thread, which sits in
        # the GUI toolkit's loop; the wake-up socket lets a thread see a stop signal at once.
        reader, writer = self._signal_sockets = socket.socketpair()  # kept open while we run
        writer.setblocking(False)
        signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
        for stop_signal in STOP_SIGNALS:
            signal.signal(stop_signal, lambda *_: None)

        def wait_for_signal() -> None:
            while reader.recv(1)[0] not in STOP_SIGNALS:
                pass
            self.close()

        threading.Thread(target=wait_for_signal, name="stop-signals", daemon=True).start()


def run_local() -> int:
    """Desktop mode: the embedded manager and its windows, once per OS user. The window
    shows at once; the manager starts behind it (desktop.local)."""
    from desktop.local import LocalStart

    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"scriptsmanager: {exc}", file=sys.stderr)
        return 1
    instance = SingleInstance(settings.home / "desktop")
    if not instance.acquire():
        return _focus_running(instance)
    shell = DesktopShell(f"{settings.brand_name} ScriptsManager")
    start = LocalStart(settings, shell)
    start.begin()  # the manager starts while the window toolkit does
    shell.open(html=loading_view(settings.brand_name, settings.default_language))
    try:
        instance.answer_focus_requests(shell.focus)
        shell.run(start, on_main_closed=lambda: _end_after_main_window(start))
        return 1 if start.failed else 0
    finally:
        start.stop()
        instance.release()


EXIT_GRACE = 20.0  # seconds the GUI toolkit gets to wind down once everything is stopped


def _end_after_main_window(start: LocalStart) -> None:
    """Stop the manager (every child, every port) as soon as the main window is gone; if the
    GUI toolkit then fails to wind down, end the process rather than linger."""
    start.stop()

    def last_resort() -> None:
        logger.error("the window toolkit did not end %.0f s after the main window", EXIT_GRACE)
        os._exit(0)  # everything the app owns is stopped already

    timer = threading.Timer(EXIT_GRACE, last_resort)
    timer.daemon = True
    timer.start()


def run_connect(url: str) -> int:
    """Desktop client: the same windows on an existing server."""
    from desktop.manager import ManagerStartError, wait_until_healthy
    from desktop.sessions import RemoteInterfaces

    if not url.startswith(("http://", "https://")):
        print(f"scriptsmanager: {url!r} is not an http:// or https:// URL", file=sys.stderr)
        return 2
    base = url if url.endswith("/") else url + "/"
    try:
        wait_until_healthy(base, CONNECT_TIMEOUT)
    except ManagerStartError as exc:
        print(f"scriptsmanager: cannot reach the server: {exc}", file=sys.stderr)
        return 1
    state_dir = _user_state_dir()
    instance = SingleInstance(state_dir, "connect-" + hashlib.sha256(base.encode()).hexdigest()[:8])
    if not instance.acquire():
        return _focus_running(instance)
    try:
        print(f"ScriptsManager desktop connected to {base}", flush=True)
        shell = DesktopShell(f"ScriptsManager — {base}")
        shell.open(url=base)
        shell.attach(base, RemoteInterfaces(lambda: shell.main))
        instance.answer_focus_requests(shell.focus)
        shell.run()
        return 0
    finally:
        instance.release()


def _focus_running(instance: SingleInstance) -> int:
    if instance.ask_running_to_focus():
        print("ScriptsManager is already open; its window was brought to the front.")
        return 0
    print("scriptsmanager: another ScriptsManager window is starting or not answering.")
    return 1


def _user_state_dir() -> Path:
    # The shell's own state (login, lock) is per OS user, even when a service is shared.
    home = os.environ.get("SCRIPTSMANAGER_HOME")
    base = Path(home) if home else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return base / "desktop"
