"""The SQL of run lists: filters, an order read from an index, pages of ids, capped counts.

Every sort and filter has its index (migration 0011), so SQLite reads a page in order,
without sorting, and counts without reading the runs. A page is found as ids first and only
its rows are loaded then (in the same query, but for a full-text search). Counts stop one
past a cap: a list of 100,000 runs costs no more to count than one of 10,001.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session

from server.models import ExecutionLog, UserProject
from server.services.mark_queries import any_noted, noted_runs, starred_condition
from server.services.run_search import SEARCH, FullText, search_terms

STATUSES = ("running", "completed", "failed", "terminated")
SORTS = {
    "start_time": ExecutionLog.id,  # ids grow with start time and are indexed
    "duration": ExecutionLog.duration_seconds,
    "status": ExecutionLog.status,
    "script": ExecutionLog.script_name,
    "project": ExecutionLog.project_id,
}


@dataclass(frozen=True)
class LogFilters:
    """Criteria of a run list; None means any."""

    script_id: int | None = None
    project_id: int | None = None
    status: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    min_duration: int | None = None
    max_duration: int | None = None
    text: str | None = None
    project_name: str | None = None  # runs in any user's project of this name
    starred: bool | None = None  # runs ``marker`` starred (True) or did not (False)
    marker: int | None = None  # whose marks count: ``starred``, and ``text`` found in notes


@dataclass(frozen=True)
class Listing:
    """Whose runs (None: every user's), which ones, and in what order."""

    user_id: int | None
    filters: LogFilters
    sort: str = "start_time"
    descending: bool = True


@dataclass(frozen=True)
class RunPage:
    """One page of a run list and its total; a total that reached the count's cap is
    ``total_is_lower_bound``: there are at least that many runs."""

    rows: list[ExecutionLog]
    total: int
    total_is_lower_bound: bool = False


class RunQuery:
    """One run list as SQL: pages of its ids in order, and its size counted up to a cap."""

    def __init__(self, session: Session, listing: Listing) -> None:
        self._session = session
        self._listing = listing
        filters = listing.filters
        self._sqlite = session.get_bind().dialect.name == "sqlite"
        self.search = FullText(filters.text) if filters.text and self._sqlite else None
        self._noted: Select | None = None  # runs found by the index or the marker's note
        if self.search is not None and filters.marker is not None:
            if any_noted(session, filters.marker, self.search.terms):
                found = select(SEARCH.c.rowid).where(self.search.condition())
                self._noted = found.union(noted_runs(filters.marker, self.search.terms))

    def page_ids(self, offset: int, limit: int) -> list[int]:
        """Return the ids of the runs ``offset`` to ``offset + limit`` of the list, in order."""
        if self.search is None or self._noted is not None:
            return self._ids(self._plain(), offset, limit)
        if self._listing.sort == "start_time":
            return self._ids(self._driven(), offset, limit, rowid=SEARCH.c.rowid)
        return self._searched_ids(offset, limit)

    def page_rows(self, offset: int, limit: int, options: tuple) -> list[ExecutionLog]:
        """Return the runs ``offset`` to ``offset + limit``, loaded with ``options``: in one
        query (the page's ids from the sort's index, then only their rows), or for a
        full-text search, the page's ids first (page_ids) and then their rows."""
        if self.search is None or self._noted is not None:
            page = self._plain().order_by(*self._order()).offset(offset).limit(limit)
            query = select(ExecutionLog).where(ExecutionLog.id.in_(page)).options(*options)
            return list(self._session.scalars(query.order_by(*self._order())))
        ids = self.page_ids(offset, limit)
        query = select(ExecutionLog).where(ExecutionLog.id.in_(ids)).options(*options)
        found = {row.id: row for row in self._session.scalars(query)}
        return [found[run_id] for run_id in ids if run_id in found]

    def _searched_ids(self, offset: int, limit: int) -> list[int]:
        """Return a page of a search sorted by another key (the plans of run_search.py)."""
        assert self.search is not None
        need = offset + limit
        plan = self.search.plan(self._session, need)
        if plan.way == "read":
            return self._ids(self._driven(), offset, limit)
        if plan.way == "probe":
            walk = self._plain().order_by(*self._order())
            found = self.search.first_matches(self._session, walk, need, plan.window)
            if found is not None:
                return found[offset:]
        # Listed; also when probing found too few matches within its window.
        return self._ids(self._plain().where(self.search.listed()), offset, limit)

    def count(self, cap: int) -> int:
        """Return how many runs the list holds, counting no further than ``cap + 1``."""
        searched = self.search is not None and self._noted is None
        limited = (self._driven() if searched else self._plain()).limit(cap + 1).subquery()
        return self._session.scalar(select(func.count()).select_from(limited)) or 0

    def _ids(self, query: Select, offset: int, limit: int, rowid: Any = None) -> list[int]:
        ordered = query.order_by(*self._order(rowid)).offset(offset).limit(limit)
        return list(self._session.scalars(ordered))

    def _order(self, rowid: Any = None) -> list:
        """Return the list's ORDER BY; the start-time sort reads ``rowid`` when given (the FTS
        index walked in its own order); other sorts break ties newest first."""
        listing = self._listing
        key = rowid if listing.sort == "start_time" and rowid is not None else SORTS[listing.sort]
        first = key.desc() if listing.descending else key.asc()
        if not self._sqlite:  # empty values (a running run's duration) where SQLite has them
            first = first.nulls_last() if listing.descending else first.nulls_first()
        return [first] if listing.sort == "start_time" else [first, ExecutionLog.id.desc()]

    def _plain(self) -> Select:
        """Return the ids of the runs that pass every condition."""
        return select(ExecutionLog.id).where(*self._conditions(True))

    def _driven(self) -> Select:
        """Return the ids of the matching runs, read from the FTS index."""
        assert self.search is not None
        return self.search.driven(self._conditions(False), self._listing.user_id)

    def _conditions(self, with_owner: bool) -> list[ColumnElement[bool]]:
        """Return the list's conditions (the owner's among them when ``with_owner``); the
        FTS index's MATCH is left to the queries that read it."""
        filters, user_id = self._listing.filters, self._listing.user_id
        conditions = _filter_conditions(filters)
        if with_owner and user_id is not None:
            conditions.append(ExecutionLog.user_id == user_id)
        if self._noted is not None:
            conditions.append(ExecutionLog.id.in_(self._noted))
        elif filters.text and self.search is None:
            conditions.append(_anywhere(filters.text, filters.marker))
        return conditions


def _filter_conditions(filters: LogFilters) -> list[ColumnElement[bool]]:
    """Return the conditions of every filter but the owner and the text."""
    conditions: list[ColumnElement[bool]] = []
    if filters.script_id is not None:
        conditions.append(ExecutionLog.script_id == filters.script_id)
    if filters.project_id is not None:
        conditions.append(ExecutionLog.project_id == filters.project_id)
    if filters.project_name is not None:
        named = select(UserProject.id).where(UserProject.project_name == filters.project_name)
        conditions.append(ExecutionLog.project_id.in_(named))
    if filters.status is not None:
        conditions.append(ExecutionLog.status == filters.status)
    if filters.date_from is not None:
        start = datetime.combine(filters.date_from, datetime.min.time())
        conditions.append(ExecutionLog.start_time >= start)
    if filters.date_to is not None and filters.date_to < date.max:  # date.max: no end
        end = datetime.combine(filters.date_to + timedelta(days=1), datetime.min.time())
        conditions.append(ExecutionLog.start_time < end)
    if filters.min_duration is not None:
        conditions.append(ExecutionLog.duration_seconds >= filters.min_duration)
    if filters.max_duration is not None:
        conditions.append(ExecutionLog.duration_seconds <= filters.max_duration)
    if filters.starred is not None and filters.marker is not None:
        conditions.append(starred_condition(filters.marker, filters.starred))
    return conditions


def _anywhere(words: str, marker: int | None) -> ColumnElement[bool]:
    """Return "every word is somewhere in the run's text" (or in ``marker``'s note on it),
    for databases without FTS5."""
    terms = search_terms(words)
    found: ColumnElement[bool] = and_(
        *(
            ExecutionLog.output.ilike(f"%{term}%")
            | ExecutionLog.error_output.ilike(f"%{term}%")
            | ExecutionLog.script_name.ilike(f"%{term}%")
            | ExecutionLog.search_terms.ilike(f"%{term}%")
            for term in terms
        )
    )
    if marker is not None:
        found = found | ExecutionLog.id.in_(noted_runs(marker, terms))
    return found
