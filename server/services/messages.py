"""Server messages: English templates in the code, translated when they reach a user.

A message is written once, in English, as a constant template with named values
(``"Script {script_id} was not found."``); ``translations/messages/*.json`` map each
template to its Spanish, Italian and French forms. The values are put in after
translation, so every language words the sentence its own way.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path

logger = logging.getLogger(__name__)


def fill(template: str, values: Mapping[str, object]) -> str:
    """Return the template with its values (unchanged when it takes none)."""
    return template.format(**values) if values else template


class Message:
    """A user-facing sentence not yet put in a language; ``str()`` gives the English."""

    __slots__ = ("template", "values")

    def __init__(self, template: str, **values: object) -> None:
        self.template = template
        self.values = values

    def __str__(self) -> str:
        return fill(self.template, self.values)

    def __repr__(self) -> str:
        return f"Message({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.template, self.values) == (
            other.template,
            other.values,
        )

    def __hash__(self) -> int:
        return hash(self.template)


class MessageCatalog:
    """The translations of every server message, read from ``translations/messages/``."""

    def __init__(self, folder: Path) -> None:
        self._forms: dict[str, dict[str, str]] = {}
        for path in sorted(folder.glob("*.json")):
            self._forms.update(json.loads(path.read_text(encoding="utf-8")))

    def templates(self) -> dict[str, dict[str, str]]:
        """Return every translated template with its forms by language."""
        return dict(self._forms)

    def render(self, template: str, values: Mapping[str, object], language: str) -> str:
        """Return the message in ``language``; English when it has no translation there."""
        form = template if language == "en" else self._forms.get(template, {}).get(language)
        if form is not None:
            try:
                return fill(form, values)
            except (KeyError, IndexError, ValueError):
                logger.warning("the %s form of %r does not fit its values", language, template)
        return fill(template, values)

    def text(self, message: Message | str | None, language: str) -> str | None:
        """Return a Message (or plain text, kept as it is) in ``language``."""
        if isinstance(message, Message):
            return self.render(message.template, message.values, language)
        return message
