"""Smoke-test a built bundle: ``python build/smoke_test.py dist/scriptsmanager [--screenshot PNG]``.

Runs the real executable (Linux and Windows): ``--version`` and ``create-admin``; desktop
mode (health, login, one run of the shipped ``fin_efficiency.py``, which the bundle runs by
re-invoking itself, and its PDF report; the main window drawn in the brand's colours; the
shipped ``heat_transfer.py`` opening its interface window, closed again by Stop);
``--server`` mode until the stop signal. Also checks that no test tool was bundled and
prints the bundle's size.

Linux: desktop mode on a private Xvfb display with openbox (windows listed by ``wmctrl``,
screenshots by ImageMagick), stopped by SIGTERM. Windows: the runner's own desktop session
(windows listed through EnumWindows, screenshots by Pillow's ImageGrab), stopped by
CTRL_BREAK. Platform differences sit in the functions under "Platform".
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import requests
from PIL import Image

WINDOWS = sys.platform == "win32"
EXE = "scriptsmanager.exe" if WINDOWS else "scriptsmanager"
USERNAME, PASSWORD = "smoke-admin", "Smoke-test-passw0rd!"
SCRIPT = "fin_efficiency.py"
INTERFACE_SCRIPT = "heat_transfer.py"  # declares @interface: true
DESKTOP_LINE = re.compile(r"ScriptsManager desktop on (http://127\.0\.0\.1:\d+/)")
SERVER_LINE = re.compile(r"ScriptsManager listening on (http://127\.0\.0\.1:\d+/)")
START_TIMEOUT = 90.0  # seconds until the URL line; Qt WebEngine's first start is slow
RUN_TIMEOUT = 60.0
DRAW_TIMEOUT = 90.0  # until the main window shows the brand's colours
WINDOW_TIMEOUT = 90.0  # until an interface window opens, or closes after Stop
STOP_TIMEOUT = 20.0
POLL = 0.5
MIN_COLOURS = 32  # fewer in a screenshot means nothing was drawn
# Brand colours: the app.css variables, in both themes. The navbar's underline alone is
# 0.3 % of a 1280x900 screen; an unstyled or blank window has none.
BRAND_VARIABLES = ("--sm-brand", "--sm-brand-strong", "--sm-accent", "--bs-primary")
MIN_BRAND_SHARE = 0.002
BRAND_DISTANCE = 40  # RGB distance still counted as the colour (anti-aliasing, scaling)
# Never shipped (excluded in build/scriptsmanager.spec; keep both lists in step).
TEST_TOOLS = (
    "_pytest", "pytest", "pluggy", "iniconfig", "playwright", "schemathesis", "hypothesis",
    "hypothesis_graphql", "hypothesis_jsonschema", "ruff", "PyInstaller",
)  # fmt: skip
MIB = 1024 * 1024


class App:
    """One started bundle process; its output (stdout and stderr) is read by a thread."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            **own_process_group(),  # stopped with it, children included
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.tail: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
            self.tail = [*self.tail[-19:], line.rstrip()]

    def wait_for(self, pattern: re.Pattern[str], timeout: float) -> str:
        """Return the first group of the first output line matching ``pattern``."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                match = pattern.search(self.lines.get(timeout=min(left, 1.0)))
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            if match:
                return match.group(1)
        raise RuntimeError(f"no {pattern.pattern!r} line; output ends:\n  " + self.last_output())

    def last_output(self) -> str:
        """Return the last lines of output, indented, for a failure report."""
        return "\n  ".join(self.tail[-10:]) or "(nothing)"

    def stop(self) -> int:
        """Ask it to stop, then kill the whole tree when it hangs; return the exit status."""
        descendants = process_tree(self.process)
        if self.process.poll() is None:
            ask_to_stop(self.process)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                kill_tree(self.process, descendants)
                self.process.wait()
        kill_tree(self.process, descendants)  # children left behind (Qt WebEngine helpers)
        return self.process.returncode


class Api:
    """The manager's JSON API as one logged-in user."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()
        self.token = ""

    def log_in(self, username: str, password: str) -> None:
        """Log in; keep the session's CSRF token."""
        self.token = self.get("api/auth/csrf")["csrf_token"]
        body = {"username": username, "password": password}
        self.token = self.post("api/auth/login", body)["csrf_token"]

    def get(self, path: str) -> dict:
        """GET JSON, raising on an error status."""
        answer = self.session.get(self.url + path, timeout=15)
        answer.raise_for_status()
        return answer.json()

    def post(self, path: str, body: dict) -> dict:
        """POST JSON with the CSRF header, raising on an error status."""
        answer = self.session.post(
            self.url + path, json=body, headers={"X-CSRFToken": self.token}, timeout=15
        )
        if not answer.ok:
            raise RuntimeError(f"POST {path}: {answer.status_code} {answer.text[:300]}")
        return answer.json()

    def script(self, filename: str) -> dict:
        """Return the listed script with this file name, from any group."""
        for group in self.get("api/script-groups")["items"]:
            for script in self.get(f"api/script-groups/{group['id']}/scripts")["items"]:
                if script["filename"] == filename:
                    return script
        raise RuntimeError(f"{filename} is not listed")

    def start(self, script: dict) -> tuple[str, str]:
        """Run a script with its required values in the active project; return the
        execution id and the project's name."""
        group_id = script["group_id"]
        project = self.get(f"api/projects/active?group_id={group_id}")["project"]
        schema = self.get(f"api/scripts/{script['id']}/parameters-schema")
        body = {"parameters": required_values(schema), "project_id": project["id"]}
        started = self.post(f"api/scripts/{script['id']}/execute", body)
        return started["execution_id"], project["project_name"]

    def finished(self, execution_id: str, timeout: float) -> dict:
        """Wait for a run to end; return its record."""
        deadline = time.monotonic() + timeout
        record = self.get(f"api/logs/execution/{execution_id}")
        while record["status"] in ("starting", "running") and time.monotonic() < deadline:
            time.sleep(POLL)
            record = self.get(f"api/logs/execution/{execution_id}")
        return record


