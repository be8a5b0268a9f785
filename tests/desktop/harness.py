"""Run the desktop shell on a real X display and reach into its windows (tests, benchmarks).

- ``x_display()``: Xvfb at 24-bit colour (Qt WebEngine crashes at 16) with openbox, so
  windows can be listed and closed with ``wmctrl`` as a person would close them;
- ``start_desktop()``: the real ``scriptsmanager`` command in its own process (the GUI loop
  owns its main thread), with Qt WebEngine's DevTools port open for ``tests/desktop/cdp.py``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.desktop.cdp import Page, wait_for_page
from tests.support import free_port

ADMIN_PASSWORD = "Desk-Admin-Pass1"
REPO = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 90.0  # Qt WebEngine and the manager start slowly on a loaded machine
TOOL_TIMEOUT = 30  # wmctrl and friends answer at once, unless the machine is busy
# pywebview's Qt backend calls a deprecated Qt API; the warning must not become an error.
QUIET_QT_WARNING = "ignore::DeprecationWarning:webview.platforms.qt"
ON_DASHBOARD = "location.pathname === '/' && !!document.querySelector('.sm-group-card')"


@dataclass
class XDisplay:
    """A running X server with a window manager."""

    name: str
    processes: list[subprocess.Popen] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        """Return the environment of a program shown on this display."""
        environ = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY",)}
        environ["DISPLAY"] = self.name
        return environ

    def windows(self) -> list[str]:
        """Return the titles of the managed windows."""
        listing = subprocess.run(
            ["wmctrl", "-l"], env=self.env(), capture_output=True, text=True, timeout=TOOL_TIMEOUT
        ).stdout
        return [line.split(None, 3)[3] for line in listing.splitlines() if len(line.split()) > 3]

    def close_window(self, title: str) -> None:
        """Close a window gracefully, as its title-bar button does."""
        subprocess.run(["wmctrl", "-c", title], env=self.env(), check=True, timeout=TOOL_TIMEOUT)

    def window_id(self, title: str) -> str:
        """Return the X id of the window with this title."""
        listing = subprocess.run(
            ["wmctrl", "-l"], env=self.env(), capture_output=True, text=True, timeout=TOOL_TIMEOUT
        ).stdout
        for line in listing.splitlines():
            window_id, _desktop, _host, *name = line.split(None, 3)
            if name and name[0] == title:
                return window_id
        raise LookupError(f"no window titled {title!r}")

    def screenshot(self, path: Path, window: str | None = None) -> Path:
        """Save a PNG of the whole screen, or of one window."""
        target = self.window_id(window) if window else "root"
        subprocess.run(
            ["import", "-window", target, str(path)], env=self.env(), check=True, timeout=60
        )
        return path


@contextmanager
def x_display() -> Iterator[XDisplay]:
    """Run Xvfb (24-bit colour) with openbox; stop both on exit."""
    for tool in ("Xvfb", "openbox", "wmctrl", "import"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} is missing: run `make system-deps`")
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x900x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end) as announced:
        display = XDisplay(":" + announced.readline().strip(), [xvfb])
    window_manager = subprocess.Popen(
        ["openbox"], env=display.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    display.processes.append(window_manager)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while subprocess.run(
        ["wmctrl", "-m"], env=display.env(), capture_output=True, timeout=TOOL_TIMEOUT
    ).returncode:
        if time.monotonic() > deadline:
            raise RuntimeError("openbox did not start")
        time.sleep(0.1)
    try:
        yield display
    finally:
        for process in reversed(display.processes):
            process.terminate()
            process.wait(TOOL_TIMEOUT)


@dataclass
class DesktopApp:
    """A ``scriptsmanager`` desktop process."""

    process: subprocess.Popen
    log_path: Path
    devtools_port: int
    home: Path
    env: dict[str, str]
    url: str = ""

    def output(self) -> str:
        """Return what the process printed so far."""
        return self.log_path.read_text(errors="replace")

    def page(self, match: str, timeout: float = STARTUP_TIMEOUT) -> Page:
        """Return the page of the window whose URL contains ``match``."""
        return wait_for_page(self.devtools_port, match, timeout)

    def signed_in(self) -> Page:
        """Return the main page once the personal desktop has signed it in on the dashboard."""
        main = self.page(self.url)
        main.wait_for(ON_DASHBOARD)
        return main

    def log_in(self, username: str = "admin", password: str = ADMIN_PASSWORD) -> Page:
        """Log in through the main window's form (a window that asks for a login: --connect,
        DESKTOP_REQUIRE_LOGIN); return the main page on the dashboard."""
        main = self.page("/login")
        main.wait_for("document.readyState === 'complete' && !!document.querySelector('#username')")
        main.evaluate(
            f"document.querySelector('#username').value = {username!r};"
            f"document.querySelector('#password').value = {password!r};"
            "document.querySelector('button[type=submit]').click(); true"
        )
        main.wait_for(ON_DASHBOARD)
        return main

    def wait(self, timeout: float = 90.0) -> int:
        """Wait for the process to end; return its exit code (fail with its output)."""
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"the desktop app did not end within {timeout:.0f} s; it printed:\n"
                f"{self.output()[-4000:]}"
            ) from None


def desktop_env(display: XDisplay, home: Path, devtools_port: int) -> dict[str, str]:
    """Return the environment of a desktop run on ``display`` with a private home."""
    environ = display.env()
    environ.pop("PYTHONWARNINGS", None)
    environ.update(
        {
            "SCRIPTSMANAGER_HOME": str(home),
            "QTWEBENGINE_DISABLE_SANDBOX": "1",  # root in CI
            "QTWEBENGINE_REMOTE_DEBUGGING": f"127.0.0.1:{devtools_port}",
        }
    )
    return environ


def launch(args: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """Start ``scriptsmanager`` with arguments in its own process group."""
    with log_path.open("a") as log:
        return subprocess.Popen(
            [sys.executable, "-W", QUIET_QT_WARNING, "-m", "desktop.launcher", *args],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def start_desktop(
    display: XDisplay, home: Path, args: list[str] | None = None, url_line: str = "desktop on "
) -> DesktopApp:
    """Start the desktop shell; wait until it reports its manager's URL."""
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log_path = home / f"desktop-{port}.log"
    env = desktop_env(display, home, port)
    process = launch(args or [], env, log_path)
    app = DesktopApp(process, log_path, port, home, env)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        found = re.search(url_line + r"(http://\S+)", app.output())
        if found:
            app.url = found.group(1)
            return app
        if process.poll() is not None:
            raise RuntimeError(f"the desktop shell exited early:\n{app.output()}")
        time.sleep(0.05)
    stop_desktop(app)
    raise RuntimeError(f"the desktop shell did not start:\n{app.output()}")


def stop_desktop(app: DesktopApp) -> None:
    """End a desktop process (SIGTERM, then SIGKILL of its group)."""
    if app.process.poll() is None:
        app.process.send_signal(signal.SIGTERM)
        try:
            app.process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(app.process.pid, signal.SIGKILL)
            app.process.wait(TOOL_TIMEOUT)


def prepare_home(home: Path, groups: Path) -> None:
    """Give a home a copy of the shipped groups and the admin ``admin``."""
    shutil.copytree(REPO / "script_groups", groups)
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.json").write_text(json.dumps({"script_groups_path": str(groups)}))
    subprocess.run(
        [sys.executable, "-m", "desktop.launcher", "create-admin", "--username", "admin",
         "--password", ADMIN_PASSWORD],
        env={**os.environ, "SCRIPTSMANAGER_HOME": str(home)},
        check=True, capture_output=True, timeout=60, cwd=REPO,
    )  # fmt: skip
