"""Settings: defaults, then config.json, then the environment; the secret key file."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest

from server.settings import SettingsError, describe, ensure_secret_key, load_settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_defaults_follow_the_home(tmp_path):
    settings = load_settings(environ={"SCRIPTSMANAGER_HOME": str(tmp_path)})
    assert settings.home == tmp_path.resolve()
    assert settings.base_data_path == tmp_path.resolve() / "data"
    assert settings.backup_path == tmp_path.resolve() / "backup"
    assert settings.database_url == f"sqlite:///{tmp_path.resolve()}/data/scriptsmanager.db"
    assert settings.script_groups_path.name == "script_groups"
    assert (settings.port_range_start, settings.port_range_end) == (5200, 5400)
    assert (settings.session_timeout, settings.heartbeat_interval) == (1800, 30)


def test_config_file_overrides_defaults_and_environment_overrides_both(tmp_path):
    (tmp_path / "config.json").write_text(
        json.dumps(
            {
                "web_interface": {
                    "port_range": {"start": 6000, "end": 6100},
                    "session_timeout": 60,
                },
                "multi_user": {"max_projects_per_user": 7},
                "documentation": {"default_language": "it"},
            }
        )
    )
    environ = {"SCRIPTSMANAGER_HOME": str(tmp_path), "PORT_RANGE_END": "6050"}
    settings = load_settings(environ=environ)
    assert settings.port_range_start == 6000
    assert settings.port_range_end == 6050
    assert settings.session_timeout == 60
    assert settings.max_projects_per_user == 7
    assert settings.default_language == "it"


@pytest.mark.parametrize(
    "environ",
    [
        {"PORT_RANGE_START": "abc"},
        {"PORT_RANGE_START": "6000", "PORT_RANGE_END": "5000"},
        {"DEFAULT_LANGUAGE": "de"},
        {"SHARED_INSTALL": "maybe"},
        {"SESSION_TIMEOUT": "0"},
        {"BACKUP_SCHEDULE_TIME": "25:00"},
        {"BACKUP_SCHEDULE_TIME": "2am"},
        {"BACKUP_RETENTION_DAYS": "0"},
        {"BACKUP_MAX_FILES": "-1"},
    ],
)
def test_bad_values_are_reported(tmp_path, environ):
    with pytest.raises(SettingsError):
        load_settings(environ={"SCRIPTSMANAGER_HOME": str(tmp_path), **environ})


def test_broken_config_file_is_reported(tmp_path):
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(SettingsError, match="config.json"):
        load_settings(environ={"SCRIPTSMANAGER_HOME": str(tmp_path)})


def test_secret_key_is_generated_once_with_mode_0600(tmp_path):
    settings = load_settings(environ={"SCRIPTSMANAGER_HOME": str(tmp_path)})
    first = ensure_secret_key(settings).secret_key
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert ensure_secret_key(settings).secret_key == first
    assert len(first) >= 64


def test_readme_configuration_table_matches_the_declarations():
    text = README.read_text("utf-8")
    table = text.split("<!-- settings:start -->")[1].split("<!-- settings:end -->")[0]
    documented = re.findall(r"^\| `(\w+)` \|", table, re.M)
    assert documented == [row["env"] for row in describe()]
