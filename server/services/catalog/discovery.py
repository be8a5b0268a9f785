"""Discovery: mirror the script-groups folder into the database.

A group is a sub-folder with a ``metadata.json``; a script is a ``*.py`` file in it not
starting with ``_``. Headers are re-read only when a file's size or mtime changed. Scripts
and groups whose files vanish are marked inactive (their history stays) and come back
when the files do.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from server.database import Database
from server.models import Script, ScriptGroup, utcnow
from server.services.catalog.fields import (
    GROUP_FIELDS,
    SCRIPT_FILE_FIELDS,
    TagRules,
    clean_fields_leniently,
)
from server.services.catalog.header import read_header
from server.services.catalog.scan_warnings import stored
from server.services.catalog.view import effective_group, effective_script
from server.services.messages import Message
from server.services.presets.examples import example_warnings

logger = logging.getLogger(__name__)

GROUP_FILE = "metadata.json"
SCRIPT_FILE = Path("scripts") / "script_metadata.json"
NOT_AN_OBJECT = "{file} must be a JSON object"


@dataclass(frozen=True)
class ScanReport:
    """What one scan saw and did."""

    groups: int
    scripts: int
    parsed: int
    seconds: float
    finished_at: datetime | None = None  # UTC, naive like the database's times
    problems: int = 0  # active groups and scripts with warnings


class Discovery:
    """Scan the groups folder and keep ``script_groups`` and ``scripts`` in step with it."""

    def __init__(self, db: Database, root: Path, rules: TagRules) -> None:
        self._db = db
        self.root = root
        self._rules = rules
        self._lock = threading.Lock()
        self.last_report: ScanReport | None = None  # of the latest full scan

    @property
    def scanning(self) -> bool:
        """Return True while a scan holds the catalog."""
        return self._lock.locked()

    def scan_all(self) -> ScanReport:
        """Scan every group folder; deactivate groups whose folder is gone."""
        started = time.perf_counter()
        with self._lock:
            session = self._db.session
            known = {g.folder: g for g in session.scalars(select(ScriptGroup))}
            found = self._group_folders()
            parsed = scripts = 0
            for name, path in found.items():
                group, group_parsed, group_scripts = self._sync_group(known.get(name), path)
                parsed, scripts = parsed + group_parsed, scripts + group_scripts
            for name, group in known.items():
                if name not in found and group.is_active:
                    self._deactivate_group(group)
            session.commit()
            problems = self._problem_count()
        seconds = time.perf_counter() - started
        report = ScanReport(len(found), scripts, parsed, seconds, utcnow(), problems)
        self.last_report = report
        logger.info(
            "scan: %s groups, %s scripts, %s parsed in %.3fs",
            report.groups, report.scripts, report.parsed, report.seconds,
        )  # fmt: skip
        return report

    def scan_group(self, folder: str) -> ScriptGroup | None:
        """Scan one group folder (by folder name); return the group, None when it is gone."""
        with self._lock:
            session = self._db.session
            group = session.scalar(select(ScriptGroup).where(ScriptGroup.folder == folder))
            path = self.root / folder
            if (path / GROUP_FILE).is_file() and self.contains(path):
                group = self._sync_group(group, path)[0]
            elif group is not None and group.is_active:
                self._deactivate_group(group)
            session.commit()
            return group

    def _problem_count(self) -> int:
        session = self._db.session
        groups = select(ScriptGroup.warnings).where(ScriptGroup.is_active.is_(True))
        scripts = select(Script.warnings).where(Script.is_active.is_(True))
        warned = [*session.scalars(groups), *session.scalars(scripts)]
        return sum(1 for warnings in warned if warnings)

    def _group_folders(self) -> dict[str, Path]:
        if not self.root.is_dir():
            logger.warning("script groups folder %s does not exist", self.root)
            return {}
        return {
            path.name: path
            for path in sorted(self.root.iterdir())
            if path.is_dir()
            and not path.name.startswith((".", "_"))
            and (path / GROUP_FILE).is_file()
            and self.contains(path)
        }

    def contains(self, path: Path) -> bool:
        """Return True when the real path (links followed) lies under the groups folder."""
        inside = path.resolve().is_relative_to(self.root.resolve())
        if not inside:
            logger.warning("%s leads outside the script groups folder: ignored", path)
        return inside

    def _sync_group(self, group: ScriptGroup | None, path: Path) -> tuple[ScriptGroup, int, int]:
        session = self._db.session
        declared, warnings = self._read_json_fields(path / GROUP_FILE, GROUP_FIELDS)
        for warning in example_warnings(path):
            logger.warning("group %s: %s", path.name, warning)
            warnings.append(warning)
        if group is None:
            group = ScriptGroup(folder=path.name, edited={}, required_level="operator", name="")
            session.add(group)
        group.directory_path = str(path)
        group.declared, group.warnings = declared, stored(warnings)
        group.is_active, group.last_scanned = True, utcnow()
        meta = effective_group(group)
        group.name = meta["name"].get("en") or path.name
        group.description = meta["description"].get("en")
        group.required_level = meta["required_level"]
        group.conda_environment = meta.get("conda_environment")
        session.flush()
        parsed, count = self._sync_scripts(group, path)
        return group, parsed, count

    def _sync_scripts(self, group: ScriptGroup, path: Path) -> tuple[int, int]:
        session = self._db.session
        entries, file_warnings = self._script_file_entries(path)
        known = {
            s.filename: s
            for s in session.scalars(select(Script).where(Script.group_id == group.id))
        }
        files = sorted(
            p
            for p in path.glob("*.py")
            if not p.name.startswith("_") and p.is_file() and self.contains(p)
        )
        parsed = 0
        for file in files:
            script = known.pop(file.name, None)
            if script is None:
                script = Script(group_id=group.id, filename=file.name, edited={}, declared={})
                session.add(script)
            entry, entry_warnings = entries.get(file.name, ({}, []))
            parsed += self._sync_script(script, group, file, entry, entry_warnings + file_warnings)
        for script in known.values():
            script.is_active = False
        return parsed, len(files)

    def _sync_script(
        self,
        script: Script,
        group: ScriptGroup,
        file: Path,
        entry: dict[str, Any],
        entry_warnings: list[Message],
    ) -> int:
        stat = file.stat()
        declared = dict(script.declared or {})
        unchanged = script.file_size == stat.st_size and script.file_mtime_ns == stat.st_mtime_ns
        # warnings kept as plain text (before they were stored as messages) are read again
        legacy = any(isinstance(w, str) for w in declared.get("header_warnings") or [])
        needs_parse = not unchanged or "header" not in declared or legacy
        if needs_parse:
            header = read_header(file)
            values, problems = clean_fields_leniently(
                header.values, self._rules, SCRIPT_FILE_FIELDS
            )
            declared["header"] = values
            declared["header_warnings"] = stored(header.warnings + problems)
            script.file_size, script.file_mtime_ns = stat.st_size, stat.st_mtime_ns
        declared["file"], declared["file_warnings"] = entry, stored(entry_warnings)
        script.declared = declared
        script.warnings = declared["header_warnings"] + declared["file_warnings"]
        script.is_active = True
        script.last_modified = datetime.fromtimestamp(stat.st_mtime, UTC).replace(tzinfo=None)
        refresh_columns(script, group)
        return int(needs_parse)

    def _script_file_entries(
        self, path: Path
    ) -> tuple[dict[str, tuple[dict[str, Any], list[Message]]], list[Message]]:
        file = path / SCRIPT_FILE
        if not file.is_file():
            return {}, []
        document, problem = _load_json(file)
        if problem or not isinstance(document, dict):
            return {}, [problem or Message(NOT_AN_OBJECT, file=SCRIPT_FILE.as_posix())]
        entries = {}
        for filename, raw in document.items():
            if not isinstance(raw, dict):
                problem = Message(
                    "{file}: {entry} is not an object", file=SCRIPT_FILE.as_posix(), entry=filename
                )
                entries[filename] = ({}, [problem])
                continue
            entries[filename] = clean_fields_leniently(raw, self._rules, SCRIPT_FILE_FIELDS)
        return entries, []

    def _read_json_fields(
        self, file: Path, allowed: tuple[str, ...]
    ) -> tuple[dict[str, Any], list[Message]]:
        document, problem = _load_json(file)
        if problem:
            return {}, [problem]
        if not isinstance(document, dict):
            return {}, [Message(NOT_AN_OBJECT, file=file.name)]
        return clean_fields_leniently(document, self._rules, allowed)

    def _deactivate_group(self, group: ScriptGroup) -> None:
        group.is_active = False
        for script in self._db.session.scalars(select(Script).where(Script.group_id == group.id)):
            script.is_active = False


def refresh_columns(script: Script, group: ScriptGroup) -> None:
    """Copy the effective metadata into the script's queryable columns."""
    meta = effective_script(script, group)
    script.display_name = (meta["display_name"].get("en") or script.filename)[:100]
    script.description = meta["description"].get("en")
    script.description_long_path = meta["description_long"].get("en")
    script.tags = ",".join(meta["tags"])
    script.required_level = meta["required_level"]
    script.category = meta.get("category")
    script.parameters = meta["parameters"]


def _load_json(file: Path) -> tuple[Any, Message | None]:
    """Return a file's JSON document, or None and what prevents reading it."""
    try:
        return json.loads(file.read_text(encoding="utf-8-sig")), None
    except UnicodeDecodeError:
        return None, Message("{file} is not UTF-8 text", file=file.name)
    except ValueError as exc:
        return None, Message("{file} is not valid JSON: {error}", file=file.name, error=str(exc))
    except OSError as exc:
        return None, Message("{file} cannot be read: {error}", file=file.name, error=exc.strerror)
