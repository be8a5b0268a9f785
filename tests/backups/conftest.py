"""Backup fixtures: a manager (the ``app`` of tests/conftest.py) with a filled data tree."""

from __future__ import annotations

import pytest

from tests.backups.trees import fill

# Written by the manager itself around any restore (its logs, its audit trail, its database).
MANAGER_WRITES = ("logs/system/", "logs/audit/", "scriptsmanager.db")


@pytest.fixture
def data(services):
    fill(services.layout.data)
    return services.layout.data
