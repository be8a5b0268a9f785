"""Script interfaces: status, reopen, heartbeat, close, and the lists of open ones."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user
from pydantic import Field

from server.api.common import Body, accepts, actor
from server.api.query import FlagArg, reads
from server.models import ScriptProcess
from server.security.access import require_level
from server.security.levels import allows
from server.services.errors import NotFound
from server.services.registry import services

bp = Blueprint("interfaces_api", __name__, url_prefix="/api")
MINE = FlagArg("mine", "1: only the caller's own (admins see everyone's otherwise).")


class SessionRef(Body):
    """An interface session."""

    session_id: str = Field(min_length=1, max_length=100)


class Ping(SessionRef):
    """A heartbeat; ``lease``: a desktop client's window, closed when its renewals stop."""

    lease: bool = False


def is_admin() -> bool:
    """Return True for admins."""
    return allows(current_user.user_level, "admin")


def session_json(record: ScriptProcess, script_name: str | None = None) -> dict[str, object]:
    """Shape an interface session."""
    return {
        "script_name": script_name,
        "session_id": record.tab_session_id,
        "execution_id": record.execution_uuid,
        "script_id": record.script_id,
        "project_id": record.project_id,
        "user_id": record.user_id,
        "port": record.flask_port,
        "status": record.status,
        "url": f"/interfaces/{record.tab_session_id}/",
        "started_at": record.started_at.isoformat() + "Z" if record.started_at else None,
        "last_ping": record.last_ping.isoformat() + "Z" if record.last_ping else None,
    }


def _session(script_id: int, session_id: str) -> ScriptProcess:
    record = services().interfaces.get(session_id, current_user.id, is_admin())
    if record.script_id != script_id:
        raise NotFound("This interface session is not one of this script.")
    return record


@bp.get("/scripts/<int:script_id>/interface-status")
@require_level("viewer")
def interface_status(script_id: int):
    """List the caller's interface sessions of a script (recent ones, closed included)."""
    svc = services()
    svc.catalog.script_for(script_id, current_user.user_level)
    sessions = svc.interfaces.list(current_user.id, script_id, only_open=False)[:20]
    return jsonify({"items": [session_json(s) for s in sessions]})


@bp.post("/scripts/<int:script_id>/open-interface")
@require_level("operator")
def open_interface(script_id: int):
    """Return the caller's live interface of a script to open it again (409 when none)."""
    svc = services()
    svc.catalog.script_for(script_id, current_user.user_level)
    return jsonify({"session": session_json(svc.interfaces.reopen(script_id, current_user.id))})


@bp.post("/scripts/<int:script_id>/ping-interface")
@require_level("viewer")
@accepts(Ping)
def ping_interface(script_id: int, body: Ping):
    """Keep an interface alive (sent by its tab every HEARTBEAT_INTERVAL seconds; a desktop
    client's window renews a one-minute lease instead)."""
    record = _session(script_id, body.session_id)
    services().interfaces.ping(record, lease=body.lease)
    return jsonify({"session": session_json(record)})


@bp.post("/scripts/<int:script_id>/close-interface")
@require_level("viewer")
@accepts(SessionRef)
def close_interface(script_id: int, body: SessionRef):
    """Close an interface: its process tree ends and its port is freed."""
    record = _session(script_id, body.session_id)
    services().interfaces.close(record, actor())
    return jsonify({"session": session_json(record)})


@bp.post("/interfaces/<session_id>/beacon")
@require_level("viewer")
def beacon(session_id: str):
    """Note that a tab went away (sendBeacon); the session closes unless pinged again."""
    record = services().interfaces.get(session_id, current_user.id, is_admin())
    services().interfaces.close_soon(record)
    return "", 204


@bp.get("/active-interfaces")
@require_level("viewer")
@reads(MINE)
def active_interfaces():
    """List open interfaces: the caller's own, everyone's for admins."""
    user = None if is_admin() and not MINE.read() else current_user.id
    interfaces = services().interfaces
    sessions = interfaces.list(user)
    names = interfaces.script_names(sessions)
    items = [session_json(s, names.get(s.execution_uuid or "")) for s in sessions]
    return jsonify({"items": items})


@bp.get("/admin/ports")
@require_level("admin")
def port_usage():
    """List the interface ports in use and the configured range."""
    svc = services()
    items = [
        {
            "port": a.port_number,
            "status": a.status,
            "script_id": a.script_id,
            "user_id": a.user_id,
            "process_id": a.process_id,
            "allocated_at": a.allocated_at.isoformat() + "Z",
        }
        for a in svc.ports.in_use()
    ]
    settings = svc.settings
    return jsonify(
        {
            "items": items,
            "range": {"start": settings.port_range_start, "end": settings.port_range_end},
        }
    )
