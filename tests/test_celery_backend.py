"""The celery backend end to end: a real Redis, a real ``--server`` with
EXECUTION_BACKEND=celery and two ``scriptsmanager worker`` processes with their own working
folders (standing in for two hosts): live output, Stop, a worker killed mid-run and its
orphan ended when it comes back, a group pinned to a queue, an interface through the proxy.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import psutil
import pytest
import redis

from tests.support import create_admin, free_port, start_server, stop_server, wait_for
from tests.test_live_logs import PASSWORD, Browser

FIXTURES = Path(__file__).resolve().parent / "fixtures"
pytestmark = pytest.mark.skipif(not shutil.which("redis-server"), reason="no redis-server")

GATED = """import pathlib, sys, time
go = pathlib.Path(__file__).with_name("go")
print('line', 0)
print('line', 1)
deadline = time.monotonic() + 300
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.05)
for i in range(2, 40):
    print('line', i)
print('warn', file=sys.stderr)
"""
SLEEPER = "import os, time\nprint('PID', os.getpid(), flush=True)\ntime.sleep(300)\n"


class Cluster:
    """Redis, the manager and its workers, all on loopback; stopped by PID."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.redis_port = free_port()
        self.broker = f"redis://127.0.0.1:{self.redis_port}/0"
        self.env = {**os.environ, "SCRIPT_GROUPS_PATH": str(root / "groups"),
                    "CONDA_AUTO_DETECT": "0", "CELERY_BROKER_URL": self.broker}  # fmt: skip
        self.workers: dict[str, subprocess.Popen] = {}
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(root)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.client = redis.Redis.from_url(self.broker)
        wait_for(self._pings, message="redis did not start")
        self.server = None

    def _pings(self) -> bool:
        try:
            return bool(self.client.ping())
        except redis.ConnectionError:
            return False

    def start_manager(self) -> None:
        home = self.root / "manager"
        create_admin(home, self.env, "root", PASSWORD)
        env = {**self.env, "EXECUTION_BACKEND": "celery"}
        self.server = start_server(home, free_port(), env=env)

    def worker(self, name: str, queues: str = "scriptsmanager") -> subprocess.Popen:
        home = self.root / f"worker-{name}"
        home.mkdir(exist_ok=True)
        log = (home / "worker.log").open("a")
        process = subprocess.Popen(
            [sys.executable, "-m", "desktop.launcher", "worker", "--name", name, "--queues",
             queues, "--concurrency", "2"],
            env={**self.env, "SCRIPTSMANAGER_HOME": str(home)}, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()
        self.workers[name] = process
        return process

    def registered(self) -> set[str]:
        return {key.decode().split(":", 2)[2] for key in self.client.scan_iter("sm:worker:*")}

    def close(self) -> None:
        for process in self.workers.values():
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
        if self.server is not None:
            stop_server(self.server)
        self.client.close()
        self.redis.terminate()
        self.redis.wait(10)


def write_groups(root: Path) -> None:
    remote = root / "groups" / "remote"
    remote.mkdir(parents=True)
    (remote / "metadata.json").write_text(json.dumps({"name": "Remote"}))
    (remote / "gated.py").write_text(GATED)
    (remote / "sleeper.py").write_text(SLEEPER)
    shutil.copy(FIXTURES / "echo_interface.py", remote / "echo_interface.py")
    gpu = root / "groups" / "gpu"
    gpu.mkdir()
    (gpu / "metadata.json").write_text(json.dumps({"name": "GPU", "queue": "gpu"}))
    (gpu / "sleeper.py").write_text(SLEEPER)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    root = tmp_path_factory.mktemp("celery")
    write_groups(root)
    running = Cluster(root)
    try:
        refused = subprocess.run(
            [sys.executable, "-m", "desktop.launcher", "worker", "--name", "early"],
            env={**running.env, "SCRIPTSMANAGER_HOME": str(root / "early")},
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        running.refused_before_manager = refused
        running.start_manager()
        running.worker("w1")
        running.worker("w2", "scriptsmanager,gpu")
        wait_for(lambda: running.registered() == {"w1", "w2"}, message="workers not registered")
        yield running
    finally:
        running.close()


@pytest.fixture
def root(cluster):
    browser = Browser(cluster.server.url, "root")
    yield browser
    browser.close()


def scripts(browser: Browser) -> dict[str, int]:
    found = {}
    for group in browser.http.get(browser.url + "api/script-groups").json()["items"]:
        listed = browser.http.get(browser.url + f"api/script-groups/{group['id']}/scripts")
        for script in listed.json()["items"]:
            found[f"{group['folder']}/{script['filename']}"] = script["id"]
    return found


def execute(browser: Browser, name: str) -> str:
    answer = browser.post(f"api/scripts/{scripts(browser)[name]}/execute", {"parameters": {}})
    assert answer.status_code == 202, answer.text
    return answer.json()["execution_id"]


def stop(browser: Browser, name: str, execution_id: str):
    sid = scripts(browser)[name]
    return browser.post(f"api/scripts/{sid}/stop", {"execution_id": execution_id})


def record(browser: Browser, execution_id: str) -> dict:
    return browser.http.get(browser.url + f"api/logs/execution/{execution_id}").json()


def ended(browser: Browser, execution_id: str, timeout: float = 60) -> dict:
    def done():
        body = record(browser, execution_id)
        return body if body["status"] != "running" else None

    return wait_for(done, timeout=timeout, message=f"run {execution_id} did not end")


def test_a_worker_refuses_to_start_before_the_manager_published_its_storage(cluster):
    refused = cluster.refused_before_manager
    assert refused.returncode == 1
    assert "no manager has published its data folder" in refused.stderr


def test_a_worker_refuses_storage_it_does_not_share(cluster, tmp_path):
    client = cluster.client
    published = client.get("sm:storage")
    other = {**json.loads(published), "path": str(tmp_path / "elsewhere" / "marker")}
    client.set("sm:storage", json.dumps(other))
    try:
        refused = subprocess.run(
            [sys.executable, "-m", "desktop.launcher", "worker", "--name", "stranger"],
            env={**cluster.env, "SCRIPTSMANAGER_HOME": str(tmp_path / "stranger")},
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    finally:
        client.set("sm:storage", published)
    assert refused.returncode == 1 and "is not shared with this host" in refused.stderr


def test_output_streams_live_from_a_worker_and_the_manager_stores_the_log(cluster, root):
    root.connect()
    execution_id = execute(root, "remote/gated.py")
    root.sio.emit("subscribe", {"execution_id": execution_id}, namespace="/logs")
    # The first lines arrive while the script still runs on its worker (it waits for "go").
    wait_for(lambda: root.lines(execution_id) == ["line 0", "line 1"], message="no live lines")
    assert record(root, execution_id)["status"] == "running"
    (cluster.root / "groups" / "remote" / "go").touch()
    assert root.done.wait(60), "no final status over Socket.IO"
    body = ended(root, execution_id)
    assert body["status"] == "completed" and body["exit_code"] == 0
    expected = [f"line {i}" for i in range(40)]
    assert body["output"].splitlines() == expected and body["error_output"] == "warn\n"
    wait_for(lambda: root.lines(execution_id) == expected, message="live lines incomplete")
    assert "started on the worker w" in body["debug_output"]
    assert body["environment"]["worker"] in {"w1", "w2"}
    late = Browser(root.url, "root")  # a viewer who comes after the end gets it all
    try:
        late.connect()
        late.sio.emit("subscribe", {"execution_id": execution_id}, namespace="/logs")
        wait_for(lambda: late.lines(execution_id) == expected, message="no replay")
    finally:
        late.close()


def test_stop_ends_the_remote_tree(root):
    execution_id = execute(root, "remote/sleeper.py")
    wait_for(lambda: "PID" in record(root, execution_id)["output"] or None, timeout=60,
             message="the sleeper did not start")  # fmt: skip
    pid = _pid(record(root, execution_id))
    assert _alive(pid)
    stopped = stop(root, "remote/sleeper.py", execution_id)
    assert stopped.status_code == 200, stopped.text
    assert ended(root, execution_id)["status"] == "terminated"
    wait_for(lambda: not _alive(pid), message="the remote tree outlived Stop")


def test_a_group_pinned_to_a_queue_runs_on_its_worker_and_a_killed_worker_fails_the_run(
    cluster, root
):
    execution_id = execute(root, "gpu/sleeper.py")
    wait_for(lambda: "PID" in record(root, execution_id)["output"] or None, timeout=60,
             message="the sleeper did not start")  # fmt: skip
    body = record(root, execution_id)
    assert body["environment"]["worker"] == "w2"  # the only worker of the gpu queue
    pid = _pid(body)
    os.kill(cluster.workers["w2"].pid, signal.SIGKILL)
    cluster.workers["w2"].wait(10)
    failed = ended(root, execution_id, timeout=90)
    assert failed["status"] == "failed"
    assert "the worker w2 stopped while this run was going" in failed["debug_output"]
    assert _alive(pid)  # an orphan on the worker's host until the worker comes back
    no_worker = root.post(f"api/scripts/{scripts(root)['gpu/sleeper.py']}/execute",
                          {"parameters": {}})  # fmt: skip
    wait_for(lambda: "w2" not in cluster.registered(), timeout=60, message="w2 still listed")
    refused = root.post(f"api/scripts/{scripts(root)['gpu/sleeper.py']}/execute",
                        {"parameters": {}})  # fmt: skip
    assert refused.status_code == 409 and "gpu" in refused.json()["error"]["message"]
    if no_worker.status_code == 202:  # w2 was still listed: that run failed to start
        assert ended(root, no_worker.json()["execution_id"], timeout=90)["status"] == "failed"
    cluster.worker("w2", "scriptsmanager,gpu")
    wait_for(lambda: not _alive(pid), timeout=60, message="the orphan was not ended")
    wait_for(lambda: "w2" in cluster.registered(), message="w2 did not register again")


def test_a_stopped_worker_ends_its_runs_first(cluster, root):
    execution_id = execute(root, "remote/sleeper.py")
    wait_for(lambda: "PID" in record(root, execution_id)["output"] or None, timeout=60,
             message="the sleeper did not start")  # fmt: skip
    body = record(root, execution_id)
    name, pid = body["environment"]["worker"], _pid(body)
    queues = {"w1": "scriptsmanager", "w2": "scriptsmanager,gpu"}[name]
    cluster.workers[name].terminate()
    cluster.workers[name].wait(60)
    finished = ended(root, execution_id)
    assert f"the worker {name} was stopped: it ended this run" in finished["debug_output"]
    assert not _alive(pid)
    cluster.worker(name, queues)
    wait_for(lambda: name in cluster.registered(), message=f"{name} did not register again")


def test_a_queue_whose_run_slots_are_all_taken_refuses_more_at_once(root):
    first, second = execute(root, "gpu/sleeper.py"), execute(root, "gpu/sleeper.py")
    refused = root.post(f"api/scripts/{scripts(root)['gpu/sleeper.py']}/execute",
                        {"parameters": {}})  # fmt: skip
    assert refused.status_code == 409  # w2, the gpu queue's only worker, runs two at most
    assert "run 2 scripts, all they may" in refused.json()["error"]["message"]
    for execution_id in (first, second):
        assert stop(root, "gpu/sleeper.py", execution_id).status_code == 200
        assert ended(root, execution_id)["status"] == "terminated"
    again = execute(root, "gpu/sleeper.py")  # slots are free again
    assert stop(root, "gpu/sleeper.py", again).status_code == 200


def test_admins_see_the_workers_and_their_queues(root):
    listed = root.http.get(root.url + "api/admin/workers").json()
    assert listed["backend"] == "celery"
    queues = {worker["name"]: worker["queues"] for worker in listed["items"]}
    assert queues["w1"] == ["scriptsmanager"] and "gpu" in queues["w2"]
    page = root.http.get(root.url + "admin/interfaces").text
    table = page.split('id="sm-admin-workers"')[1].split("</table>")[0]
    assert ">w1<" in table and ">w2<" in table and ">gpu<" in table


def test_an_interface_on_a_worker_is_reached_through_the_proxy(root):
    sid = scripts(root)["remote/echo_interface.py"]
    execution_id = execute(root, "remote/echo_interface.py")

    def ready():
        items = root.http.get(root.url + f"api/scripts/{sid}/interface-status").json()["items"]
        return next((s for s in items if s["execution_id"] == execution_id
                     and s["status"] == "ready"), None)  # fmt: skip

    session = wait_for(ready, timeout=90, message="the interface did not become ready")
    wrapper = root.http.get(root.url + f"interfaces/{session['session_id']}/").text
    frame = re.search(r'id="sm-interface-frame"\s+src="([^"]+)"', wrapper).group(1)
    answer = root.http.get(frame + "echo?x=1")  # the interfaces' own origin, then the worker
    assert answer.status_code == 200, answer.text
    assert answer.json()["method"] == "GET"
    assert stop(root, "remote/echo_interface.py", execution_id).status_code == 200


def _pid(body: dict) -> int:
    line = next(line for line in body["output"].splitlines() if line.startswith("PID"))
    return int(line.split()[1])


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def test_a_run_reported_by_an_unregistered_worker_is_refused(cluster, tmp_path):
    from server.services.execution.children import StartRequest
    from server.services.execution.remote import keys
    from server.services.execution.remote.launcher import CeleryBackend

    execution_id = "rogue-run"

    def rogue() -> None:  # answers as a worker that never registered, then obeys the stop
        client = redis.Redis.from_url(cluster.broker)
        fields = {"k": "started", "pid": "4242", "created": "1.0", "worker": "rogue",
                  "host": "192.0.2.7"}  # fmt: skip
        client.xadd(keys.stream(execution_id), fields)
        client.blpop([keys.control(execution_id)], timeout=30)
        client.xadd(keys.stream(execution_id), {"k": "end", "exit": "-15", "mem": "0", "cpu": "0"})
        client.close()

    backend = CeleryBackend(cluster.broker, start_timeout=30)
    thread = threading.Thread(target=rogue)
    thread.start()
    try:
        request = StartRequest(execution_id, ["python", "-c", "pass"], {}, tmp_path, 0, "nobody")
        with pytest.raises(OSError, match="rogue .192.0.2.7. is not a registered worker"):
            backend.start(request)
    finally:
        thread.join(60)
        backend.close()
