"""Desktop shell figures: cold start to the main window loaded, execute to the interface
window showing its page, and the idle memory of shell + manager (+ web engine).

Runs the real ``scriptsmanager`` on Xvfb; prints medians of a few rounds.

    python bench/desktop.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.desktop.harness import (  # noqa: E402
    prepare_home,
    start_desktop,
    stop_desktop,
    x_display,
)
from tests.desktop.test_windows import INTERFACE_TITLE, open_heat_transfer  # noqa: E402
from tests.support import wait_for  # noqa: E402

LOADED = "document.readyState === 'complete' && !!document.querySelector('#username')"


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    starts, opens, memory = [], [], []
    with x_display() as display, tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch) / "home"
        prepare_home(home, Path(scratch) / "groups")
        for _ in range(rounds):
            began = time.perf_counter()
            app = start_desktop(display, home)
            try:
                main_page = app.page("/login")
                main_page.wait_for(LOADED)
                starts.append(time.perf_counter() - began)
                main_page = app.log_in()
                time.sleep(2)  # idle on the dashboard
                memory.append(pss_mib(psutil.Process(app.process.pid)))
                open_heat_transfer(main_page)
                clicked = time.perf_counter()
                main_page.evaluate("document.querySelector('#sm-run-submit').click(); true")
                window = app.page("sm_token=")
                window.wait_for("!!document.querySelector('#calculate')")
                wait_for(lambda: INTERFACE_TITLE in display.windows())
                opens.append(time.perf_counter() - clicked)
            finally:
                stop_desktop(app)
    print(f"desktop shell, {rounds} rounds (medians):")
    print(f"  cold start to main window loaded: {statistics.median(starts) * 1000:.0f} ms")
    print(f"  execute to interface window open: {statistics.median(opens) * 1000:.0f} ms")
    print(f"  idle memory, shell + manager + web engine (PSS): {statistics.median(memory):.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
