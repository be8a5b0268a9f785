"""A group whose environment is missing here (the specification's own example names conda's
``base`` on a machine without conda) still runs, on the manager's Python, and says so;
with CONDA_FALLBACK off it is refused as before."""

from __future__ import annotations

import sys

import pytest

from server.app import create_app
from server.services.audit import Actor
from server.services.registry import EXTENSION_KEY
from tests.api.test_catalog import rescan
from tests.api.test_runs import wait_done
from tests.support import JsonClient, make_settings

# The group metadata.json of the specification, as written there.
SPEC_GROUP = {
    "name": "System Administration",
    "description": {
        "en": "System administration and maintenance scripts",
        "es": "Scripts de administración y mantenimiento del sistema",
        "it": "Script di amministrazione e manutenzione del sistema",
        "fr": "Scripts d'administration et de maintenance du système",
    },
    "icon": "server",
    "required_level": "operator",
    "category": "system",
    "conda_environment": "base",
    "auto_discovery": True,
    "execution_timeout": 300,
}
REPORT = "import sys\nprint('PYTHON=' + sys.executable)\n"


def the_script(client) -> dict:
    group = next(
        g for g in client.get("/api/script-groups").json["items"] if g["folder"] == "sysadmin"
    )
    return client.get(f"/api/script-groups/{group['id']}/scripts").json["items"][0] | {
        "group": group
    }


@pytest.fixture
def spec_group(app, groups):
    groups.group("sysadmin", **SPEC_GROUP)
    groups.script("sysadmin", "report.py", "@description: which Python runs me\n", REPORT)
    rescan(app)


def test_a_run_falls_back_to_the_manager_python_and_says_so(spec_group, login, make_user):
    client = login(make_user(level="operator"))
    script = the_script(client)
    assert script["group"]["environment_state"] == "fallback"
    started = client.post(f"/api/scripts/{script['id']}/execute", json={"parameters": {}})
    assert started.status_code == 202, started.json
    run = wait_done(client.raw, started.json["execution_id"])
    assert run["status"] == "completed", run
    assert f"PYTHON={sys.executable}" in run["output"]
    assert "'base' is not available here" in run["debug_output"]
    assert "manager's own Python" in run["debug_output"]
    environment = run["environment"]
    assert environment["python"] == sys.executable and environment["fallback"] is True
    assert environment["requested_environment"] == "base"


def test_the_group_and_script_pages_show_a_warning_badge(spec_group, login, make_user):
    client = login(make_user(level="operator"))
    script = the_script(client)
    for page in (f"/groups/{script['group']['id']}", f"/scripts/{script['id']}"):
        html = client.raw.get(page).get_data(as_text=True)
        assert 'id="sm-env-missing"' in html and "Environment not available" in html


def test_a_missing_venv_falls_back_too(app, groups, login, make_user, tmp_path):
    groups.group("sysadmin", **{**SPEC_GROUP, "conda_environment": str(tmp_path / "no-venv")})
    groups.script("sysadmin", "report.py", "@description: which Python runs me\n", REPORT)
    rescan(app)
    client = login(make_user(level="operator"))
    script = the_script(client)
    run_id = client.post(f"/api/scripts/{script['id']}/execute", json={"parameters": {}}).json
    run = wait_done(client.raw, run_id["execution_id"])
    assert run["status"] == "completed" and run["environment"]["fallback"] is True


def test_with_the_fallback_off_the_run_is_refused_clearly(tmp_path, groups):
    strict = create_app(make_settings(tmp_path / "home", conda_fallback=False))
    try:
        groups.group("sysadmin", **SPEC_GROUP)
        groups.script("sysadmin", "report.py", "@description: which Python runs me\n", REPORT)
        rescan(strict)
        svc = strict.extensions[EXTENSION_KEY]
        with strict.app_context():
            svc.users.create("op", "op@example.com", "Operator-Pass-1", "operator", Actor.system())
            svc.db.remove()
        client = JsonClient(strict.test_client())
        client.post("/api/auth/login", json={"username": "op", "password": "Operator-Pass-1"})
        script = the_script(client)
        assert script["group"]["environment_state"] == "refused"
        refused = client.post(f"/api/scripts/{script['id']}/execute", json={"parameters": {}})
        assert refused.status_code == 409
        assert "'base' is not known" in refused.json["error"]["message"]
    finally:
        strict.extensions[EXTENSION_KEY].shutdown()