class Smoke:
    """The checks, each recorded as passed or failed with a short detail."""

    def __init__(self, bundle: Path, home: Path, screenshot: Path) -> None:
        self.bundle = bundle
        self.exe = bundle / EXE
        self.env = {
            **os.environ,
            "SCRIPTSMANAGER_HOME": str(home),
            "QTWEBENGINE_DISABLE_SANDBOX": "1",  # root cannot use Chromium's sandbox
        }
        self.screenshot = screenshot
        self.results: list[tuple[str, bool, str]] = []

    def check(self, name: str, test: Callable[[], str]) -> bool:
        """Run one check; any exception fails it."""
        try:
            return self.record(name, True, test())
        except Exception as exc:  # a failed check, whatever went wrong
            return self.record(name, False, f"{type(exc).__name__}: {exc}")

    def record(self, name: str, passed: bool, detail: str) -> bool:
        """Note and print one result; return ``passed``."""
        self.results.append((name, passed, detail))
        print(f"{'PASS' if passed else 'FAIL'}  {name}: {detail}", flush=True)
        return passed

    def run_exe(self, *args: str) -> str:
        """Run the bundle to completion; return its output, raising when it fails."""
        done = subprocess.run(
            [str(self.exe), *args], env=self.env, capture_output=True, text=True, timeout=120
        )
        if done.returncode:
            raise RuntimeError(f"exit {done.returncode}: {done.stderr.strip()[-500:]}")
        return done.stdout.strip()

    def run_all(self) -> bool:
        """Run every check; return True when all passed."""
        self.check("bundle size", lambda: f"{folder_size(self.bundle) / MIB:.1f} MiB")
        self.check("no test tools bundled", lambda: no_test_tools(self.bundle, self.exe))
        self.check("--version", lambda: self.run_exe("--version"))
        self.check(
            "create-admin",
            lambda: self.run_exe("create-admin", "--username", USERNAME, "--password", PASSWORD),
        )
        self.desktop_checks()
        self.check("server mode", self.server_mode)
        return all(passed for _, passed, _ in self.results)

    def desktop_checks(self) -> None:
        """Desktop mode in a desktop session: start, health, a run and its report, the main
        window drawn, an interface window, stop."""
        try:
            session = start_session()
        except (OSError, RuntimeError) as exc:
            self.record("desktop starts", False, f"no desktop session: {exc}")
            return
        try:
            app = App([str(self.exe)], {**self.env, **session.env})
            try:
                self._desktop_checks(app, session)
            finally:
                app.stop()
        finally:
            session.close()

    def _desktop_checks(self, app: App, session: Session) -> None:
        api: Api | None = None

        def started() -> str:
            nonlocal api
            api = Api(app.wait_for(DESKTOP_LINE, START_TIMEOUT))
            return f"{api.url} on {session.name}"

        if not self.check("desktop starts", started):
            return
        assert api is not None
        self.check("desktop /health", lambda: health(api.url))
        self.check("desktop login", lambda: log_in(api))
        execution = ""

        def run() -> str:
            nonlocal execution
            execution, detail = run_script(api)
            return detail

        if self.check(f"desktop runs {SCRIPT}", run):
            self.check("desktop run report", lambda: pdf_report(api, execution))
        self.check(
            "desktop window drawn",
            lambda: drawn(session, self.screenshot, brand_colours(self.bundle)),
        )
        beside = self.screenshot.with_name(f"{self.screenshot.stem}-interface.png")
        self.check("desktop interface window", lambda: interface_window(api, session, beside))
        self.check(f"desktop stops on {STOP_NAME}", lambda: stopped(app))

    def server_mode(self) -> str:
        """``--server`` on a free port: /health, then the stop signal must end it cleanly."""
        app = App([str(self.exe), "--server", "--port", str(free_port())], self.env)
        try:
            url = app.wait_for(SERVER_LINE, START_TIMEOUT)
            return f"{url} {health(url)}; {stopped(app)}"
        finally:
            app.stop()


