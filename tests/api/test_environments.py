"""Python environments: real venvs stand in for conda environments behind a fake conda."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from server.app import create_app, shutdown_app
from server.services.catalog.environments import EnvironmentService
from tests.api.test_catalog import rescan


@pytest.fixture(scope="module")
def conda_root(tmp_path_factory) -> Path:
    """A conda-like tree: base and envs/analysis are real venvs; ``conda`` lists them."""
    root = tmp_path_factory.mktemp("miniconda")
    for prefix in (root / "base", root / "base" / "envs" / "analysis"):
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(prefix)], check=True)
    conda = root / "conda"
    listing = {"envs": [str(root / "base"), str(root / "base" / "envs" / "analysis")]}
    conda.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "--version" ]; then echo "conda 24.9.2"; exit 0; fi\n'
        'if [ "$1 $2 $3" = "env list --json" ]; then cat <<JSON\n'
        f"{json.dumps(listing)}\nJSON\nexit 0; fi\n"
        "echo unsupported >&2; exit 2\n"
    )
    conda.chmod(conda.stat().st_mode | stat.S_IEXEC)
    return root


@pytest.fixture
def app(settings, conda_root, monkeypatch):
    """The app, built while CONDA_EXE points at the fake conda (as a user's shell would)."""
    monkeypatch.setenv("CONDA_EXE", str(conda_root / "conda"))
    application = create_app(settings)
    yield application
    shutdown_app(application)


def version_of(python: Path) -> str:
    out = subprocess.run([str(python), "-c", "import platform; print(platform.python_version())"],
                         capture_output=True, text=True, check=True)  # fmt: skip
    return out.stdout.strip()


def test_conda_environments_are_detected_with_python_versions(app, conda_root, services):
    envs = EnvironmentService(services.db, services.audit, str(conda_root / "conda"), [])
    listed = {env.name: env for env in envs.refresh()}
    services.db.remove()
    assert envs.conda_executable == str(conda_root / "conda")
    assert set(listed) == {"manager", "base", "analysis"}
    expected = version_of(conda_root / "base" / "bin" / "python")
    assert listed["base"].python_version == expected and listed["base"].available
    assert listed["analysis"].path == str(conda_root / "base" / "envs" / "analysis")
    assert listed["manager"].python == sys.executable


def test_without_conda_the_app_says_so_and_keeps_working(app, services, tmp_path):
    envs = EnvironmentService(services.db, services.audit, str(tmp_path / "no-conda"), [])
    listed = envs.refresh()
    services.db.remove()
    assert envs.conda_executable is None and "conda was not found" in str(envs.last_error)
    assert [env.name for env in listed] == ["manager"]


def test_api_lists_assigns_and_validates_environments(app, conda_root, groups, login, make_user):
    groups.group("thermal")
    groups.script("thermal", "calc.py")
    rescan(app)
    developer = login(make_user(level="developer"))
    listing = developer.post("/api/conda/refresh").get_json()
    assert listing["conda_available"] is True
    assert {item["name"] for item in listing["items"]} == {"manager", "base", "analysis"}
    info = developer.get("/api/conda/environments/analysis/info").get_json()
    assert info["environment"]["kind"] == "conda"
    assert developer.get("/api/conda/environments/nope/info").status_code == 404

    gid = developer.get("/api/script-groups").get_json()["items"][0]["id"]
    assigned = developer.post(f"/api/script-groups/{gid}/conda", {"environment": "analysis"})
    assert assigned.status_code == 200
    assert assigned.get_json()["group"]["conda_environment"] == "analysis"
    script = developer.get(f"/api/script-groups/{gid}/scripts").get_json()["items"][0]
    assert script["conda_environment"] == "analysis"

    venv = str(conda_root / "base")
    assert (
        developer.post(f"/api/script-groups/{gid}/conda", {"environment": venv}).status_code == 200
    )
    missing = developer.post(f"/api/script-groups/{gid}/conda", {"environment": "/no/such/venv"})
    assert missing.status_code == 404
    unknown = developer.post(f"/api/script-groups/{gid}/conda", {"environment": "ghost"})
    assert unknown.status_code == 404
    back = developer.post(f"/api/script-groups/{gid}/conda", {"environment": None})
    assert back.get_json()["environment"]["kind"] == "manager"

    rescan(app)  # the assignment is an edit: a rescan of metadata.json keeps it
    group = developer.get(f"/api/script-groups/{gid}").get_json()["group"]
    assert group["conda_environment"] is None

    operator = login(make_user(level="operator"))
    refused = operator.post(f"/api/script-groups/{gid}/conda", {"environment": "analysis"})
    assert refused.status_code == 403
