"""Live logs over Socket.IO against a real server: replay, streaming, isolation."""

from __future__ import annotations

import json
import os
import threading

import pytest
import requests
import socketio

from tests.support import WAIT_TIMEOUT, create_admin, free_port, start_server, stop_server, wait_for

PASSWORD = "L1ve-Logs-Password"
# Two lines, then the rest once the test lets it go on (a file next to the script appears):
# the run is still running while the test looks, however slow the machine.
SLOW = """import pathlib, time
go = pathlib.Path(__file__).with_name("go")
print('line', 0)
print('line', 1)
deadline = time.monotonic() + 300
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.05)
for i in range(2, 6):
    print('line', i)
    time.sleep(0.3)
"""


class Browser:
    """An HTTP session plus a Socket.IO client on /logs, as the pages use them."""

    def __init__(self, url: str, username: str) -> None:
        self.url = url
        self.http = requests.Session()
        token = self.http.get(url + "api/auth/csrf").json()["csrf_token"]
        login = self.http.post(
            url + "api/auth/login",
            json={"username": username, "password": PASSWORD},
            headers={"X-CSRFToken": token},
        )
        assert login.status_code == 200, login.text
        self.csrf = login.json()["csrf_token"]
        self.events: list[tuple[str, dict]] = []
        self.done = threading.Event()
        self.sio = socketio.Client()
        for name in ("log", "status", "error"):
            self.sio.on(name, self._recorder(name), namespace="/logs")

    def _recorder(self, name: str):
        def record(data):
            self.events.append((name, data))
            if name == "error" or (name == "status" and data["status"] != "running"):
                self.done.set()

        return record

    def connect(self) -> None:
        cookie = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        self.sio.connect(self.url, headers={"Cookie": cookie}, namespaces=["/logs"],
                         transports=["websocket"], wait_timeout=WAIT_TIMEOUT)  # fmt: skip

    def post(self, path: str, body: dict) -> requests.Response:
        return self.http.post(self.url + path, json=body, headers={"X-CSRFToken": self.csrf})

    def lines(self, execution_id: str, stream: str = "stdout") -> list[str]:
        # The client handles each event in its own thread: put them back in seq order.
        logs = sorted(
            (data for name, data in list(self.events) if name == "log"), key=lambda d: d["seq"]
        )
        seen, lines = 0, []
        for data in logs:
            if data["execution_id"] == execution_id and data["seq"] > seen:
                seen = data["seq"]
                if data["stream"] == stream:
                    lines.extend(data["lines"])
        return lines

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()
        self.http.close()


@pytest.fixture
def server(tmp_path):
    groups = tmp_path / "groups" / "live"
    groups.mkdir(parents=True)
    (groups / "metadata.json").write_text(json.dumps({"name": "Live"}))
    (groups / "slow.py").write_text(SLOW)
    (groups / "quick.py").write_text("import sys\nprint('done')\nprint('oops', file=sys.stderr)\n")
    env = {**os.environ, "SCRIPT_GROUPS_PATH": str(tmp_path / "groups"), "CONDA_AUTO_DETECT": "0"}
    home = tmp_path / "home"
    create_admin(home, env, "root", PASSWORD)
    running = start_server(home, free_port(), env=env)
    admin = Browser(running.url, "root")
    for name in ("ann", "bob"):
        body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
        created = admin.post("api/admin/users", {**body, "user_level": "operator"})
        assert created.status_code == 201
    admin.close()
    running.release_slow = lambda: (groups / "go").touch()  # slow.py goes on past line 1
    yield running
    stop_server(running)


def script_id(browser: Browser, filename: str) -> int:
    groups = browser.http.get(browser.url + "api/script-groups").json()["items"]
    scripts = browser.http.get(browser.url + f"api/script-groups/{groups[0]['id']}/scripts").json()
    return next(s["id"] for s in scripts["items"] if s["filename"] == filename)


def test_live_lines_arrive_while_the_script_runs_and_late_subscribers_get_a_replay(server):
    ann = Browser(server.url, "ann")
    late = Browser(server.url, "ann")
    try:
        ann.connect()
        started = ann.post(f"api/scripts/{script_id(ann, 'slow.py')}/execute", {"parameters": {}})
        execution_id = started.json()["execution_id"]
        ann.sio.emit("subscribe", {"execution_id": execution_id}, namespace="/logs")
        wait_for(lambda: len(ann.lines(execution_id)) >= 2, message="no live lines")
        assert ann.lines(execution_id)[:2] == ["line 0", "line 1"]
        assert not ann.done.is_set()  # lines arrived before the end: they were live
        late.connect()
        late.sio.emit("subscribe", {"execution_id": execution_id}, namespace="/logs")
        wait_for(lambda: len(late.lines(execution_id)) >= 2, message="no replay")
        assert not late.done.is_set()  # replayed while it runs: the rest comes live
        server.release_slow()
        assert ann.done.wait(WAIT_TIMEOUT) and late.done.wait(WAIT_TIMEOUT)
        expected = [f"line {i}" for i in range(6)]
        assert ann.lines(execution_id) == expected
        assert late.lines(execution_id) == expected  # replay, then live, nothing twice
        final = [data for name, data in ann.events if name == "status"][-1]
        assert final == {"execution_id": execution_id, "status": "completed", "exit_code": 0}
    finally:
        ann.close()
        late.close()


def test_a_finished_run_is_replayed_from_its_log_file(server):
    ann = Browser(server.url, "ann")
    try:
        started = ann.post(f"api/scripts/{script_id(ann, 'quick.py')}/execute", {"parameters": {}})
        execution_id = started.json()["execution_id"]
        detail = server.url + f"api/logs/execution/{execution_id}"
        wait_for(lambda: ann.http.get(detail).json()["status"] != "running")
        ann.connect()
        ann.sio.emit("subscribe", {"execution_id": execution_id}, namespace="/logs")
        assert ann.done.wait(WAIT_TIMEOUT)
        assert ann.lines(execution_id) == ["done"]
        assert ann.lines(execution_id, "stderr") == ["oops"]
        assert any(
            line.startswith("ScriptsManager run") for line in ann.lines(execution_id, "debug")
        )
    finally:
        ann.close()


def test_other_users_runs_and_anonymous_clients_get_nothing(server):
    ann, bob = Browser(server.url, "ann"), Browser(server.url, "bob")
    try:
        started = ann.post(f"api/scripts/{script_id(ann, 'quick.py')}/execute", {"parameters": {}})
        execution_id = started.json()["execution_id"]
        bob.connect()
        bob.sio.emit("subscribe", {"execution_id": execution_id}, namespace="/logs")
        assert bob.done.wait(WAIT_TIMEOUT)
        assert [name for name, _ in bob.events] == ["error"]
        anonymous = socketio.Client()
        with pytest.raises(socketio.exceptions.ConnectionError):
            anonymous.connect(server.url, namespaces=["/logs"], transports=["websocket"],
                              wait_timeout=WAIT_TIMEOUT)  # fmt: skip
    finally:
        ann.close()
        bob.close()
