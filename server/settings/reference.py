"""The settings as documentation: rows for the README's configuration table."""

from __future__ import annotations

from dataclasses import MISSING, fields
from pathlib import Path

from server.settings.declared import Settings


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
