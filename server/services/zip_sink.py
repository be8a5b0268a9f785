"""A write-only, unseekable stream for zipfile, so a zip can be sent while it is made."""

from __future__ import annotations


class ZipSink:
    """zipfile sees it cannot seek and writes each member's sizes after its data; what it
    wrote so far is taken away in one piece, so only the latest chunk is ever held."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: the parts wait for ``take``."""

    def take(self) -> bytes:
        """Return the bytes written since the last call."""
        data = b"".join(self._parts)
        self._parts.clear()
        return data
