"""Full-text search in run lists: the FTS5 index ``execution_search`` (SQLite).

A sorted page of matching runs is found one of two ways:

- *from the index*: read the matches from the FTS index and keep those that pass the other
  filters. For the start-time sort the index is read newest first and stops at the page's
  end; for another sort every match is read and sorted, which is cheap while they are few.
- *by probing*: walk the sort's own index (the page order) and ask the FTS index which of
  the runs walked match, a batch at a time: for a batch of close ids (a status, script or
  project sort reads ties newest first) one query over their id range, else one probe per
  run. Cheap when the matches are dense or the batches close, as a page then lies among
  the first hundreds or thousands of runs walked.

:meth:`FullText.probing` chooses from the number of matches (counted no further than the
point where reading them all costs as much as probing a run at a time for the page). When
probing finds too few matches within its window (the matches are elsewhere, not in this
list's first runs), the index way answers.
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
WINDOW_MARGIN = 2  # a window of runs walked holds twice the expected matches
MAX_WINDOW = 2_500  # runs walked at most when the matches are few (range queries only)
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
class Probing:
    """How to probe: test at most ``window`` runs of the walk, each alone when ``alone``."""

    window: int
    alone: bool


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

    def probing(self, session: Session, need: int) -> Probing | None:
        """Return how to probe the sort's walk for ``need`` matches, None when reading
        every match from the index costs less."""
        runs = session.scalar(select(func.max(ExecutionLog.id))) or 0
        per_run = PROBE_COST * len(self.terms)
        # Probing a run at a time costs ~ need * runs / matches * per_run, reading every
        # match ~ matches: the two are equal at ``threshold`` matches.
        threshold = math.isqrt(per_run * need * runs)
        counted = select(SEARCH.c.rowid).where(self.condition()).limit(threshold + 1)
        matches = session.scalar(select(func.count()).select_from(counted.subquery())) or 0
        if matches > threshold:
            return Probing(threshold // per_run, alone=True)
        expected = math.ceil(WINDOW_MARGIN * need * runs / max(matches, 1))
        return Probing(expected, alone=False) if matches and expected <= MAX_WINDOW else None

    def first_matches(
        self, session: Session, walk: Select, need: int, probing: Probing
    ) -> list[int] | None:
        """Return the first ``need`` ids of the ordered id query ``walk`` that match, testing
        at most its first ``probing.window`` runs; None when those hold fewer matches and
        ``walk`` has more runs, or when a batch would need probes one run at a time and
        ``probing`` allows none."""
        ids = list(session.scalars(walk.limit(probing.window)))
        hits: list[int] = []
        tested = 0
        while tested < len(ids) and len(hits) < need:
            batch = ids[tested : tested + _batch_size(need - len(hits), tested, len(hits))]
            found = self._matching(session, batch, probing.alone)
            if found is None:
                return None
            hits.extend(run_id for run_id in batch if run_id in found)
            tested += len(batch)
        if len(hits) < need and len(ids) == probing.window:
            return None
        return hits[:need]

    def _matching(self, session: Session, batch: list[int], alone: bool) -> set[int] | None:
        """Return the ids of ``batch`` (and others in its id range) that match: one range
        query for close ids, else a probe per run when ``alone`` allows (None if not)."""
        low, high = min(batch), max(batch)
        where: ColumnElement[bool]
        if high - low < RANGE_SPAN * len(batch):
            where = SEARCH.c.rowid.between(low, high)
        elif alone:
            where = SEARCH.c.rowid.in_(batch)
        else:
            return None
        return set(session.scalars(select(SEARCH.c.rowid).where(self.condition(), where)))


def _batch_size(wanted: int, tested: int, hits: int) -> int:
    """Return how many runs to test next for ``wanted`` more matches, from the density so far
    (a quarter more than expected, so that one batch usually ends the search)."""
    if tested == 0:
        return FIRST_BATCH * wanted
    if hits == 0:
        return 2 * tested
    return math.ceil(wanted * tested / hits * 1.25)
