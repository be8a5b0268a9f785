"""``python -m server.settings``: regenerate the README's configuration table."""

from pathlib import Path

from server.settings.reference import update_readme

update_readme(Path(__file__).resolve().parents[2] / "README.md")
