"""Loaded by every script ScriptsManager starts (it is first on the child's PYTHONPATH).

Output stays block-buffered, so chatty scripts pay nothing extra, and a daemon thread
flushes stdout and stderr every 50 ms, so a slow script's lines reach the live log at once.
"""

import sys
import threading
import time

_FLUSH_INTERVAL = 0.05


def _flush_forever() -> None:
    while True:
        time.sleep(_FLUSH_INTERVAL)
        for stream in (sys.stdout, sys.stderr):
            try:
                if stream is not None:
                    stream.flush()
            except (OSError, ValueError):  # closed or broken pipe: nothing left to deliver
                pass


threading.Thread(target=_flush_forever, name="scriptsmanager-flush", daemon=True).start()
