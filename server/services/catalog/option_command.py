"""Run an ``options_from`` command: no shell, a minimal environment, a time and size limit.

The command runs in its own process group (session on POSIX, job object on Windows), as
a script does, so a timeout ends its whole tree. Its standard output is the options: one
per non-empty line, or a JSON list of texts and numbers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from server.resources import RUN_SCRIPT_VARIABLE, is_frozen
from server.services.catalog.environments import MANAGER, PythonEnvironment
from server.services.catalog.parameters import value_text
from server.services.errors import ServiceError
from server.services.execution import process as processes

OUTPUT_LIMIT = 256 * 1024  # bytes of standard output read at most
MAX_OPTIONS = 1000
ERROR_TAIL = 8 * 1024  # bytes of standard error kept for the message
DETAIL_LENGTH = 300  # characters of the last error line in the message
STOP_GRACE = 1.0  # seconds between SIGTERM and SIGKILL for a command that overstays
READER_JOIN = 5.0
CHUNK = 64 * 1024
PASSTHROUGH = ("PATH", "SYSTEMROOT", "LANG", "LANGUAGE", "TZ")


class OptionsUnavailable(ServiceError):
    """A command could not list a parameter's options (422)."""

    status = 422
    code = "options_unavailable"


@dataclass(frozen=True)
class Command:
    """One command to run for a parameter's options."""

    field: str  # the parameter whose options these are (named in the messages)
    argv: list[str]
    cwd: Path
    env: dict[str, str]
    timeout: int
    memory_limit_mb: int = 0


