"""Scan warnings: Messages kept in the catalog's JSON columns, put in a language when shown.

A stored warning is ``{"template": ..., "values": {...}}``; rows written before warnings
were kept this way hold plain English text, which is shown as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from server.services.messages import Message, MessageCatalog

_JSON_TYPES = (str, int, float, bool, list, dict, type(None))


def stored(messages: Iterable[Message]) -> list[dict[str, Any]]:
    """Return the messages as the ``warnings`` columns keep them."""
    return [
        {
            "template": message.template,
            "values": {
                name: value if isinstance(value, _JSON_TYPES) else str(value)
                for name, value in message.values.items()
            },
        }
        for message in messages
    ]


def warning_texts(kept: Any, catalog: MessageCatalog, language: str) -> list[str]:
    """Return stored warnings in ``language`` (English where a form is missing)."""
    texts = []
    for item in kept or []:
        if isinstance(item, dict) and isinstance(item.get("template"), str):
            texts.append(catalog.render(item["template"], item.get("values") or {}, language))
        else:
            texts.append(str(item))
    return texts
