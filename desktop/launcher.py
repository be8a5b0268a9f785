"""The ``scriptsmanager`` entry point: pick desktop, client or server mode."""

from __future__ import annotations

import sys

from server.cli import build_parser, run_command, run_server


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen mode."""
    args = build_parser().parse_args(argv)
    if args.command:
        return run_command(args)
    if args.connect:
        print(
            "scriptsmanager: the desktop window is not available in this version; "
            f"open {args.connect} in a browser.",
            file=sys.stderr,
        )
        return 2
    if not args.server:
        print("No desktop window in this version: running as a server.", flush=True)
    return run_server(args)


if __name__ == "__main__":
    sys.exit(main())
