"""Loaded by every script ScriptsManager starts (it is first on the child's PYTHONPATH).

Output stays block-buffered, so chatty scripts pay nothing extra, and a daemon thread
flushes stdout and stderr every 50 ms, so a slow script's lines reach the live log at once.
Any Flask/Werkzeug server the script starts is put behind the interface guard (the token
and Host checks of ``scriptsmanager_guard``), SDK or not.
"""

import os
import sys
import threading
import time

if os.environ.get("SCRIPTSMANAGER_INTERFACE_TOKEN"):
    import scriptsmanager_guard

    scriptsmanager_guard.install(os.environ["SCRIPTSMANAGER_INTERFACE_TOKEN"])

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
