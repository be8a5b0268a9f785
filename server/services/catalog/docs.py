"""Long descriptions: ``docs/<script>[_<lang>].md`` in the group folder, read and written."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from server.database import Database
from server.models import Script, ScriptGroup
from server.services.audit import Actor, AuditLog
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

    def __init__(self, db: Database, audit: AuditLog) -> None:
        self._db = db
        self._audit = audit

    def read(self, script: Script, group: ScriptGroup, language: str) -> LongDescription:
        """Return the documentation in ``language``, else English, else a template."""
        available = self.languages(script, group)
        for candidate in (language, "en"):
            if candidate in available:
                text = self._path(script, group, candidate).read_text("utf-8", errors="replace")
                html = render_markdown(text, self._linker(group))
                return LongDescription(candidate, text, html, True, available)
        template = self.template(script, group, language)
        return LongDescription(language, template, render_markdown(template), False, available)

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
        self, script: Script, group: ScriptGroup, language: str, text: str, actor: Actor
    ) -> LongDescription:
        """Write the documentation of one language atomically, creating docs/ if needed."""
        if language not in LANGUAGES:
            raise InvalidInput(f"language must be one of {', '.join(LANGUAGES)}.", field="language")
        if len(text.encode("utf-8")) > MAX_DOC_BYTES:
            raise InvalidInput("The document is larger than 2 MiB.", field="markdown")
        path = self._path(script, group, language)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(path, text)
        except OSError as exc:
            full = storage_error(exc)
            if full is not None:
                raise full from exc
            raise Conflict(f"The documentation cannot be written: {exc.strerror}.") from exc
        self._audit.record(
            actor, "docs.edit", f"script:{script.id}", {"language": language, "file": path.name}
        )
        self._db.session.commit()
        return self.read(script, group, language)

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


def _atomic_write(path: Path, text: str) -> None:
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
