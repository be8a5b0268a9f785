"""The manager embedded in the desktop shell: served on a free loopback port by a thread."""

from __future__ import annotations

import logging
import socket
import threading
import time
import urllib.error
import urllib.request
from dataclasses import replace

from werkzeug.serving import BaseWSGIServer, make_server

from server.app import app_services, create_app, shutdown_app
from server.services.registry import Services
from server.settings import Settings

HOST = "127.0.0.1"
START_TIMEOUT = 60.0  # seconds for the first answer of /health
POLL_INTERVAL = 0.02
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxy


class ManagerStartError(RuntimeError):
    """The embedded manager did not answer in time."""


class EmbeddedManager:
    """Create the app, serve it in a background thread, stop it (and every child) cleanly."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._servers: list[BaseWSGIServer] = []
        self._stop_lock = threading.Lock()
        self.app = None
        self.url = ""

    @property
    def services(self) -> Services:
        """The running manager's services."""
        assert self.app is not None, "start() first"
        return app_services(self.app)

    def start(self) -> str:
        """Serve the manager on a random free port; return its URL once /health answers."""
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no per-request lines
        # Browser tabs of the proxy get the interfaces' own origin, as in server mode.
        with socket.create_server((HOST, 0)) as probe:
            settings = replace(self._settings, interface_port=probe.getsockname()[1])
        self.app = create_app(settings)
        # Threaded Werkzeug serves Socket.IO's WebSockets (simple-websocket) in-process.
        main = make_server(HOST, 0, self.app, threaded=True)
        proxy = make_server(HOST, settings.interface_port, self.app, threaded=True)
        self._servers = [main, proxy]
        for name, server in (("manager-http", main), ("interfaces-http", proxy)):
            threading.Thread(target=server.serve_forever, name=name, daemon=True).start()
        self.url = f"http://{HOST}:{main.server_port}/"
        wait_until_healthy(self.url, START_TIMEOUT)
        return self.url

    def stop(self) -> None:
        """Stop serving, then end every child and release their ports (once; idempotent)."""
        with self._stop_lock:
            servers, self._servers = self._servers, []
            for server in servers:
                server.shutdown()
                server.server_close()
            app, self.app = self.app, None
            shutdown_app(app)


def wait_until_healthy(url: str, timeout: float) -> None:
    """Poll ``<url>health`` until it answers 200; ManagerStartError after ``timeout``."""
    deadline = time.monotonic() + timeout
    last_error = "no answer"
    while time.monotonic() < deadline:
        try:
            with _DIRECT.open(url + "health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError) as exc:
            last_error = str(exc)
        time.sleep(POLL_INTERVAL)
    raise ManagerStartError(f"{url} did not answer within {timeout:.0f} s ({last_error})")
