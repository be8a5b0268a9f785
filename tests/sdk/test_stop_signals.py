"""The SDK's clean stop: SIGTERM everywhere, SIGBREAK too where it exists (Windows, where
the manager's Stop sends CTRL_BREAK). A stand-in ``signal`` module names the Windows
signals here; the handlers registered are the SDK's own."""

from __future__ import annotations

import importlib.util
import signal
import sys
from pathlib import Path

import pytest

SDK_DIR = Path(__file__).resolve().parents[2] / "server" / "sdk"
SIGINT, SIGTERM, SIGBREAK = 2, 15, 21


class SignalModule:
    """The parts of ``signal`` the SDK uses, with Windows' SIGBREAK unless ``posix``."""

    def __init__(self, posix: bool = False) -> None:
        self.SIGINT, self.SIGTERM = SIGINT, SIGTERM
        if not posix:
            self.SIGBREAK = SIGBREAK
        self.handlers: dict[int, object] = {}

    def signal(self, signum, handler):
        previous = self.handlers.get(signum, signal.SIG_DFL)
        self.handlers[signum] = handler
        return previous


@pytest.fixture
def sdk(monkeypatch):
    """The SDK module (and its guard), loaded from their files."""
    for name in ("scriptsmanager_guard", "scriptsmanager_sdk"):
        spec = importlib.util.spec_from_file_location(name, SDK_DIR / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        monkeypatch.setitem(sys.modules, name, module)
        spec.loader.exec_module(module)
    return module


def test_on_windows_sigbreak_raises_terminated_like_sigterm(sdk):
    signals = SignalModule()
    sdk.raise_on_sigterm(signals)
    assert set(signals.handlers) == {SIGTERM, SIGBREAK}
    for signum in (SIGTERM, SIGBREAK):
        with pytest.raises(sdk.Terminated):
            signals.handlers[signum](signum, None)


def test_on_posix_only_sigterm_is_taken(sdk):
    signals = SignalModule(posix=True)
    sdk.raise_on_sigterm(signals)
    assert set(signals.handlers) == {SIGTERM}


def test_an_interface_stops_on_ctrl_c_sigterm_and_sigbreak(sdk):
    assert sdk._stop_signals(SignalModule(), interactive=True) == [SIGINT, SIGTERM, SIGBREAK]
    assert sdk._stop_signals(SignalModule(posix=True), interactive=True) == [SIGINT, SIGTERM]


def test_this_platform_gets_its_own_signals(sdk):
    expected = [signal.SIGTERM]
    if hasattr(signal, "SIGBREAK"):
        expected.append(signal.SIGBREAK)
    assert sdk._stop_signals() == expected
