"""Native windows of interface sessions: one per session, opened, focused and closed.

Closed windows are kept (a few kilobytes each): the last reference to a Qt window must
not drop on another thread than the GUI's, or Qt deletes its OpenGL context there and
aborts the process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import webview

WIDTH, HEIGHT = 1100, 800


class InterfaceWindows:
    """Keep one window per interface session; tell the owner when a person closes one."""

    def __init__(self, on_closed_by_user: Callable[[str], None]) -> None:
        self._on_closed_by_user = on_closed_by_user
        self._windows: dict[str, webview.Window] = {}
        self._retired: list[webview.Window] = []
        self._lock = threading.Lock()

    def open(self, session_id: str, title: str, url: str) -> None:
        """Show the session's window: a new one, or the open one brought to the front."""
        with self._lock:
            window = self._windows.get(session_id)
            if window is None:
                window = webview.create_window(
                    title, url, width=WIDTH, height=HEIGHT, text_select=True
                )
                uid = window.uid  # the handler must not hold the window itself
                window.events.closed += lambda: self._closed(session_id, uid)
                self._windows[session_id] = window
                return
        window.restore()
        window.show()

    def is_open(self, session_id: str) -> bool:
        """Return True while the session has a window."""
        with self._lock:
            return session_id in self._windows

    def close(self, session_id: str) -> None:
        """Close the session's window because the session ended elsewhere (no callback)."""
        with self._lock:
            window = self._windows.pop(session_id, None)
            if window is not None:
                self._retired.append(window)
        if window is not None:
            window.destroy()

    def each(self) -> list[webview.Window]:
        """Return the open windows."""
        with self._lock:
            return list(self._windows.values())

    def close_all(self) -> None:
        """Close every interface window (no callbacks: the manager stops the runs itself)."""
        with self._lock:
            windows, self._windows = list(self._windows.values()), {}
            self._retired += windows
        for window in windows:
            window.destroy()

    def _closed(self, session_id: str, uid: str) -> None:
        with self._lock:
            window = self._windows.get(session_id)
            if window is None or window.uid != uid:
                return  # closed by close() or close_all(), not by a person
            self._retired.append(self._windows.pop(session_id))
        self._on_closed_by_user(session_id)
