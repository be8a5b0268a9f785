"""Full-text search in run lists: the FTS5 index ``execution_search`` (SQLite).

A sorted page of matching runs is found one of three ways (:meth:`FullText.plan`):

- *read* the matches from the FTS index, each with its run, and keep those that pass the
  other filters. For the start-time sort the index is read newest first and stops at the
  page's end; for another sort every match is read and sorted: cheap while they are few.
- *list* them: walk the sort's own index (the page order) with "id in the list of every
  match" as a condition; SQLite builds the list once, cheaply, and a walked run costs a
  lookup in it. Cheap for hundreds to thousands of matches.
- *probe*: walk the sort's index and ask the FTS index which of the runs walked match, a
  batch at a time: one query over their id range when the ids are close (a status, script
  or project sort reads ties newest first), else one probe per run. For matches so dense
  that even listing them costs more than finding a page among the first runs walked.

The plan counts the matches no further than the point where probing pays. When probing
finds too few matches within its window (they are elsewhere, not in this list's first
runs), listing answers.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, column, func, select, table, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

from server.models import ExecutionLog
from server.services.errors import InvalidInput

SEARCH = table("execution_search", column("rowid"))  # the FTS5 index of migration 0003
MAX_TERMS = 10
PROBE_COST = 30  # probing one run for one word costs about as much as reading 30 matches
LIST_GAIN = 12  # listing a match and walking a run cost about a twelfth of reading a match
RANGE_SPAN = 16  # a batch is "close" when its ids span less than this many per run
FIRST_BATCH = 2  # runs tested per wanted match in the first batch (no density known yet)
_TERM = re.compile(r"[\w.-]+", re.UNICODE)


def search_terms(words: str) -> list[str]:
    """Return the words to search for (at most MAX_TERMS); raise InvalidInput for none."""
    terms = _TERM.findall(words)[:MAX_TERMS]
    if not terms:
        raise InvalidInput("q: give at least one word to search for.", field="q")
    return terms


@dataclass(frozen=True)
class Plan:
    """The way to a sorted page: ``read``, ``list`` or ``probe`` (at most ``window`` runs)."""

    way: str
    window: int = 0


class FullText:
    """One search: every word, each quoted, as an FTS5 query, and the ways to answer it."""

    def __init__(self, words: str) -> None:
        self.terms = search_terms(words)
        self.match = " ".join('"' + term.replace('"', '""') + '"' for term in self.terms)

    def condition(self) -> TextClause:
        """Return the FTS5 MATCH condition (the index is in the query's FROM)."""
        return text("execution_search MATCH :match").bindparams(match=self.match)

    def driven(self, conditions: list, user_id: int | None) -> Select:
        """Return the ids of the matching runs that pass ``conditions``, read from the FTS
        index (``user_id``'s runs alone when given)."""
        query = (
            select(ExecutionLog.id)
            .select_from(SEARCH)
            .join(ExecutionLog, ExecutionLog.id == SEARCH.c.rowid)
            .where(self.condition(), *conditions)
        )
        if user_id is not None:
            # The unary + keeps SQLite from starting at the user index and probing per row.
            query = query.where(text("+execution_logs.user_id = :uid").bindparams(uid=user_id))
        return query

    def listed(self) -> TextClause:
        """Return "the run is in the list of every match" (for a walk of another index; the
        unary + keeps SQLite from reading the runs of the list instead)."""
        return text(
            "+execution_logs.id IN "
            "(SELECT rowid FROM execution_search WHERE execution_search MATCH :match)"
        ).bindparams(match=self.match)

    def plan(self, session: Session, need: int) -> Plan:
        """Return the cheapest way to the first ``need`` matches of a sort other than start
        time (the start-time sort reads the matches newest first)."""
        runs = session.scalar(select(func.max(ExecutionLog.id))) or 0
        per_run = PROBE_COST * len(self.terms)
        # A page is among the first ~ need * runs / matches runs walked: probing them one
        # by one costs as much as reading every match at ``threshold`` matches.
        threshold = math.isqrt(per_run * need * runs)
        counted = select(SEARCH.c.rowid).where(self.condition()).limit(threshold + 1)
        matches = session.scalar(select(func.count()).select_from(counted.subquery())) or 0
        if matches > threshold:
            return Plan("probe", window=threshold // per_run)
        return Plan("list") if matches * matches * LIST_GAIN > need * runs else Plan("read")

    def first_matches(
        self, session: Session, walk: Select, need: int, window: int
    ) -> list[int] | None:
        """Return the first ``need`` ids of the ordered id query ``walk`` that match, testing
        at most its first ``window`` runs; None when those hold fewer matches and ``walk``
        has more runs."""
        ids = list(session.scalars(walk.limit(window)))
        hits: list[int] = []
        tested = 0
        while tested < len(ids) and len(hits) < need:
            batch = ids[tested : tested + _batch_size(need - len(hits), tested, len(hits))]
            found = self._matching(session, batch)
            hits.extend(run_id for run_id in batch if run_id in found)
            tested += len(batch)
        if len(hits) < need and len(ids) == window:
            return None
        return hits[:need]

    def _matching(self, session: Session, batch: list[int]) -> set[int]:
        """Return the ids of ``batch`` (and others in its id range) that match: one range
        query for close ids, else a probe per run."""
        low, high = min(batch), max(batch)
        where: ColumnElement[bool]
        if high - low < RANGE_SPAN * len(batch):
            where = SEARCH.c.rowid.between(low, high)
        else:
            where = SEARCH.c.rowid.in_(batch)
        return set(session.scalars(select(SEARCH.c.rowid).where(self.condition(), where)))


def _batch_size(wanted: int, tested: int, hits: int) -> int:
    """Return how many runs to test next for ``wanted`` more matches, from the density so far
    (a quarter more than expected, so that one batch usually ends the search)."""
    if tested == 0:
        return FIRST_BATCH * wanted
    if hits == 0:
        return 2 * tested
    return math.ceil(wanted * tested / hits * 1.25)
