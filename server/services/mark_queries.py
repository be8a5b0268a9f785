"""Run-list conditions on a user's marks: starred runs, and runs whose note holds words.

Kept apart from the service of marks so that the run list (services/logs.py) can use them
without depending on it.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from server.models import ExecutionLog, RunMark


def starred_condition(user_id: int, starred: bool) -> ColumnElement[bool]:
    """Return the condition "the user starred the run" (or, with False, "did not")."""
    ids = select(RunMark.execution_id).where(RunMark.user_id == user_id, RunMark.starred)
    return ExecutionLog.id.in_(ids) if starred else ExecutionLog.id.not_in(ids)


def noted_runs(user_id: int, terms: list[str]) -> Select:
    """Return the ids of runs whose note by the user holds every term (any case)."""
    words = [RunMark.note.icontains(term, autoescape=True) for term in terms]
    return select(RunMark.execution_id).where(RunMark.user_id == user_id, *words)


def any_noted(session: Session, user_id: int, terms: list[str]) -> bool:
    """Return True when one of the user's notes holds every term."""
    return session.scalar(noted_runs(user_id, terms).limit(1)) is not None
