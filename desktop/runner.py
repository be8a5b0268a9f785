"""Script-runner mode of the packaged app: its executable stands in for ``python``.

A bundle has no separate interpreter, so for groups without an environment the manager
starts ``<app> <script> <arguments>`` with ``SCRIPTSMANAGER_RUN_SCRIPT=1``.
"""

from __future__ import annotations

import importlib
import os
import runpy
import sys
from pathlib import Path


def run_script(argv: list[str]) -> int:
    """Run ``argv[0]`` as ``__main__`` with the rest as its arguments, as ``python`` would."""
    if not argv:
        print("scriptsmanager: script-runner mode needs a script path", file=sys.stderr)
        return 2
    script = Path(argv[0]).resolve()
    # The bundle's loader ignores PYTHONPATH; the SDK and the flush helper live there.
    extra = [entry for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep) if entry]
    sys.path[:0] = [str(script.parent), *extra]
    sys.argv = [str(script), *argv[1:]]
    try:
        importlib.import_module("sitecustomize")
    except ImportError:
        pass
    runpy.run_path(str(script), run_name="__main__")
    return 0
