"""Short answers of the proxy itself (not the script's), in the user's language."""

from __future__ import annotations

from flask import Response
from flask_login import current_user

from server.services.messages import Message
from server.services.registry import services


def proxy_answer(message: Message, status: int) -> Response:
    """Return a plain answer saying ``message`` in the signed-in user's language."""
    language = current_user.preferred_language if current_user.is_authenticated else "en"
    text = services().i18n.message(message, services().i18n.pick(language))
    return Response(text, status=status)
