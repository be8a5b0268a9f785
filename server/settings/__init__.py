"""Every setting, declared once: defaults, then ``<home>/config.json``, then the environment.

Each field of :class:`Settings` carries its environment name, its place in
``config.json`` (the specification's "Configuration Options" layout), its unit and a
help text. The README's configuration table is generated from these declarations.
"""

from server.settings.declared import APP_NAME, LANGUAGES, Settings, SettingsError, setting
from server.settings.loading import ensure_secret_key, load_settings, resolve
from server.settings.reference import describe, effective, markdown_table, update_readme

__all__ = [
    "APP_NAME", "LANGUAGES", "Settings", "SettingsError", "describe", "effective",
    "ensure_secret_key", "load_settings", "markdown_table", "resolve", "setting", "update_readme",
]  # fmt: skip
