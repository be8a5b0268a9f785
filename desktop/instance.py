"""One desktop shell per OS user: a lock file, and a channel that asks the running one
to come to the front."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client, Listener
from pathlib import Path

from filelock import FileLock, Timeout

logger = logging.getLogger(__name__)

FOCUS = "focus"


class SingleInstance:
    """Hold ``<folder>/<name>.lock``; the holder answers focus requests from later launches."""

    def __init__(self, folder: Path, name: str = "desktop") -> None:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._lock = FileLock(folder / f"{name}.lock", mode=0o600)
        self._contact = folder / f"{name}.json"
        self._listener: Listener | None = None
        self._closing = threading.Event()

    def acquire(self) -> bool:
        """Take the lock; False when another shell of this user holds it."""
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            return False
        return True

    def answer_focus_requests(self, on_focus: Callable[[], None]) -> None:
        """Listen on loopback for later launches (authenticated by a key in a 0600 file)."""
        key = secrets.token_bytes(32)
        self._listener = Listener(("127.0.0.1", 0), authkey=key)
        host, port = self._listener.address
        descriptor = os.open(self._contact, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as contact:
            json.dump({"pid": os.getpid(), "host": host, "port": port, "key": key.hex()}, contact)
        threading.Thread(target=self._serve, args=(on_focus,), name="focus", daemon=True).start()

    def ask_running_to_focus(self) -> bool:
        """Ask the shell holding the lock to show its window; False when it cannot be told."""
        try:
            contact = json.loads(self._contact.read_text())
            address, key = (contact["host"], contact["port"]), bytes.fromhex(contact["key"])
            with Client(address, authkey=key) as connection:
                connection.send(FOCUS)
                return connection.recv() == "ok"
        except (OSError, EOFError, ValueError, KeyError, AuthenticationError):
            return False

    def release(self) -> None:
        """Stop listening and give the lock up."""
        if self._listener is not None:
            self._closing.set()
            address = self._listener.address
            self._listener.close()
            with contextlib.suppress(OSError):  # wake the thread waiting in accept()
                socket.create_connection(address, timeout=1).close()
            self._contact.unlink(missing_ok=True)
        if self._lock.is_locked:
            self._lock.release()

    def _serve(self, on_focus: Callable[[], None]) -> None:
        assert self._listener is not None
        while not self._closing.is_set():
            try:
                with self._listener.accept() as connection:
                    if connection.recv() == FOCUS:
                        on_focus()
                        connection.send("ok")
            except Exception:  # a bad caller (wrong key, early hang-up) must not end it
                if not self._closing.is_set():
                    logger.warning("a focus request was refused")
