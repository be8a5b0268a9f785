"""Debian's headless Chromium for the browser tests (never a browser a tool downloads)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-sync",
    "--disable-component-update",
    "--no-first-run",
]
# Playwright's defaults (30 s for actions, 5 s for expect) are short on a busy machine.
TIMEOUT_MS = 60_000


@contextmanager
def patient_chromium() -> Iterator:
    """Launch Chromium; every context it makes (pop-ups included) waits up to TIMEOUT_MS."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; install Debian's chromium package")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        new_context = chromium.new_context

        def patient_context(**options):
            context = new_context(**options)
            context.set_default_timeout(TIMEOUT_MS)
            context.set_default_navigation_timeout(TIMEOUT_MS)
            return context

        chromium.new_context = patient_context
        try:
            yield chromium
        finally:
            chromium.close()
