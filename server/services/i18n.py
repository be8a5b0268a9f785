"""Translations: one JSON file per language, English as the fallback."""

from __future__ import annotations

import json
from pathlib import Path

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

    def pick(self, requested: str | None) -> str:
        """Return a supported language code for a requested one."""
        return requested if requested in self._catalogs else self.default_language