def command_environment(
    python: PythonEnvironment, extra: Mapping[str, str], parent: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Return a command's environment: PATH, the locale, the environment's own variables,
    UTF-8 output and ``extra`` (no secret of the manager or of a parameter)."""
    parent = os.environ if parent is None else parent
    child = {k: v for k, v in parent.items() if k in PASSTHROUGH or k.startswith("LC_")}
    if python.kind == "conda":
        prefix = Path(python.path)
        folders = [prefix / "bin"] if sys.platform != "win32" else [prefix, prefix / "Scripts"]
        child["PATH"] = os.pathsep.join([*map(str, folders), child.get("PATH", "")])
        child["CONDA_PREFIX"] = str(prefix)
    elif python.kind == "venv":
        child["VIRTUAL_ENV"] = python.path
    if is_frozen() and python.kind == MANAGER:  # the packaged app runs the helper itself
        child[RUN_SCRIPT_VARIABLE] = "1"
    child.update({"PYTHONIOENCODING": "utf-8", "PYTHONDONTWRITEBYTECODE": "1", **extra})
    return child


def run_command(command: Command) -> list[str]:
    """Run the command and return its options; raise OptionsUnavailable saying why not."""
    try:
        child = processes.start(command.argv, command.env, command.cwd, command.memory_limit_mb)
    except OSError as exc:
        raise OptionsUnavailable(
            "The options of {field} could not be listed: the command could not be started "
            "({error}).",
            field=command.field, error=str(exc),
        ) from exc  # fmt: skip
    try:
        output, overflow, timed_out, errors = _collect(child, command.timeout)
    finally:
        processes.release(child)
    if timed_out:
        raise OptionsUnavailable(
            "The options of {field} could not be listed: the command did not answer within "
            "{seconds} s.",
            field=command.field, seconds=command.timeout,
        )  # fmt: skip
    if overflow:
        raise OptionsUnavailable(
            "The options of {field} could not be listed: the command printed more than "
            "{limit} KiB.",
            field=command.field, limit=OUTPUT_LIMIT // 1024,
        )  # fmt: skip
    if child.returncode != 0:
        raise _exit_failure(command.field, child.returncode, errors)
    return _checked_options(command.field, parse_options(output))


def _exit_failure(field: str, status: int | None, errors: bytes) -> OptionsUnavailable:
    detail = last_line(errors)
    if detail:
        return OptionsUnavailable(
            "The options of {field} could not be listed: the command exited with status "
            "{status}: {detail}",
            field=field, status=status, detail=detail,
        )  # fmt: skip
    return OptionsUnavailable(
        "The options of {field} could not be listed: the command exited with status {status}.",
        field=field, status=status,
    )  # fmt: skip


def _checked_options(field: str, options: list[str]) -> list[str]:
    if not options:
        raise OptionsUnavailable(
            "The options of {field} could not be listed: the command printed no options.",
            field=field,
        )
    if len(options) > MAX_OPTIONS:
        raise OptionsUnavailable(
            "The options of {field} could not be listed: the command printed more than "
            "{limit} options.",
            field=field, limit=MAX_OPTIONS,
        )  # fmt: skip
    return options


def _collect(child: subprocess.Popen, timeout: int) -> tuple[bytes, bool, bool, bytes]:
    """Read the child's output until it ends, overflows or overstays (then end its tree);
    return (stdout, overflowed, timed out, the tail of stderr)."""
    out, err = _Reader(child.stdout, OUTPUT_LIMIT, tail=False), _Reader(child.stderr, ERROR_TAIL)
    deadline = time.monotonic() + timeout
    ended = out.done.wait(timeout) and not out.overflow
    ended = ended and _waited(child, max(0.0, deadline - time.monotonic()))
    if not ended:
        processes.terminate_tree(child.pid, STOP_GRACE, lambda grace: _waited(child, grace))
        _waited(child, READER_JOIN)
    out.join()
    err.join()
    timed_out = not ended and not out.overflow
    return out.data(), out.overflow, timed_out, err.data()


def _waited(child: subprocess.Popen, seconds: float) -> bool:
    try:
        child.wait(seconds)
    except subprocess.TimeoutExpired:
        return False
    return True


class _Reader:
    """Read a pipe in a thread: the first ``limit`` bytes (then stop: ``overflow``), or with
    ``tail``, the last ``limit`` bytes until the end."""

    def __init__(self, pipe: IO[bytes] | None, limit: int, tail: bool = True) -> None:
        self._pipe, self._limit, self._tail = pipe, limit, tail
        self._chunks: list[bytes] = []
        self._size = 0
        self.overflow = False
        self.done = threading.Event()
        self._thread = threading.Thread(target=self._read, name="options-reader", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            while self._pipe is not None and (chunk := self._pipe.read1(CHUNK)):
                self._chunks.append(chunk)
                self._size += len(chunk)
                if self._size > self._limit and not self._tail:
                    self.overflow = True
                    return
                if self._tail and self._size > 2 * self._limit:
                    kept = b"".join(self._chunks)[-self._limit :]
                    self._chunks, self._size = [kept], len(kept)
        except (OSError, ValueError):  # the pipe was closed under us: keep what was read
            pass
        finally:
            self.done.set()

    def join(self) -> None:
        """Wait for the thread, then close the pipe."""
        self._thread.join(READER_JOIN)
        if self._pipe is not None:
            self._pipe.close()

    def data(self) -> bytes:
        """Return what was read (the tail of it with ``tail``)."""
        data = b"".join(self._chunks)
        return data[-self._limit :] if self._tail else data[: self._limit]


def parse_options(output: bytes) -> list[str]:
    """Return the options in a command's output: a JSON list of texts and numbers, or one
    per non-empty line; stripped, each once, in order."""
    text = output.decode("utf-8", "replace").lstrip("\ufeff").strip()
    items: list[Any] = text.splitlines()
    if text.startswith("["):
        try:
            loaded = json.loads(text)
        except ValueError:
            loaded = None
        if isinstance(loaded, list) and all(_is_option(item) for item in loaded):
            items = [value_text(item) for item in loaded]
    options: dict[str, None] = {}  # ordered, each once
    for item in items:
        option = str(item).strip()
        if option and "\x00" not in option:
            options.setdefault(option, None)
    return list(options)


def _is_option(item: Any) -> bool:
    return isinstance(item, str | int | float) and not isinstance(item, bool)


def last_line(errors: bytes) -> str:
    """Return the last non-empty line of a command's error output, shortened."""
    lines = [line.strip() for line in errors.decode("utf-8", "replace").splitlines()]
    found = next((line for line in reversed(lines) if line), "")
    return found if len(found) <= DETAIL_LENGTH else found[: DETAIL_LENGTH - 1] + "…"
