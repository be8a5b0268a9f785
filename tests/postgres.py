"""Run a command against a private PostgreSQL server: ``python -m tests.postgres -- CMD``.

Starts a throwaway cluster of Debian's ``postgresql`` package (``initdb`` in a temporary
folder, listening on 127.0.0.1 at a free port only, its socket in that folder), exports
``SCRIPTSMANAGER_TEST_DATABASE_URL`` for the command (tests/conftest.py then gives each
test a database of its own on it), and stops and deletes the cluster afterwards, whatever
the command did. As root the server runs as the ``postgres`` account (it refuses root).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.support import free_port

URL_VARIABLE = "SCRIPTSMANAGER_TEST_DATABASE_URL"
USER = "scriptsmanager"


def binaries() -> Path:
    """Return the folder of the newest installed PostgreSQL's programs."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if not found:
        raise SystemExit("PostgreSQL is missing: apt-get install postgresql")
    return Path(found[-1]).parent


def _version(path: str) -> int:
    return int(Path(path).parts[-3])


def as_server_account(argv: list[str]) -> list[str]:
    """Return argv run as the ``postgres`` account when we are root."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def start(folder: Path, port: int) -> Path:
    """Create and start a cluster in ``folder``; return its data folder."""
    bin_dir, data = binaries(), folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8"]
    subprocess.run(as_server_account([*initdb, "--no-instructions"]), check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off"
    options += " -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
    ctl = [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log")]
    subprocess.run(as_server_account([*ctl, "-w", "start"]), check=True, stdout=subprocess.DEVNULL)
    return data


def stop(data: Path) -> None:
    """Stop the cluster at once (its data is thrown away)."""
    pg_ctl = str(binaries() / "pg_ctl")
    subprocess.run(as_server_account([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),
                   check=False, stdout=subprocess.DEVNULL)  # fmt: skip


def main(argv: list[str]) -> int:
    command = argv[argv.index("--") + 1 :] if "--" in argv else argv
    if not command:
        print(__doc__, file=sys.stderr)
        return 2
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="scriptsmanager-pg-") as scratch:
        folder = Path(scratch)
        data = start(folder, port)
        try:
            url = f"postgresql+psycopg://{USER}@127.0.0.1:{port}/postgres"
            print(f"PostgreSQL on 127.0.0.1:{port} for: {' '.join(command)}", flush=True)
            return subprocess.run(command, env={**os.environ, URL_VARIABLE: url}).returncode
        finally:
            stop(data)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
