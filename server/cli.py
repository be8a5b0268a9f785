"""The ``scriptsmanager`` server-side commands and server mode (arguments: server.arguments)."""

from __future__ import annotations

import argparse
import getpass
import sys

from server.services.audit import Actor
from server.services.errors import ServiceError
from server.services.registry import Services, build_services
from server.settings import Settings, SettingsError, load_settings


def run_command(args: argparse.Namespace) -> int:
    """Run ``init-db``, ``create-admin``, ``backup``, ``restore`` or ``worker``; return the
    exit status."""
    try:
        settings = load_settings()
        if args.command == "init-db":
            return _init_db(settings)
        if args.command in ("backup", "restore"):
            return _backup_command(settings, args)
        if args.command == "worker":
            return _worker(settings, args)
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


def _worker(settings: Settings, args: argparse.Namespace) -> int:
    import redis

    from server.services.execution.remote.worker import StorageNotShared, Worker

    if args.concurrency < 1:
        print("scriptsmanager: --concurrency must be at least 1", file=sys.stderr)
        return 2
    queues = [name.strip() for name in args.queues.split(",") if name.strip()]
    assert settings.home
    worker = Worker(settings.celery_broker_url, settings.home, settings.worker_host, args.name,
                    queues, args.concurrency)  # fmt: skip
    try:
        worker.run()
    except (StorageNotShared, redis.RedisError) as exc:
        print(f"scriptsmanager worker: {exc}", file=sys.stderr)
        return 1
    return 0


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
