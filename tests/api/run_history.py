"""Helpers for the run-history tests: a group of small scripts and real runs of them."""

from __future__ import annotations

from pathlib import Path

from tests.api.test_catalog import rescan
from tests.api.test_runs import run, wait_done
from tests.support import wait_for

HELLO = (
    "import sys\nprint('hello', sys.argv[-1].partition('=')[2])\nprint('warn', file=sys.stderr)\n"
)
WHO = '@parameters: [{"name": "who", "type": "string"}]'
SLEEPY = "import time\nprint('waiting', flush=True)\ntime.sleep(120)\n"


def write_lab(app, groups) -> None:
    """Write the group ``lab``: hello.py (says hello to ``who``), fail.py, sleepy.py."""
    groups.group("lab", required_level="operator")
    groups.script("lab", "hello.py", WHO, HELLO)
    groups.script("lab", "fail.py", "", "import sys\nprint('bad', file=sys.stderr)\nsys.exit(3)\n")
    groups.script("lab", "sleepy.py", "@execution_timeout: 300", SLEEPY)
    rescan(app)


def script_ids(client) -> dict[str, int]:
    """Return the lab scripts' ids by file stem."""
    gid = client.get("/api/script-groups").get_json()["items"][0]["id"]
    scripts = client.get(f"/api/script-groups/{gid}/scripts").get_json()["items"]
    return {s["filename"].removesuffix(".py"): s["id"] for s in scripts}


def hello(client, who: str) -> str:
    """Run hello.py to its end; return the run's id."""
    return wait_done(client, run(client, script_ids(client)["hello"], {"who": who}))["execution_id"]


def failing(client) -> str:
    """Run fail.py to its end; return the run's id."""
    return wait_done(client, run(client, script_ids(client)["fail"]))["execution_id"]


def sleeping(client) -> str:
    """Start sleepy.py and return its id once it is running."""
    execution_id = run(client, script_ids(client)["sleepy"])
    wait_for(
        lambda: "waiting" in client.get(f"/api/logs/execution/{execution_id}").get_json()["output"]
    )
    return execution_id


def stop(client, execution_id: str) -> None:
    """Stop a running run and wait for its end."""
    client.post(f"/api/scripts/{script_ids(client)['sleepy']}/stop", {"execution_id": execution_id})
    wait_done(client, execution_id)


def log_file(settings, execution_id: str) -> Path:
    """Return the run's log file."""
    return next(settings.base_data_path.rglob(f"execution_{execution_id}.log"))


def listed(client, query: str = "", path: str = "/api/logs/execution") -> list[str]:
    """Return the ids of the runs a list answers."""
    body = client.get(f"{path}?{query}").get_json()
    return [item["execution_id"] for item in body["items"]]
