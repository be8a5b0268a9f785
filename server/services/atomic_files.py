"""Files replaced whole: written beside their place, synced, then moved in at once."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def replace_file(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write ``path`` through ``write``; a reader sees the old file or the new one, never a
    part, and a failure leaves no temporary file behind."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def replace_text(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 (line ends as given) in place of ``path``."""
    replace_file(path, lambda handle: handle.write(text.encode("utf-8")))
