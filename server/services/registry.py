"""The composition root: every service built once, with explicit collaborators."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app

from server.database import Database
from server.layout import Layout
from server.resources import resource_path, sdk_folder
from server.services.api_tokens import ApiTokens, TokenAuth
from server.services.audit import Actor, AuditLog
from server.services.auth import AuthService
from server.services.backup.archive import BackupSource
from server.services.backup.live import LiveRestore
from server.services.backup.schedule import BackupPolicy
from server.services.backup.service import BackupService
from server.services.backup.swap import RestoreSwap
from server.services.catalog.catalog import Catalog
from server.services.catalog.discovery import Discovery
from server.services.catalog.doc_history import DocHistory, DocVersions
from server.services.catalog.docs import DocsService
from server.services.catalog.dynamic_options import DynamicOptions
from server.services.catalog.environments import EnvironmentService
from server.services.catalog.fields import TagRules
from server.services.catalog.metadata import MetadataService
from server.services.catalog.overview import CatalogOverview
from server.services.catalog.tags import TagService
from server.services.catalog.watcher import CatalogWatcher
from server.services.data_files import DataFileService
from server.services.desktop_account import DesktopAccount
from server.services.execution.children import backend_for
from server.services.execution.engine import ExecutionService
from server.services.execution.events import ExecutionEvents
from server.services.first_run import FirstRun
from server.services.gate import RequestGate
from server.services.health import HealthService
from server.services.i18n import Translations
from server.services.interfaces import InterfaceService
from server.services.log_bulk import LogBulk
from server.services.log_filter_presets import LogFilterPresets
from server.services.log_navigation import LogNavigator
from server.services.logs import LogService
from server.services.maintenance import DAY, Maintenance
from server.services.manager_lock import ManagerLock
from server.services.metrics import Metrics
from server.services.passwords import Passwords
from server.services.ports import PortManager
from server.services.presets.service import PresetService
from server.services.project_backups import ProjectBackups
from server.services.projects import ProjectService
from server.services.quota.service import SWEEP_INTERVAL, QuotaService
from server.services.quota.usage import UsageMeter
from server.services.reports.facts import Brand
from server.services.reports.service import RunReports
from server.services.retention import RetentionService
from server.services.run_marks import RunMarks
from server.services.schedules.service import ScheduleService
from server.services.shortcuts import Shortcuts
from server.services.storage import StorageState
from server.services.system_log_reader import SystemLogReader
from server.services.throttle import LoginThrottle
from server.services.users import UserService
from server.settings import Settings
from server.system_logs import close_logging, configure_logging

logger = logging.getLogger(__name__)

EXTENSION_KEY = "scriptsmanager"
INTERFACE_SWEEP = 1.0  # seconds between checks of closed tabs and lost heartbeats


@dataclass
class Services:
    """Every service of one manager process."""

    settings: Settings
    layout: Layout
    db: Database
    audit: AuditLog
    i18n: Translations
    users: UserService
    first_run: FirstRun
    desktop_account: DesktopAccount
    auth: AuthService
    api_tokens: ApiTokens
    token_auth: TokenAuth
    storage: StorageState
    health: HealthService
    discovery: Discovery
    catalog: Catalog
    metadata: MetadataService
    docs: DocsService
    reports: RunReports
    doc_history: DocHistory
    tags: TagService
    shortcuts: Shortcuts
    presets: PresetService
    environments: EnvironmentService
    ports: PortManager
    projects: ProjectService
    data_files: DataFileService
    project_backups: ProjectBackups
    events: ExecutionEvents
    executions: ExecutionService
    dynamic_options: DynamicOptions
    schedules: ScheduleService
    logs: LogService
    log_navigation: LogNavigator
    log_filters: LogFilterPresets
    log_bulk: LogBulk
    run_marks: RunMarks
    interfaces: InterfaceService
    quotas: QuotaService
    retention: RetentionService
    overview: CatalogOverview
    system_logs: SystemLogReader
    backups: BackupService
    metrics: Metrics
    manager_lock: ManagerLock
    maintenance: Maintenance
    gate: RequestGate = field(default_factory=RequestGate)
    watcher: CatalogWatcher | None = None

    def start(self) -> None:
        """Scan the catalog, then start hot reload and environment detection."""
        if not self.manager_lock.acquire():
            logger.warning("another manager uses %s (%s)", self.layout.home, self.manager_lock.path)
        assert self.settings.script_groups_path
        self.executions.backend.prepare(self.layout.script_data, self.settings.script_groups_path)
        with self.db.job():
            self.discovery.scan_all()
            self.executions.recover()
            self.ports.reclaim_orphans(set())
        if self.settings.watch_script_groups:
            self.watcher = CatalogWatcher(self.discovery, self.db)
            self.watcher.start()
        if self.settings.conda_auto_detect:
            threading.Thread(target=self._detect_environments, daemon=True).start()
        self.maintenance.every("log retention", DAY, self._apply_retention)
        # Closed tabs and lost heartbeats are checked every few seconds (a cheap query over
        # open sessions), so a port is free seconds after its tab is gone; ports whose
        # process vanished are reclaimed at CLEANUP_INTERVAL.
        self.maintenance.every("interface sessions", INTERFACE_SWEEP, self._sweep_sessions)
        self.maintenance.every("ports", self.settings.cleanup_interval, self._reclaim_ports)
        self.maintenance.every("storage quotas", SWEEP_INTERVAL, self._check_quotas)
        self.backups.schedule(self.maintenance)
        self.schedules.attach()
        self.maintenance.start()
        with self.db.job():
            self.schedules.reconcile()  # the jobs of schedules changed while stopped

    def restore_quiescer(self) -> LiveRestore:
        """Return what quiets this manager for a restore's swap and brings it back."""
        return LiveRestore(
            self.gate, self.maintenance, self.executions, self.db, self.discovery, self.ports,
            close_logs=close_logging,
            open_logs=lambda: configure_logging(self.layout.system_logs, self.settings.log_level),
        )  # fmt: skip

    def shutdown(self) -> None:
        """Release what the services hold (connections, children, threads)."""
        self.schedules.detach()
        self.maintenance.stop()
        if self.watcher is not None:
            self.watcher.stop()
        self.executions.shutdown()
        self.executions.backend.close()
        self.db.dispose()
        self.manager_lock.release()

    def _sweep_sessions(self) -> None:
        with self.db.job():
            self.interfaces.sweep()

    def _check_quotas(self) -> None:
        with self.db.job():
            self.quotas.sweep()

    def _reclaim_ports(self) -> None:
        with self.db.job():
            self.ports.reclaim_orphans(self.executions.live_ports())

    def _apply_retention(self) -> None:
        with self.db.job():
            self.retention.cleanup(Actor.system())

    def _detect_environments(self) -> None:
        try:
            with self.db.job():
                self.environments.refresh()
        except Exception:  # detection is best effort; the app works without conda
            logger.exception("environment detection failed")


