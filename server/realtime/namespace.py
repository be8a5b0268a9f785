"""The ``/logs`` Socket.IO namespace: authenticated subscriptions to executions."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_login import current_user
from flask_socketio import Namespace, join_room

from server.realtime.bridge import LogBridge, user_room
from server.security.levels import allows
from server.services.audit import Actor
from server.services.errors import ServiceError
from server.services.messages import Message
from server.services.registry import Services


class LogNamespace(Namespace):
    """Clients subscribe to executions they may read; others get an ``error`` event."""

    def __init__(self, namespace: str, bridge: LogBridge, services: Services) -> None:
        super().__init__(namespace)
        self._bridge = bridge
        self._services = services

    def on_connect(self, auth: Any = None) -> bool:
        """Accept logged-in users only and put them in their user room."""
        try:
            if not current_user.is_authenticated:
                return False
            join_room(user_room(current_user.id))
            self._services.metrics.client_connected(request.sid)
            return True
        finally:
            # End the thread's database session: a transaction left open here would pin an
            # old snapshot, and a later subscribe would not see runs started since.
            self._services.db.remove()

    def on_disconnect(self, reason: Any = None) -> None:
        """Forget the client's subscriptions."""
        self._bridge.forget(request.sid)
        self._services.metrics.client_gone(request.sid)

    def on_subscribe(self, data: Any) -> None:
        """Replay an execution's output so far, then stream it."""
        self._services.db.remove()  # start from a fresh snapshot (see on_connect)
        execution_id = data.get("execution_id") if isinstance(data, dict) else None
        if not isinstance(execution_id, str) or not execution_id:
            text = self._say(Message("execution_id is required."))
            self.emit("error", {"message": text}, room=request.sid)
            return
        try:
            is_admin = allows(current_user.user_level, "admin")
            reader = Actor(current_user.id, current_user.username, request.remote_addr)
            record = self._services.logs.read(execution_id, reader, is_admin)
            status = {
                "execution_id": execution_id,
                "status": record.status,
                "exit_code": record.exit_code,
            }
            executions = self._services.executions
            self._bridge.subscribe(
                request.sid,
                execution_id,
                lambda: executions.replay(execution_id),
                record.log_path,
                status,
            )
        except ServiceError as exc:
            # Namespace.emit broadcasts unless told otherwise: errors go to the asker only.
            text = self._say(exc.text)
            self.emit("error", {"execution_id": execution_id, "message": text}, room=request.sid)
        finally:
            self._services.db.remove()

    def _say(self, message: Message) -> str:
        """Return a message in the connected user's language (English when unknown)."""
        language = getattr(current_user, "preferred_language", None) or "en"
        return self._services.i18n.message(message, language) or str(message)
