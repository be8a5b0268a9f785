"""The ``scriptsmanager`` entry point: pick desktop, client or server mode."""

from __future__ import annotations

import os
import sys

from desktop.display import display_problem, packages_problem
from server.arguments import build_parser
from server.resources import RUN_SCRIPT_VARIABLE, is_frozen


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen mode."""
    argv = sys.argv[1:] if argv is None else argv
    if is_frozen() and os.environ.get(RUN_SCRIPT_VARIABLE) == "1":
        from desktop.runner import run_script

        return run_script(argv)
    args = build_parser().parse_args(argv)
    if args.command or args.server:
        from server.cli import run_command, run_server  # the manager's modules: not for windows

        return run_command(args) if args.command else run_server(args)
    # The GUI toolkit aborts the process without a display: check before importing it.
    problem = packages_problem() or display_problem()
    if problem and args.connect:
        print(f"scriptsmanager: cannot open a window: {problem}.", file=sys.stderr)
        return 1
    if problem:
        from server.cli import run_server

        print(f"ScriptsManager: {problem}; running as a server.", flush=True)
        return run_server(args)
    from desktop.shell import run_connect, run_local

    return run_connect(args.connect) if args.connect else run_local()


if __name__ == "__main__":
    sys.exit(main())