def build_services(settings: Settings) -> Services:
    """Build every service from resolved settings.

    A restore that a stopped manager left midway is finished (or discarded) first, before
    anything opens the data tree."""
    layout = Layout.from_settings(settings)
    assert settings.database_url
    source = BackupSource.of(settings.database_url, layout.data, layout.backup)
    swap = RestoreSwap(layout.data, source.external_sqlite)
    swap.recover()  # before anything opens (or creates) the data tree
    db = Database(settings.database_url)
    audit = AuditLog(db, layout.audit_logs)
    passwords = Passwords()
    throttle = LoginThrottle(settings.login_max_failures, settings.login_lockout)
    rules = TagRules(settings.max_tags_per_script, settings.max_tag_length)
    assert settings.script_groups_path
    discovery = Discovery(db, settings.script_groups_path, rules)
    catalog = Catalog(db)
    environments = EnvironmentService(db, audit, conda_hint=os.environ.get("CONDA_EXE"))
    ports = PortManager(
        db, settings.port_range_start, settings.port_range_end, settings.port_check_retries
    )
    meter = UsageMeter(layout.script_data, layout.execution_logs)
    quotas = QuotaService(db, audit, meter, settings.storage_quota_mb)
    projects = ProjectService(db, audit, layout.script_data, settings.max_projects_per_user, quotas)
    events = ExecutionEvents()
    events.subscribe(quotas)  # a run's start and end change its user's disk use
    storage = StorageState()
    users = UserService(db, passwords, audit, layout.script_data, settings.default_language, quotas)
    dynamic_options = DynamicOptions(
        environments, settings.script_groups_path, settings.conda_fallback,
        settings.max_memory_per_script,
    )  # fmt: skip
    executions = ExecutionService(
        db,
        settings,
        layout,
        ports,
        projects,
        environments,
        events,
        audit,
        sdk_folder(),
        quotas,
        dynamic_options,
    )
    executions.backend = backend_for(settings.execution_backend, settings.celery_broker_url)
    doc_versions = DocVersions(db)
    i18n = Translations(resource_path("translations"), settings.default_language)
    docs = DocsService(db, audit, doc_versions)
    logs = LogService(db, layout, executions, audit)
    maintenance = Maintenance()
    auth = AuthService(db, passwords, throttle, audit, settings.auth_session_lifetime)
    api_tokens = ApiTokens(db, audit)
    backups = BackupService(
        layout.backup, source, swap, BackupPolicy.from_settings(settings), audit,
        in_session=lambda work: _in_job(db, work),
        after_restore=lambda: _after_restore(auth, quotas, api_tokens),
    )  # fmt: skip
    return Services(
        settings=settings,
        layout=layout,
        db=db,
        audit=audit,
        i18n=i18n,
        users=users,
        first_run=FirstRun(users, settings._path("home")),
        auth=auth,
        api_tokens=api_tokens,
        token_auth=TokenAuth(db, audit),
        desktop_account=DesktopAccount(db, auth, audit),
        storage=storage,
        health=HealthService(
            db, settings, storage, environments=environments, quotas=quotas, backups=backups
        ),
        discovery=discovery,
        catalog=catalog,
        metadata=MetadataService(db, discovery, audit, rules),
        docs=docs,
        reports=RunReports(logs, i18n, Brand(settings.brand_name, settings.brand_logo)),
        doc_history=DocHistory(doc_versions, docs),
        tags=TagService(db, catalog, audit, rules),
        shortcuts=Shortcuts(db, catalog),
        presets=PresetService(db, audit, settings.script_groups_path),
        environments=environments,
        ports=ports,
        projects=projects,
        data_files=DataFileService(audit, quotas),
        project_backups=ProjectBackups(layout.project_backups, audit, quotas),
        events=events,
        executions=executions,
        dynamic_options=dynamic_options,
        schedules=ScheduleService(
            db, catalog, projects, executions, audit, maintenance, settings.schedule_misfire_grace
        ),
        logs=logs,
        log_navigation=LogNavigator(),
        log_filters=LogFilterPresets(db),
        log_bulk=LogBulk(db, logs, audit),
        run_marks=RunMarks(db),
        interfaces=InterfaceService(db, executions, audit, settings.session_timeout),
        quotas=quotas,
        retention=RetentionService(db, audit, logs, settings),
        overview=CatalogOverview(db, discovery, docs, environments, audit),
        system_logs=SystemLogReader(layout.system_logs),
        backups=backups,
        metrics=Metrics(db, settings, backups),
        manager_lock=ManagerLock(layout.home),
        maintenance=maintenance,
    )


def _after_restore(auth: AuthService, quotas: QuotaService, api_tokens: ApiTokens) -> None:
    """On a restored database: no session or API token of the backup comes back (one
    revoked since would work again), no usage is cached."""
    auth.end_every_session()
    api_tokens.revoke_every()
    quotas.forget_all()


def _in_job(db: Database, work: Callable[[], None]) -> None:
    with db.job():
        work()


def services() -> Services:
    """Return the services of the current Flask app."""
    return current_app.extensions[EXTENSION_KEY]
