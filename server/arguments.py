"""The ``scriptsmanager`` command line's arguments.

Kept apart from the commands so that the desktop shell reads its arguments and shows its
window before the manager's modules are imported.
"""

from __future__ import annotations

import argparse

from server import __version__

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of every mode and command."""
    parser = argparse.ArgumentParser(
        prog="scriptsmanager",
        description="Discover, document and run engineering Python scripts.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--server", action="store_true", help="run the headless manager")
    mode.add_argument("--connect", metavar="URL", help="open the desktop window on a server")
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help="server address (default: %(default)s)"
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="server port (default: %(default)s)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("init-db", help="create or migrate the database and the folder tree")
    admin = commands.add_parser("create-admin", help="create an administrator account")
    admin.add_argument("--username", required=True)
    admin.add_argument("--password", help="omit to be asked without echo")
    admin.add_argument("--email", help="default: <username>@localhost")
    backup = commands.add_parser("backup", help="take a system backup of the data tree now")
    backup.add_argument("--list", action="store_true", help="list the system backups instead")
    restore = commands.add_parser(
        "restore", help="restore a system backup (the manager must be stopped)"
    )
    restore.add_argument("backup_id", metavar="ID", help="as listed by 'backup --list'")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    worker = commands.add_parser(
        "worker", help="run scripts sent by a manager with EXECUTION_BACKEND=celery"
    )
    worker.add_argument("--name", help="this worker's name (default: the host name)")
    worker.add_argument(
        "--queues", default="", help="comma-separated queues to serve (default: scriptsmanager)"
    )
    worker.add_argument(
        "--concurrency", type=int, default=4, help="runs at once (default: %(default)s)"
    )
    return parser
