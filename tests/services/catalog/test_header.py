"""The metadata header parser: every key, multi-line JSON, and broken input."""

from __future__ import annotations

from server.services.catalog.header import parse_header_text, read_header

FULL = '''"""
ScriptsManager Metadata:
@description: Creates a complete system backup
@description_long: docs/backup_system.md
@description_es: Crea una copia de seguridad
@description_long_es: docs/backup_system_es.md
@description_it: Crea un backup
@description_fr: Crée une sauvegarde
@description_long_fr: docs/backup_system_fr.md
@display_name: System backup
@display_name_it: Backup del sistema
@required_level: admin
@category: backup
@tags: system, maintenance,storage
@parameters: [
  {
    "name": "destination",
    "type": "path",
    "required": true
  },
  {"name": "compression", "type": "select", "options": ["none", "gzip"], "default": "gzip"}
]
@execution_timeout: 3600
@flask_port: 5200
@auto_open_interface: false
@requires_parameters: yes
"""
import sys
'''


def test_every_key_of_the_specification_is_read():
    header = parse_header_text(FULL)
    assert header.found and header.warnings == []
    values = header.values
    assert values["description"] == {
        "en": "Creates a complete system backup",
        "es": "Crea una copia de seguridad",
        "it": "Crea un backup",
        "fr": "Crée une sauvegarde",
    }
    assert values["description_long"] == {
        "en": "docs/backup_system.md",
        "es": "docs/backup_system_es.md",
        "fr": "docs/backup_system_fr.md",
    }
    assert values["display_name"] == {"en": "System backup", "it": "Backup del sistema"}
    assert values["required_level"] == "admin"
    assert values["category"] == "backup"
    assert values["tags"] == ["system", "maintenance", "storage"]
    assert [p["name"] for p in values["parameters"]] == ["destination", "compression"]
    assert values["execution_timeout"] == 3600
    assert values["flask_port"] == 5200
    assert values["auto_open_interface"] is False
    assert values["requires_parameters"] is True


def test_no_header_means_nothing_declared():
    header = parse_header_text('"""Just a docstring."""\nprint(1)\n')
    assert not header.found and header.values == {} and header.warnings == []


def test_single_quoted_docstrings_work():
    header = parse_header_text("'''\nScriptsManager Metadata:\n@category: tools\n'''\n")
    assert header.values == {"category": "tools"}


def test_broken_values_become_warnings_and_the_rest_is_kept():
    header = parse_header_text(
        '"""\nScriptsManager Metadata:\n'
        "@description: Still here\n"
        "@required_level: superuser\n"
        '@parameters: [{"name": "x", "type": "int",}]\n'
        "@execution_timeout: soon\n"
        "@auto_open_interface: maybe\n"
        "@colour: blue\n"
        '"""\n'
    )
    assert header.values == {"description": {"en": "Still here"}}
    text = " | ".join(map(str, header.warnings))  # the English of each warning
    for expected in ("superuser", "@parameters is not valid JSON", "soon", "maybe", "@colour"):
        assert expected in text


def test_a_file_that_is_not_utf8_gives_a_warning(tmp_path):
    path = tmp_path / "latin.py"
    path.write_bytes(b'"""\nScriptsManager Metadata:\n@description: caf\xe9\n"""\n')
    header = read_header(path)
    assert header.values == {} and "not UTF-8" in str(header.warnings[0])


def test_a_missing_file_gives_a_warning(tmp_path):
    assert "cannot read" in str(read_header(tmp_path / "gone.py").warnings[0])
