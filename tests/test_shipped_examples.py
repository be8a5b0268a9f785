"""The shipped script groups parse cleanly, are documented in four languages, and run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from server.services.catalog.fields import SCRIPT_FILE_FIELDS, TagRules, clean_fields_leniently
from server.services.catalog.header import read_header
from server.services.presets.examples import example_warnings, read_examples
from server.services.presets.service import stale_fields
from server.settings import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent / "script_groups"
SDK = ROOT.parent / "server" / "sdk"  # the manager puts it first on every child's PYTHONPATH
SCRIPTS = sorted(p for p in ROOT.glob("*/*.py") if not p.name.startswith("_"))


def test_there_are_at_least_three_groups_with_all_languages():
    groups = [p for p in ROOT.iterdir() if (p / "metadata.json").is_file()]
    assert len(groups) >= 3
    for group in groups:
        meta = json.loads((group / "metadata.json").read_text("utf-8"))
        assert set(meta["name"]) == set(LANGUAGES) == set(meta["description"])


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_headers_parse_without_warnings_and_docs_exist(script):
    header = read_header(script)
    values, problems = clean_fields_leniently(header.values, TagRules(), SCRIPT_FILE_FIELDS)
    assert header.found and header.warnings == [] and problems == []
    assert set(values["description"]) == set(LANGUAGES)
    for language in LANGUAGES:
        suffix = "" if language == "en" else f"_{language}"
        assert (script.parent / "docs" / f"{script.stem}{suffix}.md").is_file()


def test_a_batch_example_runs_with_the_standard_arguments(tmp_path):
    script = ROOT / "data_tools" / "unit_converter.py"
    standard = [
        "--data-dir", str(tmp_path), "--user-level", "operator", "--port", "5299",
        "--project-id", "1", "--project-name", "project_default", "--theme", "light",
        "--language", "en",
    ]  # fmt: skip
    params = ["--value", "10", "--quantity", "pressure", "--from_unit", "bar", "--to_unit", "psi"]
    env = {**os.environ, "PYTHONPATH": str(SDK)}
    env.pop("SCRIPTSMANAGER_PARAMETERS", None)  # the parameters come from the command line
    result = subprocess.run(
        [sys.executable, str(script), *standard, *params],
        cwd=script.parent, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "145.03" in result.stdout


def test_shipped_example_presets_fit_their_scripts():
    folders = sorted({path.parent.parent for path in ROOT.glob("*/examples/*.json")})
    assert folders
    for folder in folders:
        assert example_warnings(folder) == []
        for example in read_examples(folder)[0]:
            header = read_header(folder / example.script)
            values, _ = clean_fields_leniently(header.values, TagRules(), SCRIPT_FILE_FIELDS)
            assert stale_fields(values["parameters"], example.parameters) == [], example.stem
            assert set(example.name) == set(example.description) == set(LANGUAGES)
