"""A script group whose parameters list their options from helper commands (tests only)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support import GroupWriter

FOLDER = "dyn"


def listed(name: str, mode: str, **extra) -> dict:
    """Return a select whose options the helper lists in ``mode``."""
    command = ["python", "_sites.py", mode]
    return {"name": name, "type": "select", "options_from": {"command": command, **extra}}


PARAMETERS = [
    {"name": "region", "type": "select", "options": ["north", "south"], "default": "north"},
    {**listed("site", "{region}"), "required": True},
    {**listed("tags", "json", cache_seconds=0), "type": "multiselect"},
    listed("fresh", "{region}", cache_seconds=0),
    listed("gate", "gate"),
    listed("slow", "slow", timeout=1),
    listed("broken", "fail"),
    listed("empty", "none"),
    listed("flood", "flood"),
    listed("envdump", "env", cache_seconds=0),
    {"name": "token", "type": "secret"},
]

HELPER = """
import json, os, subprocess, sys, time
from pathlib import Path

mode = sys.argv[1] if len(sys.argv) > 1 else ""
with open("calls.txt", "a", encoding="utf-8") as calls:
    calls.write(mode + "\\n")
if mode == "north":
    print("Oslo\\nBergen\\n\\n  Oslo  ")
elif mode == "south":
    print("Seville\\nMalaga")
elif mode == "json":
    print(json.dumps(["a", 2, 3.5]))
elif mode == "gate":
    while not Path("release").exists():
        time.sleep(0.02)
    print("opened")
elif mode == "slow":
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    Path("pids.txt").write_text(f"{os.getpid()} {sleeper.pid}")
    time.sleep(120)
elif mode == "fail":
    print("a line of output")
    sys.stderr.write("Traceback: something\\nRuntimeError: the site list is offline\\n")
    sys.exit(2)
elif mode == "none":
    print("   ")
elif mode == "flood":
    sys.stdout.write("x" * 300_000)
elif mode == "env":
    print("\\n".join(f"{key}={value}" for key, value in sorted(os.environ.items())))
"""


def header(parameters: list[dict] | None = None, level: str = "operator") -> str:
    """Return a script header declaring ``parameters`` (the dynamic set by default)."""
    declared = json.dumps(PARAMETERS if parameters is None else parameters)
    return f"@required_level: {level}\n@parameters: {declared}"


def write_group(groups: GroupWriter) -> Path:
    """Write the group: report.py with dynamic parameters, its helper, a developer script."""
    folder = groups.group(FOLDER, required_level="operator")
    groups.script(FOLDER, "report.py", header())
    groups.script(FOLDER, "hidden.py", header(level="developer"))
    (folder / "_sites.py").write_text(HELPER, encoding="utf-8")
    return folder


def calls(folder: Path) -> list[str]:
    """Return the modes the helper ran with, in order."""
    path = folder / "calls.txt"
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []
