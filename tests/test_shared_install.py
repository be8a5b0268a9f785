"""The shared-workstation installer, run for real (root only): a service account owns the
app and its data, other OS users cannot read the data, and the service answers.

The service account is a fresh system account when the interpreter is usable by other
accounts; where it is not (a Python built under /root, as on CI machines), root stands in
for it and only the account creation goes untested.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support import free_port, wait_for

REPO = Path(__file__).resolve().parent.parent
INSTALLER = REPO / "build" / "service" / "install-linux.sh"

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or os.geteuid() != 0 or not shutil.which("useradd"),
    reason="installs a system account: Linux, as root",
)


BASE_PYTHON = Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"


@pytest.fixture
def installation():
    tag = secrets.token_hex(3)
    prefix, home = Path(f"/opt/sm-test-{tag}"), Path(f"/var/lib/sm-test-{tag}")
    shared_python = as_user("nobody", [str(BASE_PYTHON), "-c", "pass"]).returncode == 0
    user = f"smt{tag}" if shared_python else "root"
    yield prefix, home, user
    if user != "root":
        subprocess.run(["userdel", user], capture_output=True)
    shutil.rmtree(prefix, ignore_errors=True)
    shutil.rmtree(home, ignore_errors=True)


def as_user(user: str, command: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", user, "--", *command], capture_output=True, text=True)


def test_the_service_account_alone_can_read_the_data(installation, tmp_path):
    prefix, home, user = installation
    installed = subprocess.run(
        [str(INSTALLER), "--no-systemd", "--prefix", str(prefix), "--home", str(home),
         "--user", user, "--python", str(BASE_PYTHON)],
        check=True, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    token = (home / "setup_token").read_text()
    assert f"/setup?token={token}" in installed.stdout  # the one-time first-admin link
    assert (home / "setup_token").stat().st_mode & 0o777 == 0o600
    stat = home.stat()
    assert stat.st_mode & 0o777 == 0o700
    assert stat.st_uid == int(as_user(user, ["id", "-u"]).stdout)
    assert (home / "data" / "scriptsmanager.db").is_file()
    assert as_user("nobody", ["ls", str(home)]).returncode != 0
    assert as_user("nobody", ["cat", str(home / "secret_key")]).returncode != 0

    port = free_port()
    server = subprocess.Popen(
        ["runuser", "-u", user, "--", "env", "SHARED_INSTALL=true", f"SCRIPTSMANAGER_HOME={home}",
         str(prefix / "bin" / "scriptsmanager"), "--server", "--port", str(port)],
        cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:

        def healthy() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    return r.status == 200
            except OSError:
                return False

        assert wait_for(healthy, timeout=60)
        setup = f"http://127.0.0.1:{port}/setup"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(setup, timeout=60)
        assert refused.value.code == 403
        refused.value.close()
        with urllib.request.urlopen(f"{setup}?token={token}", timeout=60) as page:
            assert b"sm-setup-form" in page.read()
        logs = home / "data" / "logs" / "system"
        assert as_user("nobody", ["ls", str(logs)]).returncode != 0
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(60)

    unit = tmp_path / "scriptsmanager.service"
    text = (INSTALLER.parent / "scriptsmanager.service").read_text()
    for key, value in {
        "USER": user,
        "HOME": str(home),
        "PREFIX": str(prefix),
        "PORT": "5000",
    }.items():
        text = text.replace(f"@{key}@", value)
    unit.write_text(text)
    check = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True)
    assert "error" not in (check.stdout + check.stderr).lower(), check.stderr
