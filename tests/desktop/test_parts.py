"""The desktop shell's parts that need no window: link routing, single instance, display
check, script-runner mode, and the packaged app's environment for children."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import webbrowser
from pathlib import Path

import pytest

from desktop.display import display_problem
from desktop.instance import SingleInstance
from desktop.links import LinkRouter, interface_link
from server.layout import Layout
from server.resources import RUN_SCRIPT_VARIABLE, resource_path, sdk_folder
from server.services.catalog.environments import PythonEnvironment
from server.services.execution.launch import RunContext, environment_for
from tests.support import free_port, make_settings, wait_for

BASE = "http://127.0.0.1:5123/"
REPO = Path(__file__).resolve().parents[2]


# -- links -------------------------------------------------------------------------------


def test_interface_pages_and_tickets_are_interface_links():
    page = interface_link("/interfaces/Ab_9-x/", BASE)
    assert page is not None and page.session_id == "Ab_9-x" and not page.closed
    assert page.url == BASE + "interfaces/Ab_9-x/"
    ticket = interface_link(
        "/auth/window?ticket=T&next=%2Finterfaces%2FAb_9-x%2F&script=7&title=Heat+%E2%80%94+p1",
        BASE,
    )
    assert ticket is not None
    assert (ticket.session_id, ticket.script_id, ticket.title) == ("Ab_9-x", 7, "Heat — p1")
    assert ticket.url.startswith(BASE + "auth/window?ticket=T")
    closed = interface_link(BASE + "interfaces/Ab_9-x/#closed", BASE)
    assert closed is not None and closed.closed and "#" not in closed.url


@pytest.mark.parametrize(
    "url",
    [
        "/scripts/5",
        "https://example.com/interfaces/abc/",
        "http://127.0.0.1:9999/interfaces/abc/",
        "/interfaces/abc/app/",
        "/interfaces/../admin/",
        "/auth/window?ticket=T&next=/logs",
        "/auth/window?ticket=T&next=https://example.com/interfaces/abc/",
    ],
)
def test_other_links_are_not_interface_links(url):
    assert interface_link(url, BASE) is None


class RecordingBrowser(webbrowser.BaseBrowser):
    """Stands in for the system browser: remembers what it was asked to open."""

    def __init__(self) -> None:
        super().__init__("recording")
        self.opened: list[str] = []

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        self.opened.append(url)
        return True


def test_the_router_sends_interfaces_to_the_shell_and_the_rest_to_the_system_browser():
    seen = []
    system = RecordingBrowser()
    router = LinkRouter(BASE, seen.append, system)
    assert router.open(BASE + "interfaces/abc/")
    assert router.open("https://example.com/docs")
    wait_for(lambda: seen)
    assert [link.session_id for link in seen] == ["abc"]
    assert system.opened == ["https://example.com/docs"]


# -- single instance -----------------------------------------------------------------------

ASK_TO_FOCUS = """
import sys
from pathlib import Path
from desktop.instance import SingleInstance
instance = SingleInstance(Path(sys.argv[1]))
print(instance.acquire(), instance.ask_running_to_focus())
"""


def run_second_launch(folder: Path) -> str:
    return subprocess.run(
        [sys.executable, "-c", ASK_TO_FOCUS, str(folder)],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=True,
    ).stdout.strip()  # fmt: skip


def test_a_second_launch_cannot_start_and_asks_the_first_to_focus(tmp_path):
    first = SingleInstance(tmp_path / "state")
    focused = []
    assert first.acquire()
    first.answer_focus_requests(lambda: focused.append(True))
    try:
        assert run_second_launch(tmp_path / "state") == "False True"
        assert focused == [True]
        contact = tmp_path / "state" / "desktop.json"
        assert contact.stat().st_mode & 0o777 == 0o600
        assert (tmp_path / "state").stat().st_mode & 0o077 == 0
    finally:
        first.release()
    assert run_second_launch(tmp_path / "state") == "True False"


def test_a_focus_request_with_a_wrong_key_is_refused(tmp_path):
    first = SingleInstance(tmp_path / "state")
    assert first.acquire()
    focused = []
    first.answer_focus_requests(lambda: focused.append(True))
    contact = tmp_path / "state" / "desktop.json"
    forged = contact.read_text().replace('"key": "', '"key": "00')
    try:
        contact.write_text(forged)
        assert run_second_launch(tmp_path / "state") == "False False"
        assert focused == []
    finally:
        first.release()


# -- display -------------------------------------------------------------------------------


def test_no_display_variable_means_no_window(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert display_problem() == "no display is available (DISPLAY is not set)"


def test_a_display_nobody_serves_cannot_be_opened(monkeypatch):
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":87")
    assert display_problem() == "the display :87 cannot be opened"


def test_a_running_x_server_is_a_usable_display(monkeypatch, xdisplay):
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", xdisplay.name)
    assert display_problem() is None


# -- packaged app: script-runner mode and children's environment -----------------------------


def test_the_runner_runs_a_script_as_python_would(tmp_path):
    script = tmp_path / "probe.py"
    script.write_text(
        textwrap.dedent(
            """
            import sys
            import scriptsmanager_sdk
            print(__name__, sys.argv[1:], sys.path[0] == __file__.rsplit("/", 1)[0])
            """
        )
    )
    code = "import sys; from desktop.runner import run_script; sys.exit(run_script(sys.argv[1:]))"
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{sdk_folder()}"}
    result = subprocess.run(
        [sys.executable, "-c", code, str(script), "--port", "5201"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "__main__ ['--port', '5201'] True"


def context(tmp_path: Path) -> RunContext:
    return RunContext(
        execution_id="e1", script_path=tmp_path / "s.py", data_dir=tmp_path, user_level="admin",
        port=5201, project_id=1, project_name="p", theme="light", language="en",
        interface_token="t", base_url=BASE, logo=tmp_path / "logo.png",
    )  # fmt: skip


def test_a_packaged_app_runs_scripts_itself_and_gives_other_pythons_their_libraries(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    parent = {"PATH": "/usr/bin", "LD_LIBRARY_PATH": "/bundle", "LD_LIBRARY_PATH_ORIG": "/usr/x"}
    manager = PythonEnvironment("manager", "manager", sys.prefix, sys.executable, "3.12", True)
    venv = PythonEnvironment("v", "venv", str(tmp_path), str(tmp_path / "python"), "3.12", True)

    own = environment_for(manager, context(tmp_path), {}, tmp_path, parent)
    other = environment_for(venv, context(tmp_path), {}, tmp_path, parent)

    assert own[RUN_SCRIPT_VARIABLE] == "1" and RUN_SCRIPT_VARIABLE not in other
    assert own["LD_LIBRARY_PATH"] == other["LD_LIBRARY_PATH"] == "/usr/x"
    plain = environment_for(venv, context(tmp_path), {}, tmp_path, {"LD_LIBRARY_PATH": "/bundle"})
    assert "LD_LIBRARY_PATH" not in plain


def test_a_packaged_app_keeps_its_groups_in_home_seeded_with_the_examples(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    settings = make_settings(tmp_path / "home", script_groups_path=None)
    assert settings.script_groups_path == (tmp_path / "home" / "script_groups").resolve()
    Layout.from_settings(settings).ensure()
    shipped = {p.name for p in resource_path("script_groups").iterdir()}
    assert shipped <= {p.name for p in settings.script_groups_path.iterdir()}


def test_run_time_folders_are_private_to_the_user(tmp_path):
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    settings = make_settings(home)
    Layout.from_settings(settings).ensure()
    for folder in (home, settings.base_data_path, settings.backup_path):
        assert folder.stat().st_mode & 0o077 == 0, folder


# -- modes -------------------------------------------------------------------------------


def launcher(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "desktop.launcher", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_connect_without_a_display_says_why_and_fails():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = launcher(["--connect", "http://127.0.0.1:9/"], env)
    assert result.returncode == 1
    assert "cannot open a window: no display is available" in result.stderr


def test_connect_to_a_server_that_does_not_answer_fails_clearly(xdisplay, tmp_path):
    env = {**xdisplay.env(), "SCRIPTSMANAGER_HOME": str(tmp_path)}
    assert launcher(["--connect", "ftp://127.0.0.1/"], env).returncode == 2
    result = launcher(["--connect", f"http://127.0.0.1:{free_port()}/"], env)
    assert result.returncode == 1 and "cannot reach the server" in result.stderr


def test_the_loading_view_is_branded_translated_and_escapes_what_it_shows():
    from desktop.loading import error_view, loading_view

    view = loading_view("ACME <R&D>", "fr")
    assert "ACME &lt;R&amp;D&gt; ScriptsManager" in view
    assert "Démarrage de ScriptsManager…" in view
    assert "data:image/png;base64," in view
    assert "<b>" not in error_view("ACME", "<b>database</b> is locked")
    assert "&lt;b&gt;database&lt;/b&gt; is locked" in error_view(
        "ACME", "<b>database</b> is locked"
    )
