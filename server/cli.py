"""The ``scriptsmanager`` command line: arguments and the server-side commands."""

from __future__ import annotations

import argparse
import getpass
import sys

from server import __version__
from server.services.audit import Actor
from server.services.errors import ServiceError
from server.services.registry import Services, build_services
from server.settings import Settings, SettingsError, load_settings

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
    return parser


def run_command(args: argparse.Namespace) -> int:
    """Run ``init-db``, ``create-admin``, ``backup`` or ``restore``; return the exit status."""
    try:
        settings = load_settings()
        if args.command == "init-db":
            return _init_db(settings)
        if args.command in ("backup", "restore"):
            return _backup_command(settings, args)
        return _create_admin(settings, args)
    except (SettingsError, ServiceError) as exc:
        print(f"scriptsmanager: {exc}", file=sys.stderr)
        return 1


def run_server(args: argparse.Namespace) -> int:
    """Serve the manager headless until stopped."""
    from server.serving import serve

    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"scriptsmanager: {exc}", file=sys.stderr)
        return 1
    return serve(settings, args.host, args.port)


def _prepared_services(settings: Settings) -> Services:
    services = build_services(settings)
    services.layout.ensure()
    services.db.migrate()
    return services


def _init_db(settings: Settings) -> int:
    services = _prepared_services(settings)
    try:
        token = services.first_run.pending_token()
    finally:
        services.shutdown()
    print(f"Database ready: {settings.database_url}")
    print(f"Data folder: {settings.base_data_path}")
    if token:
        print(
            "No admin yet: run 'scriptsmanager create-admin', or open "
            f"/setup?token={token} on the started server (token in {services.first_run.path})."
        )
    return 0


def _backup_command(settings: Settings, args: argparse.Namespace) -> int:
    from server import backup_cli

    services = _prepared_services(settings)
    try:
        if args.command == "backup":
            return backup_cli.backup(services, args.list)
        return backup_cli.restore(services, args.backup_id, args.yes)
    finally:
        services.shutdown()


def _create_admin(settings: Settings, args: argparse.Namespace) -> int:
    password = args.password or getpass.getpass("Password for the new admin: ")
    email = args.email or f"{args.username}@localhost"
    services = _prepared_services(settings)
    try:
        user = services.users.create(args.username, email, password, "admin", Actor.system())
        services.first_run.pending_token()  # an admin exists: the setup token is void
    finally:
        services.shutdown()
    print(f"Admin {user.username!r} created.")
    return 0
