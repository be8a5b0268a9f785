"""System backups: ``<BACKUP_PATH>/<YYYY-MM-DD>/data_backup_<YYYYMMDD_HHMMSS>.tar.gz``.

One job at a time (a backup or a restore) runs in the background with its progress; the
last result and a dated log stay under ``<BACKUP_PATH>`` so they survive a restart (and a
restore, which replaces the data tree but not the backups).
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from server.services.audit import Actor, AuditLog
from server.services.backup.archive import BackupSource, write_archive
from server.services.backup.extract import extract_verified
from server.services.backup.manifest import BACKUP_ID, ArchiveRefused, Manifest
from server.services.backup.progress import Progress
from server.services.backup.schedule import BackupPolicy
from server.services.backup.store import BackupInfo, BackupStore
from server.services.backup.swap import RestoreSwap
from server.services.errors import Conflict, InvalidInput, NotFound, ServiceError
from server.services.maintenance import Maintenance
from server.services.messages import Message

logger = logging.getLogger(__name__)

DAILY_JOB = "system backup"
MISSED_DELAY = 300  # seconds after start-up before a missed daily backup is taken


class Quiescer(Protocol):
    """Stops whatever writes to the data tree for the swap, and starts it again."""

    def quiesce(self) -> None: ...

    def resume(self) -> None: ...


class BackupService:
    """Create, list, delete and restore system backups; at most one job at a time."""

    def __init__(
        self,
        root: Path,
        source: BackupSource,
        swap: RestoreSwap,
        policy: BackupPolicy,
        audit: AuditLog,
        in_session: Callable[[Callable[[], None]], None],
        after_restore: Callable[[], object],
    ) -> None:
        self.store = BackupStore(root)
        self.policy = policy
        self._source = source
        self._swap = swap
        self._audit = audit
        self._in_session = in_session  # runs a callable in a database session, committed
        self._after_restore = after_restore  # on the restored database (ends its sessions)
        self._lock = threading.Lock()
        self._job: Progress | None = None

    # -- reading ---------------------------------------------------------------------------

    def list(self) -> list[BackupInfo]:
        """Return every archive, newest first (one being written is ``running``; what a
        job that died left is not listed, and removed by the next backup)."""
        return [
            info
            for info in self.store.archives()
            if info.status == "complete" or self._is_running(info.backup_id)
        ]

    def get(self, backup_id: str) -> BackupInfo:
        """Return one complete archive; NotFound for anything else."""
        if not BACKUP_ID.fullmatch(backup_id):
            raise NotFound("No such backup.")
        for info in self.list():
            if info.backup_id == backup_id and info.status == "complete":
                return info
        raise NotFound("No such backup.")

    def summary(self, now: datetime | None = None) -> dict[str, object]:
        """Return enabled, next run, last result and the running job (no archive is read)."""
        job = self._job
        next_run = self.policy.next_run(now or datetime.now())
        return {
            "enabled": self.policy.enabled,
            "next_run": next_run.isoformat(timespec="seconds") if next_run else None,
            "last_result": _last_result(self.store.read_status().get("last")),
            "running": job.as_dict() if job else None,
        }

    def status(self, now: datetime | None = None) -> dict[str, object]:
        """Return the summary with the schedule, the archives' count and size, free space."""
        backups = self.list()
        return {
            **self.summary(now),
            "schedule_time": self.policy.schedule_time,
            "retention_days": self.policy.retention_days,
            "count": sum(1 for b in backups if b.status == "complete"),
            "total_size": sum(b.size for b in backups),
            "free_bytes": _free_bytes(self.store.root),
        }

    def missed(self, now: datetime | None = None) -> bool:
        """Return True when the latest scheduled backup did not happen (the manager was off)."""
        due, latest = self._due_and_latest(now)
        return due is not None and (latest is None or latest < due)

    def overdue(self, now: datetime | None = None) -> bool:
        """Return True when the last two scheduled backups both did not happen (a manager
        with no backup yet is not overdue: its first one is taken soon after start-up)."""
        due, latest = self._due_and_latest(now)
        return due is not None and latest is not None and latest < due - timedelta(days=1)

    def _due_and_latest(self, now: datetime | None) -> tuple[datetime | None, datetime | None]:
        """Return the latest scheduled time and when the newest complete backup was taken."""
        latest = next((b.created for b in self.list() if b.status == "complete"), None)
        return self.policy.last_due(now or datetime.now()), latest

    def schedule(self, maintenance: Maintenance) -> None:
        """Register the daily backup, and a catch-up soon after start-up if one was missed."""
        if not self.policy.enabled:
            return
        maintenance.daily(DAILY_JOB, self.policy.time_of_day, self._daily)
        if self.missed():  # the manager was off at the scheduled time
            soon = datetime.now() + timedelta(seconds=MISSED_DELAY)
            maintenance.once(DAILY_JOB + " (missed)", soon, self._daily)

    def _daily(self) -> None:
        try:
            self.backup_now(Actor.system())
        except Conflict:
            logger.info("daily backup skipped: another backup or restore is running")
        except InvalidInput as exc:
            logger.error("daily backup refused: %s", exc.message)

    # -- jobs ------------------------------------------------------------------------------

    def start_backup(self, actor: Actor) -> dict[str, object]:
        """Start a backup in the background; Conflict while a job runs."""
        progress = self._claim("backup", self.store.new_id())
        threading.Thread(
            target=self._run_job, args=(progress, lambda: self._backup(progress, actor)),
            name="system-backup", daemon=True,
        ).start()  # fmt: skip
        return progress.as_dict()

    def backup_now(self, actor: Actor) -> BackupInfo:
        """Take a backup in this thread (the CLI, the daily job); Conflict while a job runs."""
        progress = self._claim("backup", self.store.new_id())
        return self._run_job(progress, lambda: self._backup(progress, actor))

    def start_restore(self, backup_id: str, actor: Actor, quiescer: Quiescer) -> dict[str, object]:
        """Start a restore in the background; NotFound, or Conflict while a job runs."""
        self.get(backup_id)
        progress = self._claim("restore", backup_id)
        threading.Thread(
            target=self._run_job,
            args=(progress, lambda: self._restore(progress, actor, quiescer)),
            name="system-restore", daemon=True,
        ).start()  # fmt: skip
        return progress.as_dict()

    def restore_now(self, backup_id: str, actor: Actor, quiescer: Quiescer) -> Manifest:
        """Restore in this thread (the CLI, on a stopped manager)."""
        self.get(backup_id)
        progress = self._claim("restore", backup_id)
        return self._run_job(progress, lambda: self._restore(progress, actor, quiescer))

    def delete(self, backup_id: str, actor: Actor) -> None:
        """Delete one archive (and its date folder once empty)."""
        info = self.get(backup_id)
        with self._lock:
            if self._job is not None and self._job.backup_id == backup_id:
                raise Conflict("This backup is being restored.")
            self.store.remove(info)
        self._audit.record(actor, "system.backup_delete", backup_id, scope="admin")

    def apply_retention(self, now: datetime | None = None) -> list[str]:
        """Delete backups older than the retention days (never the newest one)."""
        limit = (now or datetime.now()) - timedelta(days=self.policy.retention_days)
        complete = [b for b in self.list() if b.status == "complete"]
        removed = []
        for info in complete[1:]:
            if info.created < limit:
                self.store.remove(info)
                removed.append(info.backup_id)
        return removed

    # -- the work --------------------------------------------------------------------------

    def _backup(self, progress: Progress, actor: Actor) -> BackupInfo:
        self.store.clear_partials()
        target = self.store.archive_path(progress.backup_id)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        manifest = write_archive(
            self._source, target, progress.backup_id, progress, self.policy.limits
        )  # TooLarge (an InvalidInput) when the tree is beyond what a restore accepts
        removed = self.apply_retention()
        info = BackupInfo(progress.backup_id, target, target.stat().st_size, "complete")
        details = {"size": info.size, "files": len(manifest.files), "expired": removed}
        self._record(actor, "system.backup", info.backup_id, details)
        return info

    def _restore(self, progress: Progress, actor: Actor, quiescer: Quiescer) -> Manifest:
        archive = self.get(progress.backup_id).path
        staging = self._swap.prepare()
        try:
            manifest = extract_verified(archive, staging, self.policy.limits, progress)
            self._check_database(manifest)
        except ArchiveRefused as exc:
            self._swap.discard()
            self._record(actor, "system.restore_refused", progress.backup_id, {"reason": str(exc)})
            raise
        progress.begin("swapping")
        quiescer.quiesce()
        try:
            previous = self._swap.swap(manifest.database.member)
        finally:
            quiescer.resume()
        self._in_session(self._after_restore)
        details = {"files": len(manifest.files), "previous_tree": str(previous / "data")}
        self._record(actor, "system.restore", progress.backup_id, details)
        return manifest

    def _check_database(self, manifest: Manifest) -> None:
        expected = self._source.database_entry()
        if manifest.database.kind != expected.kind or manifest.database.member != expected.member:
            raise ArchiveRefused(
                "The backup was not restored: its database ({kind} at {member}) is not where "
                "this manager keeps its own ({own_kind} at {own_member}). Nothing was changed.",
                kind=manifest.database.kind,
                member=manifest.database.member,
                own_kind=expected.kind,
                own_member=expected.member,
            )

    def _run_job(self, progress: Progress, work: Callable[[], object]):  # noqa: ANN202
        try:
            result = work()
        except Exception as exc:
            self._finish(progress, "failed", _failure(exc))
            if not isinstance(exc, InvalidInput):
                logger.exception("system %s %s failed", progress.kind, progress.backup_id)
            raise
        self._finish(progress, "completed", None)
        return result

    # -- bookkeeping -----------------------------------------------------------------------

    def _record(self, actor: Actor, action: str, target: str, details: dict) -> None:
        """Audit an admin action in a session of its own (a job runs outside requests)."""
        self._in_session(lambda: self._audit.record(actor, action, target, details, "admin"))

    def _claim(self, kind: str, backup_id: str) -> Progress:
        with self._lock:
            if self._job is not None and self._job.kind == "backup":
                raise Conflict("A backup is already running.")
            if self._job is not None:
                raise Conflict("A restore is already running.")
            self._job = Progress(kind, backup_id)
            return self._job

    def _finish(self, progress: Progress, result: str, message: Message | None) -> None:
        """Save the result; the message in English and as its template and values, so that
        it is shown in each reader's language, after a restart too."""
        finished = datetime.now().isoformat(timespec="seconds")
        english = str(message) if message else ""
        last = {"kind": progress.kind, "backup_id": progress.backup_id, "result": result,
                "message": english, "finished": finished}  # fmt: skip
        if message:
            last.update(template=message.template, values=_plain(message.values))
        self.store.write_status({"last": last})
        self.store.log(
            f"{finished} {progress.kind} {progress.backup_id} {result} {english}".rstrip()
        )
        with self._lock:
            self._job = None

    def _is_running(self, backup_id: str) -> bool:
        job = self._job
        return job is not None and job.kind == "backup" and job.backup_id == backup_id


def _failure(exc: Exception) -> Message:
    """Return what a failed job says: the service error's message, else the exception."""
    if isinstance(exc, ServiceError):
        return exc.text
    return Message("Unexpected error: {error}", error=f"{type(exc).__name__}: {exc}")


def _plain(values: dict[str, object]) -> dict[str, object]:
    """Return a message's values as JSON can keep them (anything else as its text)."""
    kept = (str, int, float, bool, type(None))
    return {name: v if isinstance(v, kept) else str(v) for name, v in values.items()}


def _last_result(saved: object) -> dict[str, object] | None:
    """Return the saved last result, its ``message`` a Message again (a result saved with
    only the text keeps the text)."""
    if not isinstance(saved, dict):
        return None
    last = dict(saved)
    template, values = last.pop("template", None), last.pop("values", None)
    if isinstance(template, str) and isinstance(values, dict):
        # The template _finish saved, from a message checked where it was raised.
        last["message"] = Message(template=template, **values)
    return last


def _free_bytes(folder: Path) -> int | None:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None
