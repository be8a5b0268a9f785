"""Loaded by every script ScriptsManager starts (it is first on the child's PYTHONPATH).

Output stays block-buffered, so chatty scripts pay nothing extra, and a daemon thread
flushes stdout and stderr every 50 ms, so a slow script's lines reach the live log at once.
A piped stdout gets a buffer as large as the pipe (64 KiB instead of 8 KiB): a chatty
script then makes an eighth of the write calls, and the manager an eighth of the reads.
The thread is stopped at exit, before the interpreter finalises: a daemon thread caught
inside a flush then would abort the script ("could not acquire lock for stdout").
Any Flask/Werkzeug server the script starts is put behind the interface guard (the token
and Host checks of ``scriptsmanager_guard``), SDK or not.
"""

import atexit
import io
import os
import sys
import threading

_SERVING = "werkzeug.serving"


class _GuardServing:
    """Meta path finder: patch ``werkzeug.serving`` as it is imported, once. The guard
    module is imported only then, so a script that serves nothing does not pay for it."""

    def __init__(self, token: str) -> None:
        self.token = token

    def find_spec(self, name: str, path: object, target: object = None) -> object:
        if name != _SERVING:
            return None
        sys.meta_path.remove(self)
        import importlib.machinery

        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _PatchingLoader(spec.loader, self.token)
        return spec


class _PatchingLoader:
    def __init__(self, inner: object, token: str) -> None:
        self.inner = inner
        self.token = token

    def create_module(self, spec: object) -> object:
        return self.inner.create_module(spec)

    def exec_module(self, module: object) -> None:
        self.inner.exec_module(module)
        import scriptsmanager_guard

        scriptsmanager_guard.patch_serving(module, self.token)


if os.environ.get("SCRIPTSMANAGER_INTERFACE_TOKEN"):
    sys.meta_path.insert(0, _GuardServing(os.environ["SCRIPTSMANAGER_INTERFACE_TOKEN"]))

_FLUSH_INTERVAL = 0.05
_PIPE_BUFFER = 64 * 1024


def _widen_stdout_buffer() -> None:
    """Give a buffered, non-terminal stdout a pipe-sized buffer, keeping its encoding and
    newlines (an unbuffered one, ``-u``, stays so)."""
    stdout = sys.stdout
    buffered = isinstance(getattr(stdout, "buffer", None), io.BufferedWriter)
    if not buffered or stdout is not sys.__stdout__ or stdout.isatty():
        return
    stdout.flush()
    raw = io.FileIO(stdout.fileno(), "w", closefd=False)
    wider = io.TextIOWrapper(
        io.BufferedWriter(raw, _PIPE_BUFFER),
        encoding=stdout.encoding,
        errors=stdout.errors,
        newline=None if os.name == "nt" else "\n",
    )
    sys.stdout = sys.__stdout__ = wider


try:
    _widen_stdout_buffer()
except (OSError, ValueError, AttributeError):  # an unusual stdout: keep it as it is
    pass


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
