"""The child's output flusher is stopped before the interpreter finalises, so a script can
never abort at exit with "could not acquire lock for <stdout>" (a daemon thread caught in a
flush when finalisation begins)."""

from __future__ import annotations

import subprocess
import sys

from server.resources import sdk_folder

# atexit runs its handlers last-registered first: this one, registered before the import,
# runs after sitecustomize's own and reports whether the flusher is still there.
PROBE = """
import atexit, sys, threading
def report():
    alive = [t.name for t in threading.enumerate() if t.name == "scriptsmanager-flush"]
    sys.stderr.write("flusher alive at exit: %s\\n" % bool(alive))
atexit.register(report)
sys.path.insert(0, sys.argv[1])
import sitecustomize
print("some output")
"""


def test_the_flusher_is_gone_before_the_interpreter_finalises():
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(sdk_folder())], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "some output\n"
    assert "flusher alive at exit: False" in done.stderr
