"""Desktop-shell fixtures (see tests/desktop/harness.py): one X display per session, a
prepared home, and a running desktop shell per test."""

from __future__ import annotations

import pytest

from tests.desktop.harness import REPO, prepare_home, start_desktop, stop_desktop, x_display
from tests.support import free_port


@pytest.fixture(scope="session")
def xdisplay():
    with x_display() as display:
        yield display


@pytest.fixture
def desktop_home(tmp_path):
    """A home with the shipped groups and an admin account."""
    home = tmp_path / "home"
    prepare_home(home, tmp_path / "groups")
    return home


@pytest.fixture
def desktop(xdisplay, desktop_home):
    app = start_desktop(xdisplay, desktop_home)
    yield app
    stop_desktop(app)


@pytest.fixture
def artifacts():
    """tests/artifacts/, where screenshots are kept for a person to look at."""
    folder = REPO / "tests" / "artifacts"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def free_server_port():
    return free_port()