# ---------------------------------------------------------------------------------------
# Platform: processes, the desktop session, windows, screenshots.
# ---------------------------------------------------------------------------------------

STOP_NAME = "CTRL_BREAK" if WINDOWS else "SIGTERM"
# The app handles CTRL_BREAK (SIGBREAK) as a stop request: it winds down and exits with 0.
CLEAN_EXITS = (0,)


def own_process_group() -> dict:
    """Return the Popen options that start a process in a process group of its own."""
    if WINDOWS:
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def ask_to_stop(process: subprocess.Popen) -> None:
    """Send the graceful stop: SIGTERM, or CTRL_BREAK to the process group on Windows."""
    if not WINDOWS:
        process.send_signal(signal.SIGTERM)
        return
    try:
        os.kill(process.pid, signal.CTRL_BREAK_EVENT)
    except OSError:  # no console shared with it: the hard stop is all there is
        process.terminate()


def process_tree(process: subprocess.Popen) -> list[psutil.Process]:
    """Return the descendants to kill with it (Windows; on Linux its group holds them)."""
    if not WINDOWS:
        return []
    try:
        return psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def kill_tree(process: subprocess.Popen, descendants: list[psutil.Process]) -> None:
    """Kill the process and whatever it left behind."""
    if not WINDOWS:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return
    for child in descendants:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass
    if process.poll() is None:
        process.kill()


class Session:
    """Where the desktop windows show: the environment, window titles, screenshots."""

    name = "the desktop"
    env: dict[str, str] = {}

    def windows(self) -> list[str]:
        """Return the titles of the visible top-level windows (EnumWindows)."""
        import ctypes
        from ctypes import wintypes

        user32 = ctypes.WinDLL("user32")
        user32.GetWindowTextLengthW.argtypes = [wintypes.HWND]
        user32.GetWindowTextW.argtypes = [wintypes.HWND, wintypes.LPWSTR, ctypes.c_int]
        user32.IsWindowVisible.argtypes = [wintypes.HWND]
        titles = []

        @ctypes.WINFUNCTYPE(wintypes.BOOL, wintypes.HWND, wintypes.LPARAM)
        def visit(hwnd, _param):
            length = user32.GetWindowTextLengthW(hwnd)
            if length and user32.IsWindowVisible(hwnd):
                buffer = ctypes.create_unicode_buffer(length + 1)
                user32.GetWindowTextW(hwnd, buffer, length + 1)
                titles.append(buffer.value)
            return True

        user32.EnumWindows(visit, 0)
        return titles

    def grab(self, target: Path) -> None:
        """Save the whole screen as a PNG."""
        from PIL import ImageGrab

        ImageGrab.grab(all_screens=True).save(target)

    def close(self) -> None:
        """Nothing to stop: the session is the runner's own."""


