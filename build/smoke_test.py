"""Smoke-test a built bundle: ``python build/smoke_test.py dist/scriptsmanager``.

Runs the real executable: ``--version`` and ``create-admin``; desktop mode on its own Xvfb
display (health, login, one run of the shipped ``fin_efficiency.py``, which the bundle runs
by re-invoking itself); ``--server`` mode until SIGTERM. Linux only (Xvfb).
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests

USERNAME, PASSWORD = "smoke-admin", "Smoke-test-passw0rd!"
SCRIPT = "fin_efficiency.py"
DESKTOP_LINE = re.compile(r"ScriptsManager desktop on (http://127\.0\.0\.1:\d+/)")
SERVER_LINE = re.compile(r"ScriptsManager listening on (http://127\.0\.0\.1:\d+/)")
START_TIMEOUT = 90.0  # seconds until the URL line; Qt WebEngine's first start is slow
RUN_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0
MIN_COLOURS = 32  # fewer in a screenshot means nothing was drawn


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
            start_new_session=True,  # its own process group, stopped with it
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
        """SIGTERM, then SIGKILL to the whole group when it hangs; return the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        try:  # children left behind (e.g. Qt WebEngine helpers) share its process group
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return self.process.returncode


class Smoke:
    """The checks, each recorded as passed or failed with a short detail."""

    def __init__(self, bundle: Path, home: Path, screenshot: Path | None) -> None:
        self.exe = bundle / "scriptsmanager"
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
        self.check("--version", lambda: self.run_exe("--version"))
        self.check(
            "create-admin",
            lambda: self.run_exe("create-admin", "--username", USERNAME, "--password", PASSWORD),
        )
        self.desktop_checks()
        self.check("server mode", self.server_mode)
        return all(passed for _, passed, _ in self.results)

    def desktop_checks(self) -> None:
        """Desktop mode on a private Xvfb display: start, health, login, one script run, stop."""
        try:
            xvfb, display = start_xvfb()
        except (OSError, RuntimeError) as exc:
            self.record("desktop starts", False, f"no Xvfb display: {exc}")
            return
        app = App([str(self.exe)], {**self.env, "DISPLAY": display})
        try:
            url = ""

            def started() -> str:
                nonlocal url
                url = app.wait_for(DESKTOP_LINE, START_TIMEOUT)
                return f"{url} on display {display}"

            if self.check("desktop starts", started):
                self.check("desktop /health", lambda: health(url))
                self.check(f"desktop runs {SCRIPT}", lambda: run_script(url))
                if self.screenshot:
                    self.check("desktop window", lambda: take_screenshot(display, self.screenshot))
                self.check("desktop stops on SIGTERM", lambda: stopped(app))
        finally:
            app.stop()
            xvfb.terminate()
            xvfb.wait(STOP_TIMEOUT)

    def server_mode(self) -> str:
        """``--server`` on a free port: /health, then SIGTERM must end it with status 0."""
        app = App([str(self.exe), "--server", "--port", str(free_port())], self.env)
        try:
            url = app.wait_for(SERVER_LINE, START_TIMEOUT)
            return f"{url} {health(url)}; {stopped(app)}"
        finally:
            app.stop()


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    """Start Xvfb on the first free display; return it and ``:N``."""
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
    return xvfb, f":{number}"


def stopped(app: App) -> str:
    """Stop ``app`` with SIGTERM; it must exit with status 0."""
    status = app.stop()
    if status != 0:
        raise RuntimeError(f"exit {status} after SIGTERM; output ends:\n  {app.last_output()}")
    return "exit 0 after SIGTERM"


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def health(url: str) -> str:
    """GET /health; it must answer 200."""
    answer = requests.get(url + "health", timeout=10)
    answer.raise_for_status()
    return f"{answer.status_code} {answer.json().get('status')}"


def run_script(url: str) -> str:
    """Log in through the API, open the dashboard, run the shipped script and wait for it to
    complete."""
    api = requests.Session()
    token = get(api, url + "api/auth/csrf")["csrf_token"]
    login = {"username": USERNAME, "password": PASSWORD}
    token = post(api, url + "api/auth/login", token, login)["csrf_token"]
    dashboard = api.get(url, timeout=30)  # the page itself: templates, translations, plurals
    dashboard.raise_for_status()
    script = find_script(api, url)
    group_id = script["group_id"]
    project = get(api, url + f"api/projects/active?group_id={group_id}")["project"]
    schema = get(api, url + f"api/scripts/{script['id']}/parameters-schema")
    body = {"parameters": required_values(schema), "project_id": project["id"]}
    started = post(api, url + f"api/scripts/{script['id']}/execute", token, body)
    execution = url + f"api/logs/execution/{started['execution_id']}"
    deadline = time.monotonic() + RUN_TIMEOUT
    record = get(api, execution)
    while record["status"] in ("starting", "running") and time.monotonic() < deadline:
        time.sleep(0.5)
        record = get(api, execution)
    if record["status"] != "completed":
        output = (record.get("error_output") or record.get("output") or "").strip()[-800:]
        raise RuntimeError(f"status {record['status']!r}, exit {record['exit_code']}: {output}")
    return f"completed in {record['duration_seconds']} s with {body['parameters']}"


def get(api: requests.Session, url: str) -> dict:
    """GET JSON, raising on an error status."""
    answer = api.get(url, timeout=15)
    answer.raise_for_status()
    return answer.json()


def post(api: requests.Session, url: str, token: str, body: dict) -> dict:
    """POST JSON with the CSRF header, raising on an error status."""
    answer = api.post(url, json=body, headers={"X-CSRFToken": token}, timeout=15)
    if not answer.ok:
        raise RuntimeError(f"POST {url}: {answer.status_code} {answer.text[:300]}")
    return answer.json()


def find_script(api: requests.Session, url: str) -> dict:
    """Return the listed script named SCRIPT, from any group."""
    for group in get(api, url + "api/script-groups")["items"]:
        for script in get(api, url + f"api/script-groups/{group['id']}/scripts")["items"]:
            if script["filename"] == SCRIPT:
                return script
    raise RuntimeError(f"{SCRIPT} is not listed")


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


def take_screenshot(display: str, target: Path) -> str:
    """Save the display as a PNG (ImageMagick); a blank window has next to no colours."""
    time.sleep(3)  # let the window paint after the API calls
    command = ["import", "-display", display, "-window", "root", str(target)]
    subprocess.run(command, check=True, timeout=30)
    count = ["identify", "-format", "%k", str(target)]
    colours = int(subprocess.run(count, check=True, capture_output=True, text=True).stdout)
    if colours < MIN_COLOURS:
        raise RuntimeError(f"{target} looks blank ({colours} colours)")
    return f"{target} ({colours} colours)"


def main() -> int:
    """Check the bundle; exit 0 only when every check passed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path, help="the one-folder app, e.g. dist/scriptsmanager")
    parser.add_argument("--screenshot", type=Path, help="save the desktop window as this PNG")
    args = parser.parse_args()
    if not (args.bundle / "scriptsmanager").is_file():
        print(f"smoke_test: no scriptsmanager executable in {args.bundle}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="scriptsmanager-smoke-") as home:
        smoke = Smoke(args.bundle.resolve(), Path(home), args.screenshot)
        passed = smoke.run_all()
    failed = sum(not ok for _, ok, _ in smoke.results)
    print(f"{len(smoke.results) - failed} passed, {failed} failed")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
