"""Work on many runs at once: choose them (by id or by a filter), read them in batches,
delete the finished ones.

A user acts on their own runs, an admin on anyone's. A user's deletions are audited one
run at a time, as a single delete is; an admin's work on other users' runs is audited as
one admin event per batch, with the count and the run ids.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select

from server.database import Database
from server.models import ExecutionLog
from server.services.audit import Actor, AuditLog
from server.services.logs import LogFilters, LogService

MAX_BULK = 10_000  # runs per request
BATCH = 500  # runs read, deleted and committed together


@dataclass(frozen=True)
class Selection:
    """The runs a bulk action works on (database ids, newest first), and how many of those
    asked for were skipped (not the caller's, or no such run)."""

    ids: tuple[int, ...]
    skipped: int = 0
    truncated: bool = False  # a filter matched more than MAX_BULK runs; the newest are kept


@dataclass(frozen=True)
class Deleted:
    """What a bulk delete did: runs deleted, runs skipped (of which still running)."""

    done: int
    skipped: int
    running: int


def chunks[T](items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    """Yield consecutive slices of at most ``size`` items."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


class LogBulk:
    """Choose, read and delete runs in bulk."""

    def __init__(self, db: Database, logs: LogService, audit: AuditLog) -> None:
        self._db = db
        self._logs = logs
        self._audit = audit

    def by_ids(self, execution_ids: Sequence[str], user_id: int, is_admin: bool) -> Selection:
        """Select the runs with these UUIDs that the caller may act on; count the others."""
        wanted = list(dict.fromkeys(execution_ids))
        found: list[int] = []
        for chunk in chunks(wanted):
            rows = self._db.session.execute(
                select(ExecutionLog.id, ExecutionLog.user_id).where(
                    ExecutionLog.execution_uuid.in_(chunk)
                )
            )
            found += [run_id for run_id, owner in rows if is_admin or owner == user_id]
        found.sort(reverse=True)
        return Selection(tuple(found), len(wanted) - len(found))

    def by_filter(self, owner: int | None, filters: LogFilters) -> Selection:
        """Select the newest MAX_BULK runs that match (every user's when ``owner`` is None)."""
        ids = self._logs.ids(owner, filters, MAX_BULK + 1)
        return Selection(tuple(ids[:MAX_BULK]), truncated=len(ids) > MAX_BULK)

    def batches(self, selection: Selection) -> Iterator[list[ExecutionLog]]:
        """Yield the selected runs still present, BATCH at a time, newest first."""
        for chunk in chunks(selection.ids):
            query = select(ExecutionLog).where(ExecutionLog.id.in_(chunk))
            yield list(self._db.session.scalars(query.order_by(ExecutionLog.id.desc())))

    def delete(self, selection: Selection, actor: Actor) -> Deleted:
        """Delete the selected finished runs and their log files, committing each batch;
        running runs are skipped."""
        done = running = 0
        for batch in self.batches(selection):
            finished = [record for record in batch if record.status != "running"]
            running += len(batch) - len(finished)
            self._logs.remove(finished)
            self._audit_delete(finished, actor)
            self._db.session.commit()
            done += len(finished)
        vanished = len(selection.ids) - done - running  # deleted by someone else meanwhile
        return Deleted(done, selection.skipped + running + vanished, running)

    def audit_export(self, selection: Selection, actor: Actor) -> None:
        """Audit an admin's export of other users' runs: one event, their count and ids."""
        foreign: list[str] = []
        for chunk in chunks(selection.ids):
            foreign += self._db.session.scalars(
                select(ExecutionLog.execution_uuid).where(
                    ExecutionLog.id.in_(chunk),
                    or_(ExecutionLog.user_id.is_(None), ExecutionLog.user_id != actor.user_id),
                )
            )
        if foreign:
            details = {"count": len(foreign), "execution_ids": foreign}
            target = f"executions:{len(foreign)}"
            self._audit.record(actor, "log.bulk_export", target, details, scope="admin")
            self._db.session.commit()

    def _audit_delete(self, records: list[ExecutionLog], actor: Actor) -> None:
        foreign = [record for record in records if record.user_id != actor.user_id]
        for record in records:
            if record.user_id == actor.user_id:
                self._audit.record(actor, "log.delete", f"execution:{record.execution_uuid}")
        if foreign:
            details = {
                "count": len(foreign),
                "execution_ids": [record.execution_uuid for record in foreign],
                "owner_ids": sorted({r.user_id for r in foreign if r.user_id is not None}),
            }
            target = f"executions:{len(foreign)}"
            self._audit.record(actor, "log.bulk_delete", target, details, scope="admin")
