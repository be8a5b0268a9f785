"""Stars and notes on runs: each user's own, private; admins also read the others'.

Who may mark a run is the caller's business (a run they can read, see LogService.get);
this service keeps one row per user and run, and drops it once it holds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.database import Database
from server.models import ExecutionLog, RunMark, User, utcnow
from server.services.errors import InvalidInput

MAX_NOTE = 2000  # characters


@dataclass(frozen=True)
class Mark:
    """A user's star and note on a run, as shown."""

    starred: bool
    note: str | None
    updated_at: datetime | None
    username: str | None = None  # the author, named when shown to someone else


NO_MARK = Mark(False, None, None)


@dataclass(frozen=True)
class RunMarkView:
    """The caller's own mark on a run and (admins only) the other users' marks."""

    own: Mark
    others: tuple[Mark, ...] = ()


def clean_note(note: str) -> str | None:
    """Return the note to keep (None for a blank one); raise InvalidInput when too long."""
    if len(note) > MAX_NOTE:
        raise InvalidInput("{field}: at most {limit} characters.", field="note", limit=MAX_NOTE)
    return note if note.strip() else None


class RunMarks:
    """Read and change users' marks on runs."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def views(self, run_ids: list[int], user_id: int, with_others: bool) -> dict[int, RunMarkView]:
        """Return the marks on these runs by run id (runs without any mark are left out)."""
        if not run_ids:
            return {}
        if not with_others:  # the caller's own marks: no author to name
            query = select(RunMark).where(
                RunMark.execution_id.in_(run_ids), RunMark.user_id == user_id
            )
            return {
                row.execution_id: RunMarkView(_mark(row)) for row in self._db.session.scalars(query)
            }
        query = (
            select(RunMark, User.username)
            .join(User, User.id == RunMark.user_id)
            .where(RunMark.execution_id.in_(run_ids))
            .order_by(RunMark.updated_at.desc(), RunMark.id)
        )
        own: dict[int, Mark] = {}
        others: dict[int, list[Mark]] = {}
        for row, username in self._db.session.execute(query):
            if row.user_id == user_id:
                own[row.execution_id] = _mark(row)
            else:
                others.setdefault(row.execution_id, []).append(_mark(row, username))
        return {
            run_id: RunMarkView(own.get(run_id, NO_MARK), tuple(others.get(run_id, ())))
            for run_id in own.keys() | others.keys()
        }

    def view(self, record: ExecutionLog, user_id: int, with_others: bool) -> RunMarkView:
        """Return the marks on one run."""
        return self.views([record.id], user_id, with_others).get(record.id, RunMarkView(NO_MARK))

    def mark(
        self, record: ExecutionLog, user_id: int, starred: bool | None, note: str | None
    ) -> Mark:
        """Change the user's star and/or note (None leaves one as it is; a blank note clears
        it); a mark left empty is deleted. Return the mark."""
        text = None if note is None else clean_note(note)
        try:
            return self._apply(record.id, user_id, starred, text, note is not None)
        except IntegrityError:  # a concurrent first mark of this run made the row: use it
            self._db.session.rollback()
            return self._apply(record.id, user_id, starred, text, note is not None)

    def clear(self, record: ExecutionLog, user_id: int) -> None:
        """Remove the user's star and note from a run."""
        row = self._own(record.id, user_id)
        if row is not None:
            self._db.session.delete(row)
            self._db.session.commit()

    def _own(self, run_id: int, user_id: int) -> RunMark | None:
        return self._db.session.scalar(
            select(RunMark).where(RunMark.execution_id == run_id, RunMark.user_id == user_id)
        )

    def _apply(
        self, run_id: int, user_id: int, starred: bool | None, note: str | None, set_note: bool
    ) -> Mark:
        """Save the change (deleting a mark left empty) and return the mark."""
        session = self._db.session
        row = self._own(run_id, user_id) or RunMark(
            user_id=user_id, execution_id=run_id, starred=False
        )
        if starred is not None:
            row.starred = starred
        if set_note:
            row.note = note
        row.updated_at = utcnow()
        if not row.starred and row.note is None:
            if row in session:
                session.delete(row)
            session.commit()
            return NO_MARK
        session.add(row)
        session.commit()
        return _mark(row)


def _mark(row: RunMark, username: str | None = None) -> Mark:
    """Return a stored mark as shown (named by ``username`` when shown to someone else)."""
    return Mark(row.starred, row.note, row.updated_at, username)
