"""Desktop shell figures on Xvfb, against a bare pywebview window on the same Qt backend.

Paired launches (bare window, then the app; medians of ``--rounds``):

- window visible: launch → the window is mapped (listed by the window manager);
- loaded: launch → the bare window's page / the app's dashboard, signed in, complete.

Then one run of the app for execute → interface window open, and the idle memory of
shell + manager + web engine.

    python bench/desktop.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import figure  # noqa: E402
from tests.desktop.cdp import Page, pages  # noqa: E402
from tests.desktop.harness import (  # noqa: E402
    ON_DASHBOARD,
    QUIET_QT_WARNING,
    XDisplay,
    desktop_env,
    launch,
    prepare_home,
    start_desktop,
    stop_desktop,
    x_display,
)
from tests.desktop.test_windows import INTERFACE_TITLE, MAIN_TITLE, open_heat_transfer  # noqa: E402
from tests.support import free_port, wait_for  # noqa: E402

BARE_TITLE = "Bare pywebview window"
BARE_READY = "document.readyState === 'complete' && !!document.querySelector('#bare')"
BARE = f"""
import webview
webview.create_window({BARE_TITLE!r}, html="<h1 id='bare'>Bare window</h1>",
                      width=1280, height=860)
webview.start(gui="qt", private_mode=True)
"""
VISIBLE_GOAL, LOADED_GOAL = 1.3, 2.0
POLL = 0.02
TIMEOUT = 120.0


def timed_launch(display: XDisplay, start, title: str, ready: str, port: int) -> tuple:
    """Start a window program; return (seconds to visible, seconds to loaded, process)."""
    began = time.perf_counter()
    process = start()
    wait_for(lambda: title in display.windows(), TIMEOUT, f"no {title!r} window", POLL)
    visible = time.perf_counter() - began
    wait_for(lambda: _page_ready(port, ready), TIMEOUT, f"{title!r} did not load", POLL)
    return visible, time.perf_counter() - began, process


def _page_ready(port: int, expression: str) -> bool:
    try:
        return any(Page(port, target).evaluate(expression) for target in pages(port, 1, 0))
    except (OSError, RuntimeError, LookupError):
        return False


def bare_round(display: XDisplay, scratch: Path) -> tuple[float, float]:
    """One launch of the bare window; return (visible, loaded) seconds."""
    port = free_port()
    env = desktop_env(display, scratch / "bare-home", port)
    log = (scratch / "bare.log").open("w")
    command = [sys.executable, "-W", QUIET_QT_WARNING, "-c", BARE]

    def start() -> subprocess.Popen:
        return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)

    visible, loaded, process = timed_launch(display, start, BARE_TITLE, BARE_READY, port)
    process.terminate()
    process.wait(60)
    log.close()
    return visible, loaded


def app_round(display: XDisplay, home: Path) -> tuple[float, float]:
    """One launch of the app; return (visible, dashboard loaded) seconds."""
    port = free_port()
    env = desktop_env(display, home, port)
    log = home / "bench-desktop.log"

    def start() -> subprocess.Popen:
        return launch([], env, log)

    visible, loaded, process = timed_launch(display, start, MAIN_TITLE, ON_DASHBOARD, port)
    process.terminate()
    process.wait(60)
    return visible, loaded


def pss_mib(root: psutil.Process, skip: str = "heat_transfer.py") -> float:
    """Return the proportional memory of a process and its children (scripts left out)."""
    total = 0
    for process in [root, *root.children(recursive=True)]:
        try:
            if skip in " ".join(process.cmdline()):
                continue
            total += process.memory_full_info().pss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total / 2**20


def interface_round(display: XDisplay, home: Path) -> tuple[float, float]:
    """Execute → interface window open (seconds), and the idle memory (MiB)."""
    app = start_desktop(display, home)
    try:
        main = app.signed_in()
        memory = pss_mib(psutil.Process(app.process.pid))
        open_heat_transfer(main)
        clicked = time.perf_counter()
        main.evaluate("document.querySelector('#sm-run-submit').click(); true")
        window = app.page("sm_token=")
        window.wait_for("!!document.querySelector('#calculate')")
        wait_for(lambda: INTERFACE_TITLE in display.windows(), interval=POLL)
        return time.perf_counter() - clicked, memory
    finally:
        stop_desktop(app)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    bare, app = [], []
    with x_display() as display, tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        home = scratch / "home"
        prepare_home(home, scratch / "groups")
        app_round(display, home)  # the first start creates the database and the account
        for _ in range(rounds):
            bare.append(bare_round(display, scratch))
            app.append(app_round(display, home))
        opened, memory = interface_round(display, home)
    bare_visible, bare_loaded = (statistics.median(x) for x in zip(*bare, strict=True))
    app_visible, app_loaded = (statistics.median(x) for x in zip(*app, strict=True))
    print(f"desktop shell on Xvfb, {rounds} paired launches (medians):")
    figure("bare pywebview window: visible", bare_visible * 1000, "ms")
    figure("bare pywebview window: page loaded", bare_loaded * 1000, "ms")
    figure("app: main window visible", app_visible * 1000, "ms")
    figure("app: dashboard loaded, signed in", app_loaded * 1000, "ms")
    figure("window visible, app / bare", app_visible / bare_visible, "×", VISIBLE_GOAL)
    figure("dashboard loaded, app / bare page loaded", app_loaded / bare_loaded, "×", LOADED_GOAL)
    figure("execute → interface window open", opened * 1000, "ms")
    figure("idle memory, shell + manager + web engine (PSS)", memory, "MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
