"""Benchmark the log viewer in Chromium: a person moves inside a finished run's 100 MB log.

Starts ``scriptsmanager --server`` (bench/harness.py), runs a tiny script and replaces its
log file by the browser test's generated log (tests/browser/test_log_navigation.py: about
100 MB, 1.35 M lines, every 1000th on stderr, "quasar" on three lines). Debian's headless
Chromium, driven by Playwright, logs in and visits the run's page VISITS times. Each visit
times, from the user's action (the click or Enter, on the page's clock) to the frame where
the state is in view (polled on every animation frame): opening the page until the log's
end is shown; Start; Go to the middle line; a search for "quasar" (first hit below the
middle, Next to the far one at the top, Previous back), "stderr only" on and off. Prints
the median and worst of each, and the bytes the browser fetched against the log's size.
Run: ``make bench`` or ``python bench/log_viewer_browser.py``.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Page, expect  # noqa: E402

from bench.harness import ADMIN, PASSWORD, BenchServer, bench_server, figure  # noqa: E402
from tests.browser.test_log_navigation import (  # noqa: E402
    LINES,
    MAX_FETCHED,
    SCROLLED_TO_THE_END,
    SEVERAL,
    STDERR_EVERY,
    body_size,
    target,
    write_log,
)
from tests.browser.test_shell import log_in  # noqa: E402
from tests.chromium import patient_chromium  # noqa: E402
from tests.support import GroupWriter  # noqa: E402

VISITS, OPEN_GOAL, STEP_GOAL = 10, 1000.0, 500.0
MIDDLE, WORD, MIB = LINES // 2, "quasar", 1024 * 1024
FIRST, FAR = SEVERAL[-1], SEVERAL[0]  # the hit below the middle; the first of the file
assert SEVERAL[-2] < MIDDLE < FIRST
# In the page: the time of the last click or Enter; watch(spec) checks on every animation
# frame whether line spec.line is inside the viewer (marked with spec.hit; with spec.stderr,
# among stderr lines alone or not; with spec.end, scrolled to the end) and keeps in result
# the ms from the action to the first frame it is (from the navigation with spec.load).
PROBE = (
    f"(() => {{\n  const scrolledToTheEnd = {SCROLLED_TO_THE_END};"
    + """
  let at = -1;
  const note = (event) => {
    if (event.type === "click" || event.key === "Enter") at = performance.now();
  };
  addEventListener("click", note, true);
  addEventListener("keydown", note, true);
  function shown(spec) {
    const viewer = document.getElementById("sm-log-viewer");
    const row = viewer && viewer.querySelector('.sm-line[data-line="' + spec.line + '"]');
    if (!row || viewer.hasAttribute("aria-busy")) return false;
    const box = viewer.getBoundingClientRect(), own = row.getBoundingClientRect();
    if (own.top < box.top - 1 || own.bottom > box.bottom + 1) return false;
    if (spec.hit && !row.classList.contains("sm-line-hit")) return false;
    const others = viewer.querySelector(".sm-line:not(.sm-line-stderr)") !== null;
    if (spec.stderr !== undefined && others === spec.stderr) return false;
    return !spec.end || scrolledToTheEnd();
  }
  window.__bench = { result: null, watch(spec) {
    const since = performance.now();
    this.result = null;
    const check = () => {
      const acted = spec.load || at >= since;
      if (acted && shown(spec)) this.result = { ms: performance.now() - (spec.load ? 0 : at) };
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  } };
})();"""
)
OPENED = {"line": LINES, "end": True, "load": True}
FIRST_IN_VIEW = """viewer => {
  const top = viewer.getBoundingClientRect().top;
  const rows = [...viewer.querySelectorAll(".sm-line")];
  return Number(rows.find((row) => row.getBoundingClientRect().bottom > top).dataset.line);
}"""
STEPS = {
    "open the run's page -> end of the log shown": OPEN_GOAL,
    "Start -> line 1 shown": STEP_GOAL,
    f"go to line {MIDDLE:,} -> shown, marked": STEP_GOAL,
    f"search {WORD!r} -> hit at line {FIRST:,} shown": STEP_GOAL,
    f"Next -> far hit, line {FAR:,} (wraps)": STEP_GOAL,
    f"Previous -> back to line {FIRST:,} (wraps)": STEP_GOAL,
    "stderr only on -> first stderr line shown": STEP_GOAL,
    "stderr only off -> every line shown": STEP_GOAL,
}


def prepare(groups: GroupWriter) -> None:
    """Write the group of the tiny script whose run gets the generated log."""
    groups.group("bench", name="Bench")
    groups.script("bench", "tiny.py", "@description: one line", 'print("hello")\n')


def big_run(server: BenchServer) -> tuple[str, int]:
    """Run the tiny script, write the generated log over its log file; return id and size."""
    script_id = server.scripts()["bench/tiny.py"]
    answer = server.admin.post(f"/api/scripts/{script_id}/execute", {"parameters": {}})
    execution_id = answer.json()["execution_id"]
    server.wait_finished(server.admin, execution_id)
    return execution_id, write_log(next(server.home.rglob(f"execution_{execution_id}.log")))


def result(page: Page) -> float:
    """Wait for the state being watched to be shown; return the ms the page measured."""
    return page.wait_for_function("() => window.__bench.result").json_value()["ms"]


def timed(page: Page, spec: dict, action: Callable[[], None]) -> float:
    """Watch for the state ``spec``, do ``action``; return the ms until it was shown."""
    page.evaluate("spec => window.__bench.watch(spec)", spec)
    action()
    return result(page)


def enter(page: Page, selector: str, text: str) -> Callable[[], None]:
    """Return the action: type ``text`` into the field and press Enter."""

    def action() -> None:
        page.fill(selector, text)
        page.press(selector, "Enter")

    return action


def visit(page: Page, url: str) -> list[float]:
    """Open the run's page and move inside its log; return the ms of each of STEPS."""
    page.goto(url)  # the init script watches for OPENED from the navigation
    times = [result(page)]
    times.append(timed(page, {"line": 1}, lambda: page.click("#sm-log-start")))
    line = {"line": MIDDLE, "hit": True}
    times.append(timed(page, line, enter(page, "#sm-log-line", str(MIDDLE))))
    hit, far = {"line": FIRST, "hit": True}, {"line": FAR, "hit": True}
    times.append(timed(page, hit, enter(page, "#sm-log-query", WORD)))
    times.append(timed(page, far, lambda: page.click("#sm-log-next")))
    times.append(timed(page, hit, lambda: page.click("#sm-log-prev")))
    expect(target(page)).to_be_in_viewport()
    in_view = page.eval_on_selector("#sm-log-viewer", FIRST_IN_VIEW)
    first_stderr = -(-in_view // STDERR_EVERY) * STDERR_EVERY  # at or after the first in view
    alone, among = {"line": first_stderr, "stderr": True}, {"line": first_stderr, "stderr": False}
    times.append(timed(page, alone, lambda: page.check("#sm-log-stderr")))
    times.append(timed(page, among, lambda: page.uncheck("#sm-log-stderr")))
    return times


def report(visits: list[list[float]], fetched: int, size: int) -> None:
    """Print the median and worst of each step, and what the browser fetched."""
    print(f"log viewer in Chromium: {size / 1e6:.1f} MB log, {LINES:,} lines, {len(visits)} "
          "visits, from the action to the state in view")  # fmt: skip
    for index, (step, goal) in enumerate(STEPS.items()):
        times = [one[index] for one in visits]
        figure(f"{step}, median", statistics.median(times), "ms", goal)
        figure(f"{step}, worst", max(times), "ms", goal)
    figure("open the run's page, first visit (cold caches)", visits[0][0], "ms", OPEN_GOAL)
    figure(f"fetched by the browser, all {len(visits)} visits", fetched / MIB, "MiB")
    figure("fetched by the browser per visit", fetched / len(visits) / MIB, "MiB",
           MAX_FETCHED / MIB)  # fmt: skip
    figure("fetched per visit / the log's size", fetched / len(visits) / size * 100, "%")


def main() -> None:
    with bench_server("log-viewer-browser", prepare) as server:
        execution_id, size = big_run(server)
        fetched: list[int] = []
        with patient_chromium() as chromium:
            page = chromium.new_context().new_page()
            page.add_init_script(PROBE + f"\nwindow.__bench.watch({json.dumps(OPENED)});")
            page.on("response", lambda response: fetched.append(body_size(response)))
            log_in(page, server.url + "/", ADMIN, PASSWORD)
            visits = [visit(page, f"{server.url}/logs/{execution_id}") for _ in range(VISITS)]
            page.context.close()
        report(visits, sum(fetched), size)


if __name__ == "__main__":
    main()
