"""``GET /metrics`` on a real server, parsed with prometheus_client's own parser: runs by
script and status with their durations, activity, request latency by route, live-log
clients and backups; admins only."""

from __future__ import annotations

import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.support import wait_for
from tests.test_live_logs import Browser, server  # noqa: F401 - a fixture used below


def scrape(browser: Browser) -> dict[str, list]:
    """Return the samples of each metric family, by family name."""
    answer = browser.http.get(browser.url + "metrics", timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("text/plain")
    return {f.name: f.samples for f in text_string_to_metric_families(answer.text)}


def value(samples: list, name: str, **labels: str) -> float | None:
    for sample in samples:
        if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
            return sample.value
    return None


def run_quick(browser: Browser) -> str:
    groups = browser.http.get(browser.url + "api/script-groups").json()["items"]
    scripts = browser.http.get(browser.url + f"api/script-groups/{groups[0]['id']}/scripts")
    script_id = next(s["id"] for s in scripts.json()["items"] if s["filename"] == "quick.py")
    started = browser.post(f"api/scripts/{script_id}/execute", {"parameters": {}})
    assert started.status_code in (200, 201, 202), started.text
    execution_id = started.json()["execution_id"]
    detail = browser.url + f"api/logs/execution/{execution_id}"
    wait_for(lambda: browser.http.get(detail).json()["status"] != "running")
    return execution_id


def test_metrics_describe_runs_activity_requests_and_clients(server):  # noqa: F811
    admin = Browser(server.url, "root")
    try:
        run_quick(admin)
        admin.connect()
        families = scrape(admin)
    finally:
        admin.close()
    runs = families["scriptsmanager_runs"]
    assert value(runs, "scriptsmanager_runs", script="Quick", status="completed") == 1
    durations = families["scriptsmanager_run_duration_seconds"]
    labels = {"script": "Quick", "status": "completed"}
    assert value(durations, "scriptsmanager_run_duration_seconds_count", **labels) == 1
    assert value(durations, "scriptsmanager_run_duration_seconds_bucket", le="+Inf", **labels)
    assert value(families["scriptsmanager_active_runs"], "scriptsmanager_active_runs") == 0
    assert value(families["scriptsmanager_ports_total"], "scriptsmanager_ports_total") > 0
    assert (
        value(families["scriptsmanager_socketio_clients"], "scriptsmanager_socketio_clients") == 1
    )
    latency = families["scriptsmanager_http_request_duration_seconds"]
    route = "/api/logs/execution/<execution_id>"
    count = value(latency, "scriptsmanager_http_request_duration_seconds_count", route=route)
    assert count and count >= 1  # the route pattern, never one series per run
    assert not any("execution/" in s.labels.get("route", "") and "<" not in s.labels["route"]
                   for s in latency)  # fmt: skip


def test_a_backup_result_appears(server):  # noqa: F811
    admin = Browser(server.url, "root")
    try:
        assert admin.post("api/system/backup", {}).status_code == 202
        status = admin.url + "api/system/backup-status"
        wait_for(lambda: admin.http.get(status).json()["running"] is None)
        families = scrape(admin)
    finally:
        admin.close()
    result = families["scriptsmanager_backup_last_result"]
    assert value(result, "scriptsmanager_backup_last_result", result="completed") == 1
    assert value(families["scriptsmanager_backups_kept"], "scriptsmanager_backups_kept") == 1
    finished = families["scriptsmanager_backup_last_finished_timestamp_seconds"]
    assert finished[0].value > 0


def test_only_admins_read_the_metrics(server):  # noqa: F811
    assert requests.get(server.url + "metrics", timeout=30).status_code == 401
    operator = Browser(server.url, "ann")
    try:
        assert operator.http.get(server.url + "metrics", timeout=30).status_code == 403
    finally:
        operator.close()
