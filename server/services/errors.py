"""Domain errors raised by services and mapped to HTTP answers by the API layer.

The message is a constant English template with named values, translated when it is
answered (see server/services/messages.py):
``raise NotFound("Script {script_id} was not found.", script_id=script_id)``;
``{field}`` in a template is the ``field`` the error names.
"""

from __future__ import annotations

from server.services.messages import Message


class ServiceError(Exception):
    """Base of every expected failure; ``code`` is a stable machine-readable name."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, **values: object) -> None:
        named = {"field": field} if field else {}  # a template may say {field}
        self.text = Message(message, **named, **values)
        self.message = str(self.text)  # the English, for logs and the command line
        self.field = field
        super().__init__(self.message)


class InvalidInput(ServiceError):
    """A value breaks a rule (400)."""

    status = 400
    code = "invalid_input"


class NotAuthenticated(ServiceError):
    """Credentials are missing or wrong (401)."""

    status = 401
    code = "not_authenticated"


class Forbidden(ServiceError):
    """The caller's role or ownership does not allow this (403)."""

    status = 403
    code = "forbidden"


class NotFound(ServiceError):
    """The resource does not exist, or is not the caller's to see (404)."""

    status = 404
    code = "not_found"


class Conflict(ServiceError):
    """The request clashes with the current state (409)."""

    status = 409
    code = "conflict"


class Throttled(ServiceError):
    """Too many attempts; ``retry_after`` seconds until the next is accepted (429)."""

    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, retry_after: int, **values: object) -> None:
        super().__init__(message, **values)
        self.retry_after = retry_after


class Unavailable(ServiceError):
    """The database is busy beyond its wait; ``retry_after`` seconds (503)."""

    status = 503
    code = "database_busy"

    def __init__(self, message: str, retry_after: int, **values: object) -> None:
        super().__init__(message, **values)
        self.retry_after = retry_after


class StorageFull(ServiceError):
    """The disk holding the data is full; nothing was changed (507)."""

    status = 507
    code = "insufficient_storage"


class QuotaExceeded(ServiceError):
    """The user's storage quota is used up; nothing was stored (507)."""

    status = 507
    code = "quota_exceeded"
