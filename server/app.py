"""The application factory: a short, ordered list of ``init_*`` steps."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from flask import Flask, g, request
from flask_socketio import SocketIO

from server import __version__
from server.api.json_input import StrictJSONProvider, refuse_unnamed_parts
from server.extensions import csrf, login_manager
from server.proxy.origin import InterfaceOriginSplit
from server.realtime.bridge import NAMESPACE, LogBridge
from server.realtime.namespace import LogNamespace
from server.realtime.text_packets import TextPacket
from server.security.access import enforce_access
from server.security.bearer import token_loader
from server.security.headers import add_security_headers
from server.security.hosts import HostCheck, trusted_names
from server.security.session_cookie import ManagerSessionInterface
from server.services.registry import EXTENSION_KEY, Services, build_services
from server.settings import Settings, ensure_secret_key, load_settings
from server.system_logs import access_log, configure_logging

logger = logging.getLogger(__name__)
BRIDGE_KEY = "scriptsmanager.live_logs"
# Answered even while a restore swaps the data tree: they read no data.
GATE_EXEMPT = {"health_api.health", "system_api.backup_status"}


def create_app(settings: Settings | None = None) -> Flask:
    """Build a manager app; nothing is created or started at import time."""
    settings = ensure_secret_key(settings or load_settings())
    app = Flask(__name__, static_folder=None, template_folder="web/templates")
    app.json = StrictJSONProvider(app)
    init_config(app, settings)
    services = init_services(app, settings)
    init_extensions(app, services)
    init_request_hooks(app, services)
    init_realtime(app, services)
    init_routes(app)
    init_interface_origin(app, settings)
    init_host_check(app, settings)
    logger.info("ScriptsManager %s ready (home %s)", __version__, settings.home)
    return app


def app_services(app: Flask) -> Services:
    """Return the services of an app made by ``create_app`` (for embedding shells)."""
    return app.extensions[EXTENSION_KEY]


def first_run_token(app: Flask) -> str | None:
    """Return the one-time setup token while no admin exists (for the console or window)."""
    services = app_services(app)
    with services.db.job():
        return services.first_run.pending_token()


def shutdown_app(app: Flask | None) -> None:
    """Stop what an app started: children, background jobs, database connections."""
    if app is None or EXTENSION_KEY not in app.extensions:
        return
    app.extensions[EXTENSION_KEY].shutdown()
    if BRIDGE_KEY in app.extensions:
        app.extensions[BRIDGE_KEY].stop()
    access_log.flush()
    logger.info("ScriptsManager stopped")


def init_config(app: Flask, settings: Settings) -> None:
    """Apply Flask's own settings derived from ours."""
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_NAME="scriptsmanager_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=settings.auth_session_lifetime),
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=settings.session_cookie_secure,
        MAX_CONTENT_LENGTH=settings.max_upload_size * 1024 * 1024,
    )
    app.json.sort_keys = False
    app.session_interface = ManagerSessionInterface()  # keep declared order (parameters, schemas)


def init_services(app: Flask, settings: Settings) -> Services:
    """Create the folder tree, logs, database schema and every service."""
    services = build_services(settings)
    services.layout.ensure()
    configure_logging(services.layout.system_logs, settings.log_level)
    services.db.migrate()
    services.start()
    with services.db.job():
        services.first_run.pending_token()  # written at first start, while no admin exists
    app.extensions[EXTENSION_KEY] = services
    return services


def init_extensions(app: Flask, services: Services) -> None:
    """Bind CSRF protection, the login manager and Socket.IO."""
    app.before_request(refuse_unnamed_parts)  # first: the CSRF check reads every part
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = None  # sessions are revocable server-side records
    login_manager.user_loader(services.auth.load)
    login_manager.request_loader(token_loader(services.token_auth))  # Bearer, API paths only


def init_realtime(app: Flask, services: Services) -> None:
    """Serve live logs: a Socket.IO server, the /logs namespace and the batching bridge."""
    # stored in app.extensions["socketio"]
    socketio = SocketIO(app, async_mode="threading", serializer=TextPacket)
    bridge = LogBridge(socketio)
    services.events.subscribe(bridge)
    socketio.on_namespace(LogNamespace(NAMESPACE, bridge, services))
    socketio.start_background_task(bridge.run)
    app.extensions[BRIDGE_KEY] = bridge


def init_request_hooks(app: Flask, services: Services) -> None:
    """Enforce access rules, end database sessions, add headers and log access."""

    @app.before_request
    def start_request() -> None:
        g.started = time.perf_counter()
        if request.endpoint not in GATE_EXEMPT and request.blueprint != "assets":
            services.gate.enter()  # 503 while a restore swaps the data tree
            g.inside_gate = True
        enforce_access()

    @app.teardown_request
    def end_request(_error: BaseException | None) -> None:
        services.db.remove()
        if g.pop("inside_gate", False):
            services.gate.leave()

    @app.after_request
    def finish_request(response):
        add_security_headers(response)
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        path = request.full_path.rstrip("?")
        access_log.record(request.remote_addr, request.method, path, response.status_code,
                          elapsed)  # fmt: skip
        route = request.url_rule.rule if request.url_rule else "(no route)"
        services.metrics.observe_request(route, request.method, response.status_code,
                                         elapsed / 1000)  # fmt: skip
        return response


def init_interface_origin(app: Flask, settings: Settings) -> None:
    """Serve proxied script pages on the interface port only (their own origin), when the
    server listens on one (``serve`` and the desktop pick it; a bare app has none)."""
    if settings.interface_port:
        app.wsgi_app = InterfaceOriginSplit(app.wsgi_app, settings.interface_port)  # type: ignore[method-assign]


def init_host_check(app: Flask, settings: Settings) -> None:
    """Refuse untrusted Host headers in front of everything, Socket.IO and the proxy included."""
    trusted = trusted_names(settings.trusted_hosts)
    app.config["TRUSTED_HOSTS"] = trusted
    app.wsgi_app = HostCheck(app.wsgi_app, trusted)  # type: ignore[method-assign]


def init_routes(app: Flask) -> None:
    """Register the JSON API, the HTML pages, the assets and the error handlers."""
    from server.api import register_api
    from server.web import register_web

    register_api(app)
    register_web(app)
