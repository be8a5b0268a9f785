"""Is there a display a window can open on? Asked before any GUI module is imported.

Qt aborts the whole process when it cannot open its display, so the check opens an X
connection itself (through libxcb, with a time limit) and closes it again.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
import threading
from pathlib import Path

CONNECT_TIMEOUT = 2.0  # seconds; a display that does not answer by then is unusable


def display_problem() -> str | None:
    """Return why no window can be shown here, or None when a display is usable."""
    if sys.platform in ("win32", "darwin"):
        return None
    wayland = os.environ.get("WAYLAND_DISPLAY")
    if wayland and _wayland_socket(wayland).exists():
        return None
    display = os.environ.get("DISPLAY")
    if not display:
        return "no display is available (DISPLAY is not set)"
    if not _x_display_opens(display):
        return f"the display {display} cannot be opened"
    return None


def _wayland_socket(name: str) -> Path:
    runtime = Path(os.environ.get("XDG_RUNTIME_DIR", f"/run/user/{os.getuid()}"))
    return Path(name) if os.path.isabs(name) else runtime / name


def _x_display_opens(display: str) -> bool:
    library = ctypes.util.find_library("xcb")
    if library is None:
        return False  # without libxcb, Qt's X11 platform cannot start either
    xcb = ctypes.CDLL(library)
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    result: list[bool] = []

    def connect() -> None:
        connection = xcb.xcb_connect(display.encode(), None)
        result.append(bool(connection) and xcb.xcb_connection_has_error(connection) == 0)
        if connection:
            xcb.xcb_disconnect(connection)

    worker = threading.Thread(target=connect, name="display-check", daemon=True)
    worker.start()
    worker.join(CONNECT_TIMEOUT)
    return bool(result and result[0])


def packages_problem() -> str | None:
    """Return why the desktop packages cannot be used, or None when they are installed."""
    import importlib.util

    if not all(importlib.util.find_spec(name) for name in ("webview", "qtpy", "PySide6")):
        return "the desktop packages are not installed (pip install 'scriptsmanager[desktop]')"
    return None
