"""The settings as documentation: rows for the README's configuration table."""

from __future__ import annotations

import re
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any

from server.settings.declared import Settings
from server.settings.loading import sources

URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)\S+@")


def describe() -> list[dict[str, str]]:
    """Return one row per setting: env name, config.json path, default, unit, help."""
    rows = []
    for item in fields(Settings):
        meta = item.metadata
        default = item.default if item.default is not MISSING else ""
        rows.append(
            {
                "env": meta["env"],
                "json_path": meta["json_path"] or "",
                "default": "" if default is None else str(default),
                "unit": meta["unit"],
                "help": meta["help"],
            }
        )
    return rows


def effective(settings: Settings, text: str | None = None) -> list[dict[str, Any]]:
    """Return every setting's value, source and help; secrets give no hint of their value.

    ``text`` keeps the settings whose name, variable or config.json key contains it.
    """
    found = sources(settings)
    rows = []
    for item in fields(Settings):
        meta = item.metadata
        names = (item.name, meta["env"], meta["json_path"] or "")
        if text and not any(text.lower() in name.lower() for name in names):
            continue
        default = item.default if item.default is not MISSING else None
        rows.append(
            {
                "name": item.name,
                "env": meta["env"],
                "json_path": meta["json_path"],
                "value": None if meta["secret"] else _plain(getattr(settings, item.name)),
                "default": None if meta["secret"] else _plain(default),
                "secret": meta["secret"],
                "unit": meta["unit"],
                "help": meta["help"],
                "source": found[item.name],
            }
        )
    return rows


def _plain(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, str):  # a password inside a URL (DATABASE_URL) is a secret too
        return URL_PASSWORD.sub(r"\1hidden@", value)
    return value


def markdown_table() -> str:
    """Return the README's configuration table."""
    lines = ["| variable | config.json key | default | meaning |", "|---|---|---|---|"]
    for row in describe():
        default = f"{row['default']} {row['unit']}".strip() if row["default"] else "see meaning"
        key = f"`{row['json_path']}`" if row["json_path"] else "—"
        meaning = row["help"].replace("<", "&lt;")
        lines.append(f"| `{row['env']}` | {key} | {default} | {meaning} |")
    return "\n".join(lines)


def update_readme(path: Path) -> None:
    """Replace the configuration table between the README's settings markers."""
    text = path.read_text(encoding="utf-8")
    head, rest = text.split("<!-- settings:start -->", 1)
    _old, tail = rest.split("<!-- settings:end -->", 1)
    table = f"<!-- settings:start -->\n{markdown_table()}\n<!-- settings:end -->"
    path.write_text(head + table + tail, encoding="utf-8")
