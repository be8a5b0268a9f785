"""Long descriptions: ``docs/<script>[_<lang>].md`` in the group folder, read and written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from server.database import Database
from server.models import Script, ScriptGroup
from server.services.atomic_files import replace_text
from server.services.audit import Actor, AuditLog
from server.services.catalog.doc_history import DocVersions
from server.services.catalog.markdown_render import Linker, render_markdown
from server.services.catalog.parameters import localise
from server.services.catalog.view import effective_script
from server.services.errors import Conflict, InvalidInput
from server.services.storage import storage_error
from server.settings import LANGUAGES

MAX_DOC_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class LongDescription:
    """A script's documentation in one language."""

    language: str  # the language actually shown (English when the asked one is missing)
    markdown: str
    html: str
    exists: bool
    available: list[str]


class DocsService:
    """Find, render and save the Markdown documentation of scripts."""

    def __init__(self, db: Database, audit: AuditLog, versions: DocVersions) -> None:
        self._db = db
        self._audit = audit
        self._versions = versions

    def read(self, script: Script, group: ScriptGroup, language: str) -> LongDescription:
        """Return the documentation in ``language``, else English, else a template."""
        available = self.languages(script, group)
        for candidate in (language, "en"):
            if candidate in available:
                text = self._path(script, group, candidate).read_text("utf-8", errors="replace")
                return LongDescription(candidate, text, self.render(group, text), True, available)
        template = self.template(script, group, language)
        return LongDescription(language, template, render_markdown(template), False, available)

    def render(self, group: ScriptGroup, text: str) -> str:
        """Return Markdown of a group's document as sanitised HTML, links to scripts resolved."""
        return render_markdown(text, self._linker(group))

    def _linker(self, group: ScriptGroup) -> Linker:
        """Return how links to other scripts' docs resolve: by file name, in this group or
        in a named one."""

        def page(folder: str | None, name: str) -> str | None:
            query = (
                select(Script.id)
                .join(ScriptGroup)
                .where(
                    Script.is_active.is_(True),
                    Script.filename == f"{name}.py",
                    ScriptGroup.folder == (folder or group.folder),
                )
            )
            script_id = self._db.session.scalar(query)
            return f"/scripts/{script_id}" if script_id is not None else None

        return page

    def languages(self, script: Script, group: ScriptGroup) -> list[str]:
        """Return the languages the script has a document in."""
        return [lang for lang in LANGUAGES if self._path(script, group, lang).is_file()]

    def save(
        self,
        script: Script,
        group: ScriptGroup,
        language: str,
        text: str,
        actor: Actor,
        restored: int | None = None,
    ) -> LongDescription:
        """Write the documentation of one language atomically, creating docs/ if needed, and
        record it as a version; ``restored`` names the version written back."""
        if language not in LANGUAGES:
            raise InvalidInput(
                "language must be one of {choices}.", field="language", choices=", ".join(LANGUAGES)
            )
        if len(text.encode("utf-8")) > MAX_DOC_BYTES:
            raise InvalidInput("The document is larger than 2 MiB.", field="markdown")
        path = self._path(script, group, language)
        source = "edit" if restored is None else "restore"
        # The versions first (a clash is refused before the file changes), then the file.
        self._versions.record(script.id, language, self._on_disk(path), text, actor, source)
        self._write(path, text)
        details: dict[str, Any] = {"language": language, "file": path.name}
        if restored is not None:
            details["version"] = restored
        self._audit.record(actor, f"docs.{source}", f"script:{script.id}", details)
        self._db.session.commit()
        return self.read(script, group, language)

    @staticmethod
    def _on_disk(path: Path) -> str | None:
        """Return what the document file holds now, None when there is none."""
        try:
            return path.read_text("utf-8", errors="replace") if path.is_file() else None
        except OSError:
            return None

    def _write(self, path: Path, text: str) -> None:
        """Write the file atomically; on failure nothing of this save is kept."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            replace_text(path, text)
        except OSError as exc:
            self._db.session.rollback()
            full = storage_error(exc)
            if full is not None:
                raise full from exc
            raise Conflict(
                "The documentation cannot be written: {reason}.", reason=exc.strerror
            ) from exc

    def template(self, script: Script, group: ScriptGroup, language: str) -> str:
        """Return a starting document built from the script's metadata."""
        meta = effective_script(script, group)
        title = localise(meta["display_name"], language) or script.filename
        lines = [f"# {title}", "", localise(meta["description"], language) or "", ""]
        if meta["parameters"]:
            lines += [
                "## Parameters",
                "",
                "| name | type | unit | description |",
                "|---|---|---|---|",
            ]
            for param in meta["parameters"]:
                description = localise(param.get("description"), language) or ""
                lines.append(
                    f"| `{param['name']}` | {param.get('type', 'string')} | "
                    f"{param.get('unit', '')} | {description} |"
                )
            lines.append("")
        lines += ["## Method", "", "## Results", ""]
        return "\n".join(lines)

    def _path(self, script: Script, group: ScriptGroup, language: str) -> Path:
        """Return the document path of a language, always inside the group folder."""
        folder = Path(group.directory_path).resolve()
        declared = localise_exact(effective_script(script, group)["description_long"], language)
        stem = script.filename.removesuffix(".py")
        default = f"docs/{stem}.md" if language == "en" else f"docs/{stem}_{language}.md"
        for relative in (declared, default):
            if not relative:
                continue
            candidate = (folder / relative).resolve()
            if candidate.is_relative_to(folder) and candidate.suffix == ".md":
                return candidate
        return folder / default


def localise_exact(value: Any, language: str) -> str | None:
    """Return the value for exactly ``language`` (no fallback)."""
    return value.get(language) if isinstance(value, dict) else None
