"""The edit history of script documentation: versions recorded on save, compared, restored."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from server.database import Database
from server.models import DocVersion, Script, ScriptGroup, utcnow
from server.services.audit import Actor
from server.services.errors import Conflict, NotFound

if TYPE_CHECKING:  # the documents service takes the versions store, the history both
    from server.services.catalog.docs import DocsService, LongDescription

DIFF_CONTEXT = 3  # unchanged lines shown around each change


@dataclass(frozen=True)
class DiffLine:
    """One line of a unified diff: a hunk header, or a context, added or removed line."""

    kind: str  # "hunk" | "context" | "added" | "removed"
    text: str


@dataclass(frozen=True)
class DocDiff:
    """What changed from one version (None: the empty document) to another."""

    from_version: int | None
    to_version: int
    lines: list[DiffLine]


class DocVersions:
    """Store and read the recorded versions of each script's document, per language."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def record(
        self,
        script_id: int,
        language: str,
        on_disk: str | None,
        text: str,
        actor: Actor,
        source: str = "edit",
    ) -> DocVersion | None:
        """Record a saved text as the next version; return it, None when nothing changed.

        What the file held before the save is recorded first (source "file", no author)
        when no version has it yet, so an edit made outside the app is never lost. Raise
        Conflict when another save took the same version number at the same moment."""
        latest = self.latest(script_id, language)
        if on_disk is not None and (latest is None or latest.markdown != on_disk):
            latest = self._add(script_id, language, on_disk, None, "file", latest)
        if latest is not None and latest.markdown == text:
            return None
        return self._add(script_id, language, text, actor, source, latest)

    def latest(self, script_id: int, language: str) -> DocVersion | None:
        """Return the newest version of a document, None when none is recorded."""
        query = (
            select(DocVersion)
            .where(DocVersion.script_id == script_id, DocVersion.language == language)
            .order_by(DocVersion.version.desc())
            .limit(1)
        )
        return self._db.session.scalar(query)

    def page(
        self, script_id: int, language: str, page: int, per_page: int
    ) -> tuple[list[DocVersion], int]:
        """Return one page of versions, newest first, without their text; and the total."""
        where = (DocVersion.script_id == script_id, DocVersion.language == language)
        session = self._db.session
        total = session.scalar(select(func.count()).select_from(DocVersion).where(*where)) or 0
        rows = session.scalars(
            select(DocVersion)
            .options(defer(DocVersion.markdown))
            .where(*where)
            .order_by(DocVersion.version.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
        return list(rows), total

    def get(self, script_id: int, language: str, version: int) -> DocVersion:
        """Return one version; raise NotFound when the document has no such version."""
        row = self._db.session.scalar(
            select(DocVersion).where(
                DocVersion.script_id == script_id,
                DocVersion.language == language,
                DocVersion.version == version,
            )
        )
        if row is None:
            raise NotFound("Version {version} of this document does not exist.", version=version)
        return row

    def _add(
        self,
        script_id: int,
        language: str,
        text: str,
        actor: Actor | None,
        source: str,
        latest: DocVersion | None,
    ) -> DocVersion:
        """Add the version after ``latest``; raise Conflict when its number is taken."""
        row = DocVersion(
            script_id=script_id,
            language=language,
            version=(latest.version if latest else 0) + 1,
            markdown=text,
            size=len(text.encode("utf-8")),
            author_id=actor.user_id if actor else None,
            author_name=actor.username if actor else None,
            created_at=utcnow(),
            source=source,
        )
        session = self._db.session
        session.add(row)
        try:
            session.flush()
        except IntegrityError as exc:  # a concurrent save took the number first
            session.rollback()
            raise Conflict(
                "The document was saved by someone else at the same moment; try again."
            ) from exc
        return row


class DocHistory:
    """List, compare and restore the versions of script documents."""

    def __init__(self, versions: DocVersions, docs: DocsService) -> None:
        self._versions = versions
        self._docs = docs

    def versions(
        self, script: Script, language: str, page: int, per_page: int
    ) -> tuple[list[DocVersion], int]:
        """Return one page of a document's versions, newest first, and the total."""
        return self._versions.page(script.id, language, page, per_page)

    def version(self, script: Script, language: str, number: int) -> DocVersion:
        """Return one version; raise NotFound when there is no such version."""
        return self._versions.get(script.id, language, number)

    def html(self, group: ScriptGroup, version: DocVersion) -> str:
        """Return a version rendered as the documentation viewer shows it (sanitised)."""
        return self._docs.render(group, version.markdown)

    def diff(
        self, script: Script, language: str, number: int, against: int | None = None
    ) -> DocDiff:
        """Compare version ``number`` with ``against`` (default: the version before it;
        version 1 is compared with the empty document). Raise NotFound for a version the
        document lacks."""
        target = self._versions.get(script.id, language, number)
        if against is None and number > 1:
            against = number - 1
        before = (
            "" if against is None else self._versions.get(script.id, language, against).markdown
        )
        return DocDiff(against, number, diff_lines(before, target.markdown))

    def restore(
        self, script: Script, group: ScriptGroup, language: str, number: int, actor: Actor
    ) -> LongDescription:
        """Write a version back as the current document (a new version, audited)."""
        version = self._versions.get(script.id, language, number)
        return self._docs.save(script, group, language, version.markdown, actor, restored=number)


def diff_lines(before: str, after: str) -> list[DiffLine]:
    """Return the unified diff of two texts as typed lines, without the file headers."""
    kinds = {"@": "hunk", " ": "context", "+": "added", "-": "removed"}
    found = difflib.unified_diff(
        before.splitlines(), after.splitlines(), lineterm="", n=DIFF_CONTEXT
    )
    lines = []
    for index, line in enumerate(found):
        if index < 2:  # the "---" and "+++" headers
            continue
        kind = kinds.get(line[:1], "context")
        lines.append(DiffLine(kind, line if kind == "hunk" else line[1:]))
    return lines
