"""Serve the manager: gunicorn's threaded worker (one process, WebSockets) where available."""

from __future__ import annotations

import logging
import signal
import socket
import sys
import threading
from dataclasses import replace
from typing import Any

from flask import Flask
from werkzeug.serving import make_server

from server.app import app_services, create_app, first_run_token, shutdown_app
from server.security.hosts import WILDCARDS, trusted_names
from server.services.first_run import setup_link
from server.settings import Settings

logger = logging.getLogger(__name__)

THREADS = 64
GRACEFUL_TIMEOUT = 10


def serve(settings: Settings, host: str, port: int) -> int:
    """Serve until SIGINT/SIGTERM, then stop every child; return the exit status."""
    settings = replace(
        settings,
        trusted_hosts=",".join(trusted_names(settings.trusted_hosts, host)),
        interface_port=settings.interface_port or free_port(host),
    )
    if sys.platform == "win32":
        return _serve_threaded_werkzeug(settings, host, port)
    return _ManagerServer(settings, host, port).run() or 0


def free_port(host: str) -> int:
    """Return a port free on ``host`` right now (for the interfaces' origin)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def address(host: str, port: int) -> str:
    """Return ``host:port`` as gunicorn binds it (IPv6 in brackets)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def announce(host: str, port: int, app: Flask | None) -> None:
    """Print the URL once the manager listens (read by scripts and service managers), and
    the first-run link while no admin exists."""
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{'127.0.0.1' if host in WILDCARDS else shown}:{port}/"
    print(f"ScriptsManager listening on http://{shown}:{port}/", flush=True)
    if app is not None:
        interfaces = app_services(app).settings.interface_port
        print(f"Script interfaces are served on port {interfaces} (their own origin)", flush=True)
    token = first_run_token(app) if app is not None else None
    if token:
        print(f"No admin yet: create the first one at {setup_link(url, token)}", flush=True)


def _serve_threaded_werkzeug(settings: Settings, host: str, port: int) -> int:
    # gunicorn does not run on Windows; Werkzeug's threaded server serves WebSockets there.
    app = create_app(settings)
    if hasattr(signal, "SIGBREAK"):  # CTRL_BREAK (a service's stop) ends it as Ctrl+C does
        signal.signal(signal.SIGBREAK, signal.default_int_handler)
    interfaces = make_server(host, settings.interface_port, app, threaded=True)
    threading.Thread(target=interfaces.serve_forever, name="interfaces", daemon=True).start()
    announce(host, port, app)
    try:
        app.extensions["socketio"].run(
            app, host=host, port=port, allow_unsafe_werkzeug=True, log_output=False
        )
    finally:
        interfaces.shutdown()
        shutdown_app(app)
    return 0


try:
    from gunicorn.app.base import BaseApplication
except ImportError:  # pragma: no cover - Windows
    BaseApplication = object  # type: ignore[assignment,misc]


class _ManagerServer(BaseApplication):  # type: ignore[misc,valid-type]
    """gunicorn with exactly one worker process (the owner of all children) and threads."""

    def __init__(self, settings: Settings, host: str, port: int) -> None:
        self._settings = settings
        self._host = host
        self._port = port
        super().__init__()

    def load_config(self) -> None:
        host, port = self._host, self._port
        options: dict[str, Any] = {
            "bind": [address(host, port), address(host, self._settings.interface_port)],
            "workers": 1,
            "worker_class": "gthread",
            "threads": THREADS,
            "graceful_timeout": GRACEFUL_TIMEOUT,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            "proc_name": "scriptsmanager",
            "post_worker_init": lambda worker: announce(host, port, getattr(worker, "wsgi", None)),
            "worker_exit": lambda server, worker: shutdown_app(getattr(worker, "wsgi", None)),
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return create_app(self._settings)
