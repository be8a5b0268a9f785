"""Catalog messages (scripts, parameters, metadata, presets, environments, scan warnings)
answered in the asker's language: the catalog's form with the values put in, English
otherwise."""

from __future__ import annotations

import html
import json
import stat

import pytest

from server.app import create_app, shutdown_app
from server.services.catalog.fields import MAX_TIMEOUT
from server.services.registry import services
from tests.api.test_catalog import rescan
from tests.api.translated import error_message, form, speaking

LANGUAGES = ["es", "it", "fr", "en"]
COUNT = '@parameters: [{"name": "count", "type": "int", "max": 5}]\n@colour: blue\n'


@pytest.fixture
def app(settings, tmp_path, monkeypatch):
    """The app with a conda that answers ``--version`` but cannot list its environments."""
    conda = tmp_path / "conda"
    conda.write_text(
        '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "conda 24.9.2"; exit 0; fi\n'
        "echo boom >&2; exit 2\n"
    )
    conda.chmod(conda.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("CONDA_EXE", str(conda))
    application = create_app(settings)
    yield application
    shutdown_app(application)


@pytest.fixture
def lab(app, groups) -> int:
    """A group whose files give warnings; return the id of its script ``count.py``."""
    folder = groups.group("lab", execution_timeout="soon")
    (folder / "examples").mkdir()
    examples = {
        "ghost": {"script": "ghost.py", "name": "Ghost", "parameters": {}},
        "small": {"script": "count.py", "name": "Small", "parameters": {"count": 1}},
    }
    for stem, example in examples.items():
        (folder / "examples" / f"{stem}.json").write_text(json.dumps(example), encoding="utf-8")
    groups.script("lab", "count.py", COUNT)
    rescan(app)
    with app.app_context():
        script = services().catalog.visible_scripts("admin")[0][0]
        services().db.remove()
        return script.id


@pytest.mark.parametrize("language", LANGUAGES)
def test_run_refusals_follow_the_users_language(language, login, make_user, lab):
    client = speaking(login, make_user, language)
    execute = f"/api/scripts/{lab}/execute"

    word = client.post(execute, {"parameters": {"count": "many"}})
    template = "{field}: must be a whole number."
    assert error_message(word, 400) == form(template, language, field="count")

    big = client.post(execute, {"parameters": {"count": 9}})
    template = "{field}: must be at most {high}."
    assert error_message(big, 400) == form(template, language, field="count", high=5)

    stray = client.post(execute, {"parameters": {"colour": "red"}})
    template = "{field}: not a parameter of this script."
    assert error_message(stray, 400) == form(template, language, field="colour")

    missing = client.get("/api/script-groups/987654/scripts")
    template = "Script group {group_id} does not exist."
    assert error_message(missing, 404) == form(template, language, group_id=987654)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_preset_refusals_follow_the_users_language(language, login, make_user, lab):
    client = speaking(login, make_user, language)
    presets = f"/api/scripts/{lab}/presets"
    assert client.post(presets, {"name": "Daily", "parameters": {"count": 2}}).status_code == 201

    again = client.post(presets, {"name": "Daily", "parameters": {}})
    template = "name: you already have a preset called {name!r}."
    assert error_message(again, 409) == form(template, language, name="Daily")

    unknown = client.put(f"{presets}/987654", {"name": "Other"})
    template = "Preset {preset_id} does not exist."
    assert error_message(unknown, 404) == form(template, language, preset_id="987654")

    example = client.delete(f"{presets}/example:small")
    template = "Examples cannot be changed or deleted; save a copy instead."
    assert error_message(example, 409) == form(template, language)


@pytest.mark.parametrize("language", ["it", "en"])
def test_metadata_and_environment_refusals_follow_the_users_language(
    language, login, make_user, lab
):
    client = speaking(login, make_user, language, level="developer")
    metadata = f"/api/scripts/{lab}/metadata"

    unknown = client.put(metadata, {"colour": "blue"})
    template = "{field}: not an editable field."
    assert error_message(unknown, 400) == form(template, language, field="colour")

    timeout = client.put(metadata, {"execution_timeout": 0})
    template = "{field}: whole seconds between 1 and {limit}."
    expected = form(template, language, field="execution_timeout", limit=MAX_TIMEOUT)
    assert error_message(timeout, 400) == expected

    twice = client.put(metadata, {"parameters": [{"name": "a"}, {"name": "a"}]})
    template = "parameter #{number}: duplicate name {name!r}; it was ignored"
    assert error_message(twice, 400) == form(template, language, number=2, name="a")

    gid = client.get("/api/script-groups").get_json()["items"][0]["id"]
    ghost = client.post(f"/api/script-groups/{gid}/conda", {"environment": "ghost"})
    template = "The conda environment {name!r} is not known; refresh the list."
    assert error_message(ghost, 404) == form(template, language, name="ghost")


@pytest.mark.parametrize("language", LANGUAGES)
def test_scan_warnings_are_shown_in_the_developers_language(language, login, make_user, lab):
    client = speaking(login, make_user, language, level="admin")
    script_warning = form("unknown key @{key} was ignored", language, key="colour")
    group_warnings = [
        form("{field}: whole seconds between 1 and {limit}.", language,
             field="execution_timeout", limit=MAX_TIMEOUT),
        form("{file}: no script {script} here", language,
             file="examples/ghost.json", script="ghost.py"),
    ]  # fmt: skip

    group = client.get("/api/script-groups").get_json()["items"][0]
    assert group["warnings"] == group_warnings
    scripts = client.get(f"/api/script-groups/{group['id']}/scripts").get_json()["items"]
    assert scripts[0]["warnings"] == [script_warning]

    listed = client.get("/api/admin/discovery").get_json()["items"]
    assert {item["kind"]: item["warnings"] for item in listed} == {
        "group": group_warnings,
        "script": [script_warning],
    }
    page = client.get(f"/scripts/{lab}")
    assert page.status_code == 200
    assert html.escape(script_warning) in page.get_data(as_text=True)


@pytest.mark.parametrize("language", ["es", "fr", "en"])
def test_the_conda_state_is_told_in_the_users_language(language, login, make_user, lab):
    client = speaking(login, make_user, language, level="admin")
    expected = form("conda env list failed: {error}", language, error="boom")

    refreshed = client.post("/api/conda/refresh")
    assert refreshed.status_code == 200 and refreshed.get_json()["message"] == expected
    assert client.get("/api/conda/environments").get_json()["message"] == expected
    assert client.get("/api/admin/environments").get_json()["message"] == expected
