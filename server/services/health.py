"""The health report of /health; its reasons are Messages, put in a language where the
report is shown (``in_language``)."""

from __future__ import annotations

import logging
import shutil

from sqlalchemy import func, select

from server import __version__
from server.database import Database
from server.models import CondaEnvironment, ExecutionLog, PortAllocation, User, utcnow
from server.services.backup.service import BackupService
from server.services.catalog.environments import EnvironmentService
from server.services.i18n import Translations
from server.services.messages import Message
from server.services.quota.service import QuotaService
from server.services.storage import StorageState
from server.settings import Settings

logger = logging.getLogger(__name__)
MIN_FREE_BYTES = 16 * 1024 * 1024  # below this the data disk counts as full


def _count(model: type, *conditions: object):  # noqa: ANN202 - a scalar subquery
    return select(func.count()).select_from(model).where(*conditions).scalar_subquery()


# The one query of a report, built once.
COUNTS = select(
    _count(CondaEnvironment, CondaEnvironment.is_available.is_(True)).label("conda"),
    _count(ExecutionLog, ExecutionLog.status == "running").label("running"),
    _count(PortAllocation, PortAllocation.status.in_(("allocated", "active"))).label("ports"),
    _count(User, User.storage_state == "warning").label("warning"),
    _count(User, User.storage_state == "full").label("full"),
)


class HealthService:
    """Summarise whether the manager can serve: healthy, degraded (with reasons) or not."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        storage: StorageState,
        *,
        environments: EnvironmentService,
        quotas: QuotaService,
        backups: BackupService,
    ) -> None:
        self._db = db
        self._settings = settings
        self._storage = storage
        self._environments = environments
        self._quotas = quotas
        self._backups = backups

    def report(self) -> dict[str, object]:
        """Return status, reasons, database reachability, disk, conda, quotas, running
        scripts, port usage."""
        counts = self._counts()
        database_ok = counts is not None
        free = self._free_bytes()
        reasons = [] if database_ok else [Message("the database cannot be reached")]
        if free is not None and free < MIN_FREE_BYTES:
            reasons.append(
                Message("the data disk is full ({free_kib} KiB free)", free_kib=free // 1024)
            )
        elif self._storage.recently_full():
            reasons.append(Message("a write failed for a full disk within the last minute"))
        parts: dict[str, object] = {}
        if counts is not None:  # both read what the database stored
            parts = {
                "conda": self._conda(reasons, counts),
                "quotas": self._quota_part(reasons, counts),
            }
        parts["backups"] = self._backup_part(reasons)
        status = "unhealthy" if not database_ok else "degraded" if reasons else "healthy"
        report: dict[str, object] = {
            "status": status,
            "timestamp": utcnow().isoformat() + "Z",
            "version": __version__,
            "database": database_ok,
            "disk": {"free_bytes": free},
            **parts,
        }
        if reasons:
            report["reasons"] = reasons
        if counts is not None:
            report.update(self._usage(counts))
        return report

    def _counts(self) -> dict[str, int] | None:
        """Return the counts the report needs, in one query; None when the database
        cannot be reached."""
        session = self._db.session
        try:
            return dict(session.execute(COUNTS).one()._mapping)
        except Exception:  # any driver error means "not reachable" for /health
            logger.exception("database health check failed")
            session.rollback()
            return None

    def _conda(self, reasons: list[Message], counts: dict[str, int]) -> dict[str, object]:
        """Report what conda detection stored (no subprocess here)."""
        executable = self._environments.conda_executable
        if executable and self._environments.last_error:
            reasons.append(
                Message("conda was found but did not list its environments (see Environments)")
            )
        return {"found": executable is not None, "executable": executable,
                "environments": counts["conda"]}  # fmt: skip

    def _quota_part(self, reasons: list[Message], counts: dict[str, int]) -> dict[str, object]:
        """Report how many users were last seen at warning and full (no folder walk)."""
        unmeasured = len(self._quotas.problems())
        if unmeasured:
            reasons.append(
                Message(
                    "the disk use of {count} user(s) could not be measured (see the "
                    "application log)",
                    count=unmeasured,
                )
            )
        return {"warning": counts["warning"], "full": counts["full"],
                "default_mb": self._quotas.default_mb}  # fmt: skip

    def _backup_part(self, reasons: list[Message]) -> dict[str, object]:
        """Report the backup service: enabled, last result, next run, a job running."""
        status = self._backups.summary()
        last = status["last_result"] or {}
        if last.get("kind") == "backup" and last.get("result") == "failed":
            # The failure is itself a Message: in_language puts it in the same language.
            reasons.append(
                Message("the last system backup failed: {failure}", failure=last.get("message"))
            )
        elif self._backups.policy.enabled and self._backups.overdue():
            reasons.append(Message("no system backup was taken at the last two scheduled times"))
        running = status["running"]
        return {
            "enabled": status["enabled"],
            "last_result": last.get("result"),
            "last_finished": last.get("finished"),
            "next_run": status["next_run"],
            "running": running["kind"] if running else None,
        }

    def _free_bytes(self) -> int | None:
        try:
            return shutil.disk_usage(self._settings._path("base_data_path")).free
        except OSError:
            return None

    def _usage(self, counts: dict[str, int]) -> dict[str, object]:
        size = self._settings.port_range_end - self._settings.port_range_start + 1
        return {"active_scripts": counts["running"],
                "port_usage": {"in_use": counts["ports"], "range_size": size}}  # fmt: skip


def in_language(report: dict[str, object], i18n: Translations, language: str) -> dict[str, object]:
    """Return the report with its reasons as text in ``language`` (the shape is unchanged)."""
    reasons = report.get("reasons")
    if not isinstance(reasons, list):
        return report
    return {**report, "reasons": [reason_text(reason, i18n, language) for reason in reasons]}


def reason_text(reason: Message | str, i18n: Translations, language: str) -> str:
    """Return one reason in ``language``, a value that is a Message put in it too."""
    if not isinstance(reason, Message):
        return reason
    values = {
        name: i18n.message(value, language) if isinstance(value, Message) else value
        for name, value in reason.values.items()
    }
    return i18n.messages.render(reason.template, values, language)
