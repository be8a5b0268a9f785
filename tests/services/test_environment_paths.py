"""Where a group's environment keeps its interpreter, on Windows and POSIX layouts."""

from __future__ import annotations

from pathlib import Path

from server.services.catalog.environments import python_in


def make(root: Path, *files: str) -> Path:
    """Create ``files`` (relative paths) under ``root``; return ``root``."""
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
    return root


def test_a_windows_venv_keeps_python_in_scripts(tmp_path):
    venv = make(tmp_path / "venv", "pyvenv.cfg", "Scripts/python.exe", "Scripts/pip.exe")
    assert python_in(venv, windows=True) == venv / "Scripts" / "python.exe"


def test_a_windows_venv_without_its_config_is_still_found_by_its_scripts_folder(tmp_path):
    venv = make(tmp_path / "old-venv", "Scripts/python.exe")
    assert python_in(venv, windows=True) == venv / "Scripts" / "python.exe"


def test_a_windows_conda_prefix_keeps_python_at_its_root(tmp_path):
    conda = make(tmp_path / "envs" / "analysis", "python.exe", "Scripts/pip.exe", "conda-meta/h")
    assert python_in(conda, windows=True) == conda / "python.exe"


def test_a_windows_prefix_with_both_is_taken_for_a_conda_one(tmp_path):
    both = make(tmp_path / "base", "python.exe", "Scripts/python.exe")
    assert python_in(both, windows=True) == both / "python.exe"


def test_a_missing_windows_folder_names_the_conda_layout(tmp_path):
    assert python_in(tmp_path / "gone", windows=True) == tmp_path / "gone" / "python.exe"


def test_posix_venvs_and_conda_prefixes_keep_python_in_bin(tmp_path):
    venv = make(tmp_path / "venv", "pyvenv.cfg", "bin/python")
    conda = make(tmp_path / "conda", "bin/python", "conda-meta/h")
    assert python_in(venv, windows=False) == venv / "bin" / "python"
    assert python_in(conda, windows=False) == conda / "bin" / "python"
