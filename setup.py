"""Build hook: ship the top-level assets/, translations/ and script_groups/ inside the package.

The source tree keeps them at the top level (the project's layout); an installed copy finds
them in ``server/_shipped/`` (see server/resources.py). Everything else is in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = ("assets", "translations", "script_groups")


class BuildWithShippedFiles(build_py):
    """Copy the shipped folders next to the built ``server`` package."""

    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "server" / "_shipped"
        for name in SHIPPED:
            shutil.copytree(
                name,
                target / name,
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )


setup(cmdclass={"build_py": BuildWithShippedFiles})
