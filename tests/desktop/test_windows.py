"""The desktop shell as a person uses it: windows on a real X display."""

from __future__ import annotations

import json
import os
import signal

import psutil
import pytest
from PIL import Image

from server.services.ports import can_bind
from tests.desktop.harness import ADMIN_PASSWORD, launch, start_desktop, stop_desktop
from tests.support import start_server, stop_server, wait_for

pytestmark = pytest.mark.desktop

MAIN_TITLE = "SIDEL ScriptsManager"
INTERFACE_TITLE = "Heat transfer calculator — project_default"
FRAME_LOADED = "document.querySelector('#sm-interface-frame')?.dataset.loaded === '1'"

FIND_HEAT_TRANSFER = """(async () => {
  const groups = (await (await fetch('/api/script-groups')).json()).items;
  for (const group of groups) {
    const answer = await fetch('/api/script-groups/' + group.id + '/scripts');
    const found = (await answer.json()).items.find((s) => s.filename === 'heat_transfer.py');
    if (found) return found.id;
  }
})()"""


def open_heat_transfer(main) -> int:
    """Open the shipped interface script's page, ready to run; return the script id."""
    script_id = main.evaluate(FIND_HEAT_TRANSFER)
    main.navigate(f"/scripts/{script_id}")
    main.wait_for("!document.querySelector('#sm-run-submit').disabled")
    return script_id


def run_heat_transfer(main) -> int:
    """Run the shipped interface script from its page; return the script id."""
    script_id = open_heat_transfer(main)
    main.evaluate("document.querySelector('#sm-run-submit').click(); true")
    return script_id


def sessions(main, script_id: int) -> list[dict]:
    """Return the script's interface sessions, as the page's API sees them."""
    text = main.evaluate(
        f"fetch('/api/scripts/{script_id}/interface-status').then((r) => r.text())"
    )
    return json.loads(text)["items"]


def script_children(app) -> list[psutil.Process]:
    """Return the heat-transfer processes the shell's manager started."""
    return [
        child
        for child in psutil.Process(app.process.pid).children(recursive=True)
        if "heat_transfer.py" in " ".join(child.cmdline())
    ]


def gone(process: psutil.Process) -> bool:
    """Return True once a process has ended (reaped or a zombie)."""
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def rendered(path) -> bool:
    """A rendered page has many colours; a blank or black window has a handful."""
    with Image.open(path) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
    total = sum(count for count, _ in colours)
    return len(colours) > 100 and max(count for count, _ in colours) < 0.9 * total


def test_main_window_shows_the_dashboard(desktop, xdisplay, artifacts):
    main = desktop.signed_in()
    assert MAIN_TITLE in wait_for(xdisplay.windows)
    assert main.evaluate("document.querySelectorAll('.sm-group-card').length") == 3
    shot = artifacts / "desktop-main-window.png"
    assert wait_for(lambda: rendered(xdisplay.screenshot(shot, window=MAIN_TITLE)))


def test_an_interface_opens_in_its_own_window_and_closing_it_ends_the_run(
    desktop, xdisplay, artifacts
):
    main = desktop.signed_in()
    script_id = run_heat_transfer(main)
    window = desktop.page("sm_token=")
    window.wait_for("!!document.querySelector('#inside_temp_c')?.value")  # its data is shown
    wait_for(lambda: INTERFACE_TITLE in xdisplay.windows())
    shot = artifacts / "desktop-interface-window.png"
    assert wait_for(lambda: rendered(xdisplay.screenshot(shot, window=INTERFACE_TITLE)))
    (session,) = [s for s in sessions(main, script_id) if s["status"] == "ready"]
    (child,) = script_children(desktop)

    xdisplay.close_window(INTERFACE_TITLE)

    wait_for(lambda: sessions(main, script_id)[0]["status"] == "closed")
    wait_for(lambda: gone(child))
    wait_for(lambda: can_bind(session["port"]))
    run = json.loads(
        main.evaluate(f"fetch('/api/logs/execution/{session['execution_id']}').then(r => r.text())")
    )
    assert run["status"] == "terminated"
    assert MAIN_TITLE in xdisplay.windows()


def test_stopping_the_run_in_the_main_window_closes_its_window(desktop, xdisplay):
    main = desktop.signed_in()
    script_id = run_heat_transfer(main)
    wait_for(lambda: INTERFACE_TITLE in xdisplay.windows())
    main.wait_for("!document.querySelector('[data-console-stop]').classList.contains('d-none')")
    main.evaluate("document.querySelector('[data-console-stop]').click(); true")
    wait_for(lambda: INTERFACE_TITLE not in xdisplay.windows())
    assert sessions(main, script_id)[0]["status"] == "closed"
    assert MAIN_TITLE in xdisplay.windows()