class XSession(Session):
    """A private Xvfb display with openbox, so windows are managed and listed."""

    def __init__(self, display: str, xvfb: subprocess.Popen[bytes]) -> None:
        self.name = f"display {display}"
        self.env = {"DISPLAY": display}
        self.processes: list[subprocess.Popen[bytes]] = [xvfb]

    def _tool(self, *command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command,
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=30,
        )

    def windows(self) -> list[str]:
        """Return the titles of the managed windows (``wmctrl -l``)."""
        listing = self._tool("wmctrl", "-l").stdout
        return [line.split(None, 3)[3] for line in listing.splitlines() if len(line.split()) > 3]

    def grab(self, target: Path) -> None:
        """Save the display as a PNG (ImageMagick)."""
        done = self._tool("import", "-display", self.env["DISPLAY"], "-window", "root", str(target))
        if done.returncode:
            raise RuntimeError(f"import failed: {done.stderr.strip()[-300:]}")

    def start_window_manager(self) -> None:
        """Start openbox and wait until it answers."""
        self.processes.append(
            subprocess.Popen(
                ["openbox"],
                env={**os.environ, **self.env},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        wait_until(
            lambda: self._tool("wmctrl", "-m").returncode == 0,
            START_TIMEOUT,
            "openbox did not start",
        )

    def close(self) -> None:
        """Stop the window manager, then the X server."""
        for process in reversed(self.processes):
            process.terminate()
            process.wait(STOP_TIMEOUT)


def start_session() -> Session:
    """Return the session the desktop shows in: on Linux a new Xvfb display with openbox,
    on Windows the runner's interactive desktop; raise RuntimeError when there is none."""
    if WINDOWS:
        return Session()
    missing = [tool for tool in ("Xvfb", "openbox", "wmctrl", "import") if not shutil.which(tool)]
    if missing:
        raise RuntimeError(f"{', '.join(missing)} missing: run `make system-deps`")
    session = XSession(*start_xvfb())
    try:
        session.start_window_manager()
    except (OSError, RuntimeError):
        session.close()
        raise
    return session


def start_xvfb() -> tuple[str, subprocess.Popen[bytes]]:
    """Start Xvfb on the first free display; return ``:N`` and the process."""
    read_end, write_end = os.pipe()
    command = ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x900x24"]
    xvfb = subprocess.Popen(  # quiet: it reports every busy display number it skips
        [*command, "-nolisten", "tcp"], pass_fds=[write_end], stderr=subprocess.DEVNULL
    )
    os.close(write_end)
    with os.fdopen(read_end) as numbers:
        number = numbers.readline().strip()  # written once the display is ready
    if not number:
        xvfb.kill()
        raise RuntimeError("Xvfb did not start")
    return f":{number}", xvfb


# ---------------------------------------------------------------------------------------
# The checks.
# ---------------------------------------------------------------------------------------


def wait_until(condition: Callable[[], object], timeout: float, failure: str) -> None:
    """Poll ``condition`` until it is true; raise RuntimeError(failure) at the timeout."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(failure)
        time.sleep(POLL)


def folder_size(folder: Path) -> int:
    """Return the total size in bytes of the files under ``folder`` (links not followed)."""
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def no_test_tools(bundle: Path, exe: Path) -> str:
    """Fail when a test tool's package folder, metadata or modules are in the bundle."""
    tools = {name.lower() for name in TEST_TOOLS}
    found = set()
    for folder in (bundle, bundle / "_internal"):  # _internal: PyInstaller's contents folder
        for path in folder.iterdir() if folder.is_dir() else []:
            if package_name(path) in tools:
                found.add(path.relative_to(bundle).as_posix())
    modules, how = archived_modules(exe)
    found.update(f"{name} (archived)" for name in modules if name.split(".")[0].lower() in tools)
    if found:
        raise RuntimeError("bundled: " + ", ".join(sorted(found)[:10]))
    return f"none of {len(TEST_TOOLS)} found ({how})"


def package_name(path: Path) -> str | None:
    """Return the package a bundled folder, module or metadata folder belongs to."""
    name = path.name
    if name.endswith(".dist-info"):
        name = name.split("-")[0]
    elif name.endswith(".py"):
        name = name.removesuffix(".py")
    elif not path.is_dir():
        return None
    return name.lower().replace("-", "_")


def archived_modules(exe: Path) -> tuple[list[str], str]:
    """Return the modules in the executable's PYZ archive and how they were read."""
    try:
        from PyInstaller.archive.readers import CArchiveReader
    except ImportError:
        return [], "folders only: PyInstaller is not installed here"
    archive = CArchiveReader(str(exe))
    names = [name for name in archive.toc if name.startswith("PYZ") and name.endswith(".pyz")]
    modules = [module for name in names for module in archive.open_embedded_archive(name).toc]
    return modules, f"folders and {len(modules)} archived modules"


def health(url: str) -> str:
    """GET /health; it must answer 200."""
    answer = requests.get(url + "health", timeout=10)
    answer.raise_for_status()
    return f"{answer.status_code} {answer.json().get('status')}"


def log_in(api: Api) -> str:
    """Log in through the API and open the dashboard (templates, translations, plurals)."""
    api.log_in(USERNAME, PASSWORD)
    dashboard = api.session.get(api.url, timeout=30)
    dashboard.raise_for_status()
    return f"{USERNAME}; dashboard {dashboard.status_code}"


def run_script(api: Api) -> tuple[str, str]:
    """Run the shipped script to completion; return its execution id and a detail."""
    execution_id, _project = api.start(api.script(SCRIPT))
    record = api.finished(execution_id, RUN_TIMEOUT)
    if record["status"] != "completed":
        output = (record.get("error_output") or record.get("output") or "").strip()[-800:]
        raise RuntimeError(f"status {record['status']!r}, exit {record['exit_code']}: {output}")
    return execution_id, f"completed in {record['duration_seconds']} s"


def pdf_report(api: Api, execution_id: str) -> str:
    """Download the run's PDF report; it carries the logo, which fpdf2 draws with Pillow."""
    answer = api.session.get(
        api.url + f"api/logs/execution/{execution_id}/download?format=pdf", timeout=60
    )
    answer.raise_for_status()
    if not answer.content.startswith(b"%PDF") or b"/Subtype /Image" not in answer.content:
        raise RuntimeError(f"not a PDF with the logo: {answer.content[:200]!r}")
    return f"{len(answer.content) / 1024:.0f} KiB with the logo"


def brand_colours(bundle: Path) -> list[tuple[int, int, int]]:
    """Return the brand's colours as the bundled app.css declares them (both themes)."""
    css = next(bundle.rglob("assets/css/app.css")).read_text(encoding="utf-8")
    names = "|".join(re.escape(name) for name in BRAND_VARIABLES)
    found = re.findall(rf"(?:{names}):\s*#([0-9a-fA-F]{{6}})\b", css)
    if not found:
        raise RuntimeError("no brand colours in the bundled assets/css/app.css")
    return sorted({tuple(int(code[i : i + 2], 16) for i in (0, 2, 4)) for code in found})


def screen_colours(path: Path, brand: list[tuple[int, int, int]]) -> tuple[int, float]:
    """Return the number of colours in a screenshot and the share of pixels near the brand."""
    with Image.open(path) as image:
        rgb = image.convert("RGB")
        counts = rgb.getcolors(maxcolors=rgb.width * rgb.height) or []
    near = sum(count for count, colour in counts if near_any(colour, brand))
    return len(counts), near / max(1, sum(count for count, _ in counts))


def near_any(colour: tuple[int, int, int], references: list[tuple[int, int, int]]) -> bool:
    """True when ``colour`` is within BRAND_DISTANCE of one of ``references``."""
    limit = BRAND_DISTANCE**2
    return any(
        sum((a - b) ** 2 for a, b in zip(colour, ref, strict=True)) <= limit for ref in references
    )


def drawn(session: Session, target: Path, brand: list[tuple[int, int, int]]) -> str:
    """Screenshot until the main window shows content in the brand's colours (loading
    view or any page)."""
    deadline = time.monotonic() + DRAW_TIMEOUT
    while True:
        session.grab(target)
        colours, share = screen_colours(target, brand)
        if colours >= MIN_COLOURS and share >= MIN_BRAND_SHARE:
            return f"{target} ({colours} colours, {share:.2%} of pixels in the brand's)"
        if time.monotonic() > deadline:
            looks = "blank" if colours < MIN_COLOURS else "unbranded"
            raise RuntimeError(
                f"{target} looks {looks} after {DRAW_TIMEOUT:.0f} s: {colours} colours, "
                f"{share:.2%} of pixels near the brand's (needs {MIN_BRAND_SHARE:.1%}); "
                f"windows: {session.windows()}"
            )
        time.sleep(POLL)


def interface_window(api: Api, session: Session, screenshot: Path) -> str:
    """Run the shipped interface script; its window must open with the script's and the
    project's names as its title and close again when the run is stopped."""
    script = api.script(INTERFACE_SCRIPT)
    execution_id, project = api.start(script)
    title = f"{script['display_name']} — {project}"
    try:
        wait_until(
            lambda: title in session.windows(),
            WINDOW_TIMEOUT,
            f"no window titled {title!r}; windows: {session.windows()}",
        )
        session.grab(screenshot)  # for a person to look at
    finally:
        api.post(f"api/scripts/{script['id']}/stop", {"execution_id": execution_id})
    wait_until(
        lambda: title not in session.windows(),
        WINDOW_TIMEOUT,
        f"the window {title!r} stayed open after Stop",
    )
    status = api.finished(execution_id, RUN_TIMEOUT)["status"]
    return f"{title!r} opened ({screenshot.name}) and closed on Stop (run {status})"


def stopped(app: App) -> str:
    """Stop ``app`` with the platform's stop signal; it must exit cleanly."""
    status = app.stop()
    if status not in CLEAN_EXITS:
        raise RuntimeError(f"exit {status} after {STOP_NAME}; output ends:\n  {app.last_output()}")
    return f"exit {status} after {STOP_NAME}"


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def required_values(schema: dict) -> dict:
    """Values for the required parameters: the default, else the first option or minimum."""
    values = {}
    for name in schema.get("required", []):
        prop = schema["properties"][name]
        if "default" in prop:
            values[name] = prop["default"]
        elif "enum" in prop:
            values[name] = prop["enum"][0]
        elif prop.get("type") in ("number", "integer"):
            values[name] = prop.get("minimum", 1)
        else:
            raise RuntimeError(f"no value to give the required parameter {name!r}")
    return values


def main() -> int:
    """Check the bundle; exit 0 only when every check passed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path, help="the one-folder app, e.g. dist/scriptsmanager")
    parser.add_argument(
        "--screenshot",
        type=Path,
        help="keep the main window's screenshot as this PNG (and the interface window's "
        "beside it, as <name>-interface.png); default: a temporary file",
    )
    args = parser.parse_args()
    sys.stdout.reconfigure(errors="backslashreplace")  # titles on a Windows code page
    if not (args.bundle / EXE).is_file():
        print(f"smoke_test: no {EXE} executable in {args.bundle}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="scriptsmanager-smoke-") as home:
        screenshot = (args.screenshot or Path(home) / "desktop.png").resolve()
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        smoke = Smoke(args.bundle.resolve(), Path(home), screenshot)
        passed = smoke.run_all()
    failed = sum(not ok for _, ok, _ in smoke.results)
    print(f"{len(smoke.results) - failed} passed, {failed} failed")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
