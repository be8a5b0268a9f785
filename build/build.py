"""Build the one-folder app: ``python build/build.py [--dist DIR] [--work DIR]``.

Runs PyInstaller on build/scriptsmanager.spec, then archives the bundle as
``<dist>/scriptsmanager-<version>-<platform>.tar.gz`` and prints the sizes.
"""

from __future__ import annotations

import argparse
import platform
import re
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "build" / "scriptsmanager.spec"
APP = "scriptsmanager"
MIB = 1024 * 1024


def version() -> str:
    """Return ``__version__`` of server/__init__.py (read, not imported)."""
    text = (ROOT / "server" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__\s*=\s*"([^"]+)"', text, re.MULTILINE)
    if not match:
        raise SystemExit("build: no __version__ in server/__init__.py")
    return match.group(1)


def folder_size(folder: Path) -> int:
    """Return the total size in bytes of the files under ``folder`` (links not followed)."""
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def archive(bundle: Path) -> Path:
    """Write ``<bundle>-<version>-<platform>.tar.gz`` beside the bundle; return its path."""
    machine = f"{platform.system()}-{platform.machine()}".lower()
    target = bundle.parent / f"{APP}-{version()}-{machine}.tar.gz"
    with tarfile.open(target, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=bundle.name)
    return target


def main() -> int:
    """Build, archive and report; return PyInstaller's exit status when it fails."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="default: %(default)s")
    parser.add_argument(
        "--work", type=Path, default=ROOT / ".pyinstaller-work", help="default: %(default)s"
    )
    args = parser.parse_args()
    dist, work = args.dist.resolve(), args.work.resolve()
    command = [sys.executable, "-m", "PyInstaller", str(SPEC), "--noconfirm", "--clean"]
    command += ["--distpath", str(dist), "--workpath", str(work)]
    started = time.monotonic()
    status = subprocess.run(command, cwd=ROOT).returncode
    if status:
        print(f"build: PyInstaller failed (exit {status})", file=sys.stderr)
        return status
    built = time.monotonic() - started
    bundle = dist / APP
    tarball = archive(bundle)
    print(f"Bundle:  {bundle} ({folder_size(bundle) / MIB:.1f} MiB, built in {built:.0f} s)")
    print(f"Archive: {tarball} ({tarball.stat().st_size / MIB:.1f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