def test_closing_the_main_window_stops_the_manager_and_every_child(desktop, xdisplay):
    main = desktop.signed_in()
    script_id = run_heat_transfer(main)
    wait_for(lambda: INTERFACE_TITLE in xdisplay.windows())
    (session,) = [s for s in sessions(main, script_id) if s["status"] == "ready"]
    (child,) = script_children(desktop)

    xdisplay.close_window(MAIN_TITLE)

    assert desktop.wait() == 0
    assert gone(child)
    assert can_bind(session["port"])
    assert can_bind(int(desktop.url.rsplit(":", 1)[1].strip("/")))
    assert wait_for(lambda: not set(xdisplay.windows()) & {MAIN_TITLE, INTERFACE_TITLE})


def test_a_stop_signal_closes_the_windows_and_ends_every_child(desktop, xdisplay):
    main = desktop.signed_in()
    run_heat_transfer(main)
    wait_for(lambda: INTERFACE_TITLE in xdisplay.windows())
    (child,) = script_children(desktop)

    desktop.process.send_signal(signal.SIGTERM)

    assert desktop.wait() == 0
    assert gone(child)


def test_a_second_launch_brings_the_running_shell_forward(desktop, xdisplay):
    desktop.signed_in()
    second_log = desktop.home / "second.log"
    second = launch([], desktop.env, second_log)
    assert second.wait(60) == 0
    assert "already open" in second_log.read_text()
    assert desktop.process.poll() is None
    assert xdisplay.windows().count(MAIN_TITLE) == 1


def test_connect_opens_interfaces_of_a_server_through_its_proxy(
    xdisplay, desktop_home, tmp_path, free_server_port
):
    server = start_server(desktop_home, free_server_port)
    client = None
    try:
        client = start_desktop(
            xdisplay, tmp_path / "client", ["--connect", server.url], url_line="connected to "
        )
        main = client.log_in()
        script_id = run_heat_transfer(main)
        window = client.page("/interfaces/")
        window.wait_for("document.querySelector('#sm-interface-state')?.textContent === 'Live'")
        window.wait_for(FRAME_LOADED)  # the script's page, from the interfaces' own origin
        assert INTERFACE_TITLE in wait_for(xdisplay.windows)
        (session,) = [s for s in sessions(main, script_id) if s["status"] == "ready"]

        xdisplay.close_window(INTERFACE_TITLE)

        wait_for(lambda: sessions(main, script_id)[0]["status"] == "closed")
        wait_for(lambda: can_bind(session["port"]))
    finally:
        if client is not None:
            stop_desktop(client)
        stop_server(server)


def server_sessions(server, script_id: int) -> list[dict]:
    """Return the admin's sessions of a script, asked over HTTP (no window needed)."""
    import requests

    http = requests.Session()
    token = http.get(server.url + "api/auth/csrf").json()["csrf_token"]
    http.post(server.url + "api/auth/login", headers={"X-CSRFToken": token},
              json={"username": "admin", "password": ADMIN_PASSWORD})  # fmt: skip
    try:
        return http.get(server.url + f"api/scripts/{script_id}/interface-status").json()["items"]
    finally:
        http.close()


@pytest.mark.parametrize("ending", ["main window closed", "client killed"])
def test_connect_closes_its_interfaces_when_it_ends(
    xdisplay, desktop_home, tmp_path, free_server_port, ending
):
    server = start_server(desktop_home, free_server_port)
    client = None
    try:
        client = start_desktop(
            xdisplay, tmp_path / "client", ["--connect", server.url], url_line="connected to "
        )
        main = client.log_in()
        script_id = run_heat_transfer(main)
        client.page("/interfaces/").wait_for(FRAME_LOADED)
        (session,) = [s for s in sessions(main, script_id) if s["status"] == "ready"]
        if ending == "main window closed":
            xdisplay.close_window(f"ScriptsManager — {server.url}")
            assert client.wait() == 0
        else:  # no page can say goodbye: the window's lease runs out on the server
            os.killpg(client.process.pid, signal.SIGKILL)
            client.process.wait(60)
        closed = wait_for(
            lambda: [s for s in server_sessions(server, script_id) if s["status"] == "closed"],
            120,
        )
        assert [s["session_id"] for s in closed] == [session["session_id"]]
        assert wait_for(lambda: can_bind(session["port"]), 60)
    finally:
        if client is not None and client.process.poll() is None:
            stop_desktop(client)
        stop_server(server)
