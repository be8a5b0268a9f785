"""The child's output flusher is stopped before the interpreter finalises, so a script can
never abort at exit with "could not acquire lock for <stdout>" (a daemon thread caught in a
flush when finalisation begins)."""

from __future__ import annotations

import os
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


BUFFER_PROBE = """
import sys
buffer = sys.stdout.buffer
sys.stderr.write("%s %s\\n" % (type(buffer).__name__, buffer.__sizeof__()))
print("héllo ✓")
for number in range(100_000):
    print(number)
"""


def _run_with_sdk(*python_flags: str) -> subprocess.CompletedProcess[bytes]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("PYTHON")}
    env["PYTHONPATH"] = str(sdk_folder())
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [sys.executable, *python_flags, "-c", BUFFER_PROBE],
        capture_output=True,
        env=env,
        timeout=60,
    )


def test_a_piped_stdout_gets_a_pipe_sized_buffer_and_keeps_every_line_in_order():
    done = _run_with_sdk()
    assert done.returncode == 0, done.stderr
    kind, size = done.stderr.decode().split()
    assert kind == "BufferedWriter" and int(size) >= 64 * 1024  # the size includes the buffer
    lines = done.stdout.decode("utf-8").split("\n")
    assert lines[0] == "héllo ✓"
    assert lines[1:-1] == [str(number) for number in range(100_000)]
    assert lines[-1] == ""


def test_an_unbuffered_stdout_stays_unbuffered():
    done = _run_with_sdk("-u")
    assert done.returncode == 0, done.stderr
    assert done.stderr.decode().split()[0] == "FileIO"
    assert done.stdout.decode("utf-8").startswith("héllo ✓\n0\n1\n")
