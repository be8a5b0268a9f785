"""A person moves inside a finished run's 100 MB log: end, start, a line, search, stderr.

The run is real (a shipped script through the API); its log file is then replaced by a
generated one of about 100 MB, as a long run would have left it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ADMIN_PASSWORD
from tests.browser.test_admin_console import CONVERSION, Api
from tests.browser.test_shell import log_in

pytestmark = pytest.mark.browser
LINES = 1_350_000
STDERR_EVERY = 1000
RARE = {675_123: "Zirconium"}  # once, near the middle
SEVERAL = (300_017, 300_057, 1_100_017)  # "quasar": two close together, one far away
MAX_FETCHED = 8 * 1024 * 1024  # everything the browser may fetch: pages, assets, log parts
LINE_NUMBERS = "rows => rows.map((row) => Number(row.dataset.line))"
SCROLLED_TO_THE_END = """() => {
  const viewer = document.getElementById("sm-log-viewer");
  return viewer.scrollHeight - viewer.scrollTop - viewer.clientHeight < 2;
}"""


def log_line(n: int) -> str:
    """Line n (1-based) of the generated log."""
    if n % STDERR_EVERY == 0:
        return f"[stderr] warning: sensor {n % 97} drifted at row {n}\n"
    word = RARE.get(n) or ("quasar" if n in SEVERAL else "reading")
    return f"row {n} {word} pressure value batch=17 channel=4 status=ok checksum=0x5f3a\n"


def write_log(path: Path) -> int:
    """Write the generated log over ``path``; return its size."""
    with path.open("w", encoding="utf-8") as handle:
        for start in range(1, LINES + 1, 100_000):
            handle.write("".join(map(log_line, range(start, min(start + 100_000, LINES + 1)))))
    return path.stat().st_size


@pytest.fixture
def big_run(live_server) -> str:
    """A finished run of the admin whose log file holds LINES lines (about 100 MB)."""
    admin = Api(live_server, "admin", ADMIN_PASSWORD)
    execution_id = admin.run_to_end(admin.script_id("data_tools", "unit_converter.py"), CONVERSION)
    log_file = next(live_server.home.rglob(f"execution_{execution_id}.log"))
    assert write_log(log_file) > 95_000_000
    return execution_id


def test_moving_inside_a_100_mb_log_reads_only_small_parts(page, live_server, big_run, shot):
    fetched: list[int] = []
    page.on("response", lambda response: fetched.append(body_size(response)))
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}logs/{big_run}")
    expect(rows_of(page).last).to_have_attribute("data-line", str(LINES))  # opens at the end
    page.wait_for_function(SCROLLED_TO_THE_END)
    scroll_from_the_start(page)
    go_to_line(page, 1_000_000)
    find_the_rare_word(page, shot)
    walk_between_hits(page)
    show_stderr_only(page)
    assert sum(fetched) < MAX_FETCHED, f"the browser fetched {sum(fetched):,} bytes"


def rows_of(page):
    return page.locator("#sm-log-viewer .sm-line")


def target(page):
    return page.locator("#sm-log-viewer .sm-line-hit")


def scroll_from_the_start(page) -> None:
    """Start; scrolling down reads on (a fourth part drops the first), up reads back."""
    rows, parts = rows_of(page), page.locator("#sm-log-viewer .sm-log-part")
    page.click("#sm-log-start")
    expect(rows.first).to_have_attribute("data-line", "1")
    expect(rows.first).to_contain_text("row 1 reading")
    for count in (2, 3, 3):
        last = rows.last.get_attribute("data-line")
        page.eval_on_selector("#sm-log-viewer", "v => { v.scrollTop = v.scrollHeight; }")
        expect(rows.last).not_to_have_attribute("data-line", last)
        expect(parts).to_have_count(count)
    first = rows.first.get_attribute("data-line")
    assert int(first) > 1
    page.eval_on_selector("#sm-log-viewer", "v => { v.scrollTop = 0; }")
    expect(rows.first).not_to_have_attribute("data-line", first)
    expect(parts).to_have_count(3)
    numbers = page.eval_on_selector_all("#sm-log-viewer .sm-line", LINE_NUMBERS)
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))  # no gap, no repeat


def go_to_line(page, line: int) -> None:
    page.fill("#sm-log-line", str(line))
    page.press("#sm-log-line", "Enter")
    expect(target(page)).to_have_attribute("data-line", str(line))
    expect(target(page)).to_contain_text(f"row {line}")
    expect(target(page)).to_be_in_viewport()


def find_the_rare_word(page, shot) -> None:
    """Next finds the word that occurs once (above: from the top), marked, in both themes."""
    page.fill("#sm-log-query", "zirconium")
    page.press("#sm-log-query", "Enter")
    expect(page.locator("#sm-log-hit")).to_have_text("line 675,123, from the top")
    expect(target(page)).to_have_attribute("data-line", "675123")
    expect(target(page).locator("mark")).to_have_text("Zirconium")
    expect(target(page)).to_be_in_viewport()
    shot(page, "log-viewer-hit")
    for theme in ("dark", "light"):
        page.click("#sm-theme-toggle")
        expect(page.locator("html")).to_have_attribute("data-bs-theme", theme)
        if theme == "dark":
            shot(page, "log-viewer-hit-dark")


def walk_between_hits(page) -> None:
    """Enter, Shift+Enter and the buttons go from hit to hit, on past either end."""
    label = page.locator("#sm-log-hit")
    page.fill("#sm-log-query", "QUASAR")
    page.press("#sm-log-query", "Enter")  # next from the lines in view (675,123)
    expect(target(page)).to_have_attribute("data-line", "1100017")
    expect(label).to_have_text("line 1,100,017")
    page.press("#sm-log-query", "Shift+Enter")
    expect(target(page)).to_have_attribute("data-line", "300057")
    page.click("#sm-log-prev")
    expect(target(page)).to_have_attribute("data-line", "300017")
    expect(target(page).locator("mark")).to_have_text("quasar")
    page.click("#sm-log-prev")
    expect(label).to_have_text("line 1,100,017, from the bottom")
    page.click("#sm-log-next")
    expect(label).to_have_text("line 300,017, from the top")
    page.click("#sm-log-next")
    expect(label).to_have_text("line 300,057")
    expect(target(page)).to_have_attribute("data-line", "300057")


def show_stderr_only(page) -> None:
    """The toggle shows the stderr lines alone around the place in view; search stays in them."""
    page.check("#sm-log-stderr")
    expect(page.locator("#sm-log-viewer .sm-line-stderr").first).to_be_visible()
    expect(page.locator("#sm-log-viewer .sm-line:not(.sm-line-stderr)")).to_have_count(0)
    numbers = page.eval_on_selector_all("#sm-log-viewer .sm-line", LINE_NUMBERS)
    assert numbers and all(n % STDERR_EVERY == 0 for n in numbers)
    assert numbers == sorted(numbers) and numbers[0] < 300_057 < numbers[-1]
    page.fill("#sm-log-query", "sensor 3 ")
    page.click("#sm-log-next")
    expect(target(page).locator("mark")).to_have_text("sensor 3 ")
    expect(target(page)).to_have_class("sm-line sm-line-stderr sm-line-hit")


def body_size(response) -> int:
    """Return the size of a response's body (0 for one without, as a redirect)."""
    try:
        return len(response.body())
    except Exception:  # noqa: BLE001 - redirects and aborted responses have no body
        return 0
