"""Loaded by every script ScriptsManager starts (it is first on the child's PYTHONPATH).

Output stays block-buffered, so chatty scripts pay nothing extra, and a daemon thread
flushes stdout and stderr every 50 ms, so a slow script's lines reach the live log at once.
The thread is stopped at exit, before the interpreter finalises: a daemon thread caught
inside a flush then would abort the script ("could not acquire lock for stdout").
Any Flask/Werkzeug server the script starts is put behind the interface guard (the token
and Host checks of ``scriptsmanager_guard``), SDK or not.
"""

import atexit
import os
import sys
import threading

if os.environ.get("SCRIPTSMANAGER_INTERFACE_TOKEN"):
    import scriptsmanager_guard

    scriptsmanager_guard.install(os.environ["SCRIPTSMANAGER_INTERFACE_TOKEN"])

_FLUSH_INTERVAL = 0.05


_stop = threading.Event()


def _flush_forever() -> None:
    while not _stop.wait(_FLUSH_INTERVAL):
        for stream in (sys.stdout, sys.stderr):
            try:
                if stream is not None:
                    stream.flush()
            except (OSError, ValueError):  # closed or broken pipe: nothing left to deliver
                pass


def _stop_flushing() -> None:
    _stop.set()
    _flusher.join(timeout=2)


_flusher = threading.Thread(target=_flush_forever, name="scriptsmanager-flush", daemon=True)
_flusher.start()
atexit.register(_stop_flushing)
