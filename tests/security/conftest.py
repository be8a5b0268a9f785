"""Black-box security suite: real ``scriptsmanager --server`` processes, real clients.

Fixtures (all opt-in, except the collector):

- ``shared_manager`` (session): a real server on a fresh home with the suite's script
  groups (``tests/security/groups``, plus the symbolic links of
  :func:`~tests.security.harness.add_link_groups`), the admin ``admin`` made by
  ``create-admin`` and the users of ``ACCOUNTS`` made through ``POST /api/admin/users``.
- ``manager`` (module): the shared manager; a module that sets ``MANAGER_OPTIONS =
  {"admin": False, "env": {...}, "prepare": fn(groups, root)}`` gets a private one.
- ``browser`` (session): headless Debian Chromium, shared with tests/browser (tests/conftest.py).
- ``bad``: a :class:`~tests.security.figures.BadInputs` tally; call
  ``bad.check(refused, detail)`` per bad input, then ``bad.assert_none()``.
- ``figures`` (session): the collector itself, for modules that count by hand.

The collector (hooks, always on) files each test under its module's ``SECURITY_CLASS``,
counts bad inputs tried and accepted, every 5xx answer seen by a
:class:`~tests.security.clients.Client` (a 5xx fails the test that got it) and the
(route, role) cells requested; the table is printed at the end of the session.

The helpers live beside this file: ``harness`` (managers, users, groups), ``clients``
(HTTP and Socket.IO), ``chromium`` (the browser), ``operations`` (the OpenAPI document's
operations) and ``figures`` (the collector and its table).
"""

from __future__ import annotations

import pytest

from tests.security.figures import FIGURES, BadInputs, Figures
from tests.security.harness import add_link_groups, running_manager


def pytest_runtest_setup(item: pytest.Item) -> None:
    """File the test under its module's SECURITY_CLASS (else a name made from the module)."""
    module = getattr(item, "module", None)
    name = getattr(module, "SECURITY_CLASS", None)
    if name is None and module is not None:
        name = module.__name__.rsplit(".", 1)[-1].removeprefix("test_").replace("_", " ")
    FIGURES.begin(item.nodeid, name or "other")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    """Fail a test that passed although a 5xx answer was seen while it ran."""
    outcome = yield
    report = outcome.get_result()
    errors = FIGURES.errors.get(item.nodeid)
    if call.when == "call" and errors and report.passed:
        report.outcome = "failed"
        report.longrepr = "server errors (5xx) seen:\n" + "\n".join(errors[:20])


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Print the figures table: per class, tests, bad inputs, accepted, 5xx, cells."""
    FIGURES.write_table(terminalreporter)


@pytest.fixture(scope="session")
def figures() -> Figures:
    """Return the collector."""
    return FIGURES


@pytest.fixture
def bad() -> BadInputs:
    """Return a fresh tally of bad inputs."""
    return BadInputs()


@pytest.fixture(scope="session")
def shared_manager(tmp_path_factory):
    """One manager for every module that needs nothing special."""
    with running_manager(tmp_path_factory.mktemp("shared"), prepare=add_link_groups) as running:
        yield running


@pytest.fixture(scope="module")
def manager(request, tmp_path_factory):
    """The shared manager, or a private one for a module that sets MANAGER_OPTIONS."""
    options = getattr(request.module, "MANAGER_OPTIONS", None)
    if options is None:
        yield request.getfixturevalue("shared_manager")
        return
    root = tmp_path_factory.mktemp("security")
    admin, env, prepare = options.get("admin", True), options.get("env"), options.get("prepare")
    with running_manager(root, admin, env, prepare) as running:
        yield running
