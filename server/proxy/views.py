"""The interface pages: the wrapper with its heartbeat, and the proxy to the script."""

from __future__ import annotations

import logging

import requests
from flask import (
    Blueprint,
    Response,
    make_response,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from server.extensions import csrf
from server.proxy.answers import proxy_answer
from server.proxy.forwarding import downstream_headers, upstream_headers
from server.proxy.origin import hostname_of, interface_origin
from server.proxy.websocket import is_websocket, relay_websocket
from server.security.access import require_level
from server.security.headers import content_security_policy
from server.security.levels import allows
from server.services.messages import Message
from server.services.registry import services

logger = logging.getLogger(__name__)

bp = Blueprint("interfaces", __name__, url_prefix="/interfaces/<session_id>")
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
CHUNK = 64 * 1024
BUFFERED_BODY = 8 * 1024 * 1024
TIMEOUT = (5, 300)  # connect, read (seconds)
_http = requests.Session()
_http.trust_env = False  # loopback only: never through an environment proxy


@bp.get("/")
@require_level("viewer")
def wrapper(session_id: str):
    """Show a script interface inside the branded frame that keeps it alive."""
    svc = services()
    session = svc.interfaces.get(session_id, current_user.id, _is_admin())
    run = svc.logs.get(session.execution_uuid or "", current_user.id, _is_admin())
    project = svc.projects.get(current_user.id, session.project_id or 0, _is_admin())
    origin = _interface_origin()
    page = render_template(
        "interfaces/wrapper.html",
        session=session,
        run=run,
        project_name=project.project_name,
        heartbeat=svc.settings.heartbeat_interval,
        frame_url=(origin or "") + url_for("interfaces.proxy", session_id=session_id, path=""),
    )
    response = make_response(page)
    response.headers["Content-Security-Policy"] = content_security_policy(origin)
    return response


@bp.route("/app/", defaults={"path": ""}, methods=METHODS)
@bp.route("/app/<path:path>", methods=METHODS)
@bp.route("/app/", defaults={"path": ""}, websocket=True, endpoint="proxy_websocket")
@bp.route("/app/<path:path>", websocket=True, endpoint="proxy_websocket")
@require_level("viewer")
@csrf.exempt
def proxy(session_id: str, path: str):
    """Forward a request (or a WebSocket) to the session's script, and its answer back."""
    host, port, token = services().interfaces.target(session_id, current_user.id, _is_admin())
    prefix = f"/interfaces/{session_id}/app"
    headers = upstream_headers(
        request.headers.items(), port, token, prefix,
        request.remote_addr or "", request.scheme, request.host,
    )  # fmt: skip
    target = f"http://{host}:{port}/{path}"
    if is_websocket(request.environ):
        return relay_websocket(request.environ, target, headers)
    length = request.content_length
    body = request.get_data() if length is None or length <= BUFFERED_BODY else request.stream
    try:
        upstream = _http.request(
            request.method, target, params=request.query_string.decode("latin-1") or None,
            data=body, headers=headers, stream=True, allow_redirects=False, timeout=TIMEOUT,
        )  # fmt: skip
    except requests.RequestException as exc:
        logger.warning("proxy to port %s failed: %s", port, exc)
        return proxy_answer(Message("The script's interface is not answering."), 502)
    headers = downstream_headers(upstream.raw.headers.items(), port, prefix)
    # Framed by the manager's wrapper page only (a second policy: the script's own stays).
    ancestors = (
        f"{request.scheme}://{hostname_of(request.host)}:*" if _interface_origin() else "'self'"
    )
    headers.add("Content-Security-Policy", f"frame-ancestors {ancestors}")
    response = Response(
        stream_with_context(upstream.raw.stream(CHUNK, decode_content=False)),
        status=upstream.status_code,
        headers=headers,
        direct_passthrough=True,
    )
    response.call_on_close(upstream.close)
    response.proxied = True  # keep the script's own security headers
    return response


def _interface_origin() -> str | None:
    """Return the interfaces' own origin (None when this server has no interface port)."""
    port = services().settings.interface_port
    return interface_origin(request.scheme, request.host, port) if port else None


def _is_admin() -> bool:
    return allows(current_user.user_level, "admin")
