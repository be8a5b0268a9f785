"""Translations: one JSON file per language, English as the fallback."""

from __future__ import annotations

import json
from pathlib import Path

from babel import Locale
from babel.numbers import format_decimal

from server.services.messages import Message, MessageCatalog
from server.settings import LANGUAGES

LANGUAGE_NAMES = {"en": "English", "es": "Español", "it": "Italiano", "fr": "Français"}


class Translations:
    """Look up user-facing strings by key in the user's language."""

    def __init__(self, folder: Path, default_language: str = "en") -> None:
        self.default_language = default_language
        self._catalogs = {
            language: json.loads((folder / f"{language}.json").read_text(encoding="utf-8"))
            for language in LANGUAGES
        }
        self.messages = MessageCatalog(folder / "messages")

    def languages(self) -> list[dict[str, str]]:
        """Return the supported languages with their own names."""
        return [{"code": code, "name": LANGUAGE_NAMES[code]} for code in LANGUAGES]

    def catalog(self, language: str) -> dict[str, str]:
        """Return every string of a language, English filling any gap."""
        merged = dict(self._catalogs["en"])
        merged.update(self._catalogs.get(language, {}))
        return merged

    def translate(self, key: str, language: str, **values: object) -> str:
        """Return the string for a key, falling back to English and then to the key."""
        text = self._catalogs.get(language, {}).get(key) or self._catalogs["en"].get(key, key)
        return text.format(**values) if values else text

    def translate_plural(self, key: str, count: int, language: str, **values: object) -> str:
        """Return the plural form of ``key`` for ``count`` (CLDR rules of the language).

        Keys are ``<key>.<category>`` (``one``, ``many``, ``other`` ...); a category the
        catalog lacks falls back to ``<key>.other``. ``{count}`` is the number formatted
        for the language (``1,000,000`` in English, ``1 000 000`` in French)."""
        locale = Locale.parse(language)
        category = locale.plural_form(count)
        text_key = f"{key}.{category}"
        if not (
            self._catalogs.get(language, {}).get(text_key) or self._catalogs["en"].get(text_key)
        ):
            text_key = f"{key}.other"
        shown = format_decimal(count, locale=locale)
        return self.translate(text_key, language, **{**values, "count": shown})

    def message(self, message: Message | str | None, language: str) -> str | None:
        """Return a server message in ``language`` (plain text is kept as it is)."""
        return self.messages.text(message, language)

    def pick(self, requested: str | None) -> str:
        """Return a supported language code for a requested one."""
        return requested if requested in self._catalogs else self.default_language
