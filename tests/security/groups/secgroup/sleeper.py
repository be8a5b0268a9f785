"""
ScriptsManager Metadata:
@description: Runs for minutes with a child process of its own (crash and reap probe)
@required_level: operator
"""

import subprocess
import sys
import time

child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
print("CHILD", child.pid, flush=True)
deadline = time.monotonic() + 600
while time.monotonic() < deadline:
    time.sleep(0.5)
