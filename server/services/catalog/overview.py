"""The catalog as an admin sees it: every script and group, their problems, their documents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select

from server.database import Database
from server.models import Script, ScriptGroup
from server.services.audit import Actor, AuditLog
from server.services.catalog.discovery import Discovery, ScanReport
from server.services.catalog.docs import DocsService
from server.services.catalog.environments import EnvironmentService, PythonEnvironment
from server.services.errors import Conflict, InvalidInput
from server.settings import LANGUAGES

PROBLEM_KINDS = ("group", "script")
ENVIRONMENT_KINDS = ("manager", "conda", "venv")
ALL = 1_000_000  # a page size that takes every row
KIND_CHOICES = "kind must be one of {choices}."


def page_of[T](items: Sequence[T], page: int, per_page: int) -> list[T]:
    """Return one page of a list."""
    start = (page - 1) * per_page
    return list(items[start : start + per_page])


def _contains(text: str, *columns: Any) -> Any:
    """Return a condition: one of the columns contains ``text``, in any case."""
    needle = text.lower()
    return or_(*(func.lower(column).contains(needle, autoescape=True) for column in columns))


@dataclass(frozen=True)
class Problem:
    """A group or script whose files gave warnings at the last scan."""

    kind: str
    id: int
    name: str
    path: str
    group_id: int
    warnings: list[Any]  # as stored (see scan_warnings): put in a language when shown


@dataclass(frozen=True)
class DocStatus:
    """Which languages a script is documented in."""

    script: Script
    group: ScriptGroup
    languages: list[str]


class CatalogOverview:
    """List the whole catalog for the admin console, and rescan it on demand."""

    def __init__(
        self,
        db: Database,
        discovery: Discovery,
        docs: DocsService,
        environments: EnvironmentService,
        audit: AuditLog,
    ) -> None:
        self._db = db
        self._discovery = discovery
        self._docs = docs
        self._environments = environments
        self._audit = audit

    def scripts(
        self, group_id: int | None, text: str | None, page: int, per_page: int
    ) -> tuple[list[tuple[Script, ScriptGroup]], int]:
        """Return one page of active scripts, by group then name, and the total."""
        query = self._active_scripts()
        if group_id is not None:
            query = query.where(ScriptGroup.id == group_id)
        if text:
            query = query.where(_contains(text, Script.display_name, Script.filename))
        session = self._db.session
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        ordered = query.order_by(ScriptGroup.name, ScriptGroup.id, Script.display_name, Script.id)
        rows = session.execute(ordered.offset((page - 1) * per_page).limit(per_page)).all()
        return [(script, group) for script, group in rows], total

    def groups(self, text: str | None, page: int, per_page: int) -> tuple[list[ScriptGroup], int]:
        """Return one page of active groups, by name, and the total."""
        query = select(ScriptGroup).where(ScriptGroup.is_active.is_(True))
        if text:
            query = query.where(_contains(text, ScriptGroup.name, ScriptGroup.folder))
        session = self._db.session
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        ordered = query.order_by(ScriptGroup.name, ScriptGroup.id)
        rows = session.scalars(ordered.offset((page - 1) * per_page).limit(per_page))
        return list(rows), total

    def problems(self, kind: str | None, text: str | None) -> list[Problem]:
        """Return the active groups and scripts with warnings (``kind``: only one sort)."""
        if kind is not None and kind not in PROBLEM_KINDS:
            raise InvalidInput(KIND_CHOICES, field="kind", choices=", ".join(PROBLEM_KINDS))
        found: list[Problem] = []
        session = self._db.session
        if kind in (None, "group"):
            groups = select(ScriptGroup).where(ScriptGroup.is_active.is_(True))
            for group in session.scalars(groups.order_by(ScriptGroup.name)):
                path = group.folder or ""
                found.append(Problem("group", group.id, group.name, path, group.id, group.warnings))
        if kind in (None, "script"):
            ordered = self._active_scripts().order_by(ScriptGroup.name, Script.filename)
            for script, group in session.execute(ordered).all():
                path = f"{group.folder}/{script.filename}"
                name = script.display_name or script.filename
                found.append(Problem("script", script.id, name, path, group.id, script.warnings))
        needle = (text or "").casefold()
        return [
            p
            for p in found
            if p.warnings and (needle in p.name.casefold() or needle in p.path.casefold())
        ]

    def documentation(
        self, missing: str | None, text: str | None, group_id: int | None
    ) -> tuple[list[DocStatus], dict[str, int]]:
        """Return each matching script's documented languages (``missing``: those lacking
        that one), and how many matching scripts each language documents (and ``scripts``,
        how many match)."""
        if missing is not None and missing not in LANGUAGES:
            raise InvalidInput(
                "missing must be one of {choices}.", field="missing", choices=", ".join(LANGUAGES)
            )
        scripts, _total = self.scripts(group_id, text, 1, ALL)
        statuses = [DocStatus(s, g, self._docs.languages(s, g)) for s, g in scripts]
        coverage = {lang: sum(lang in d.languages for d in statuses) for lang in LANGUAGES}
        coverage["scripts"] = len(statuses)
        return [d for d in statuses if missing is None or missing not in d.languages], coverage

    def environments(self, text: str | None, kind: str | None) -> list[PythonEnvironment]:
        """Return the known interpreters whose name or path contains ``text``."""
        if kind is not None and kind not in ENVIRONMENT_KINDS:
            raise InvalidInput(KIND_CHOICES, field="kind", choices=", ".join(ENVIRONMENT_KINDS))
        needle = (text or "").casefold()
        return [
            env
            for env in self._environments.list()
            if (kind is None or env.kind == kind)
            and (needle in env.name.casefold() or needle in env.path.casefold())
        ]

    def last_scan(self) -> tuple[ScanReport | None, bool]:
        """Return the latest full scan's report and whether a scan runs now."""
        return self._discovery.last_report, self._discovery.scanning

    def rescan(self, actor: Actor) -> ScanReport:
        """Scan every group again now; Conflict when a scan already runs."""
        if self._discovery.scanning:
            raise Conflict("A scan is running already; wait for its result.")
        report = self._discovery.scan_all()
        details = {"groups": report.groups, "scripts": report.scripts, "problems": report.problems}
        self._audit.record(actor, "catalog.rescan", None, details, scope="admin")
        self._db.session.commit()
        return report

    @staticmethod
    def _active_scripts() -> Select:
        return (
            select(Script, ScriptGroup)
            .join(ScriptGroup, ScriptGroup.id == Script.group_id)
            .where(Script.is_active.is_(True), ScriptGroup.is_active.is_(True))
        )
