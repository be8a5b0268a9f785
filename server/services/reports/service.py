"""Build a run's report in the reader's language from its record and log file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_datetime
from babel.numbers import format_decimal

from server.models import ExecutionLog
from server.services.catalog.parameters import value_text
from server.services.i18n import Translations
from server.services.logs import LogService
from server.services.reports.excerpt import Excerpt, read_excerpt
from server.services.reports.facts import Brand, RunFacts

WORDS = ("heading", "parameters", "output", "page", "none")
NONE = "—"


@dataclass(frozen=True)
class _Words:
    """The report's words, numbers and times in one language."""

    i18n: Translations
    language: str

    def __call__(self, key: str, **values: object) -> str:
        return self.i18n.translate(f"report.{key}", self.language, **values)

    def number(self, value: float, unit: str = "") -> str:
        return f"{format_decimal(value, locale=self.language)}{unit}"

    def moment(self, value: datetime | None) -> str:
        return f"{format_datetime(value, 'medium', locale=self.language)} UTC" if value else NONE


class RunReports:
    """PDF reports of runs (the caller has checked that the reader may see the run)."""

    def __init__(self, logs: LogService, i18n: Translations, brand: Brand) -> None:
        self._logs = logs
        self._i18n = i18n
        self._brand = brand

    def pdf(self, record: ExecutionLog, language: str) -> bytes:
        """Return the run's report as PDF bytes."""
        from server.services.reports.run_pdf import render_run_pdf  # fpdf: only when drawn

        return render_run_pdf(self.facts(record, language), self._brand)

    def facts(self, record: ExecutionLog, language: str) -> RunFacts:
        """Return what the report says about a run, in ``language``."""
        words = _Words(self._i18n, language)
        excerpt = read_excerpt(self._logs.log_file(record))
        parameters = [
            (name, value_text(value)) for name, value in (record.parameters or {}).items()
        ]
        return RunFacts(
            title=record.script_name or "",
            rows=self._rows(record, words),
            parameters=parameters,
            excerpt=excerpt,
            omitted_note=_omitted(excerpt, words),
            words={word: words(word) for word in WORDS},
        )

    def _rows(self, record: ExecutionLog, words: _Words) -> list[tuple[str, str]]:
        users, projects = self._logs.labels([record])
        end, start = record.end_time, record.start_time
        seconds = (end - start).total_seconds() if end and start else None
        environment = record.environment or {}
        return [
            (words("run"), record.execution_uuid),
            (words("user"), users.get(record.user_id, NONE)),
            (words("project"), projects.get(record.project_id, NONE)),
            (words("status"), self._i18n.translate(f"status.{record.status}", words.language)),
            (words("exit_code"), NONE if record.exit_code is None else str(record.exit_code)),
            (words("started"), words.moment(start)),
            (words("ended"), words.moment(end)),
            (words("duration"), NONE if seconds is None else words.number(round(seconds, 1), " s")),
            (words("resources"), _resources(record, words)),
            (words("interpreter"), environment.get("python") or record.conda_environment or NONE),
        ]


def _omitted(excerpt: Excerpt, words: _Words) -> str:
    return words(
        "omitted",
        omitted=words.number(excerpt.omitted),
        total=words.number(excerpt.total),
        first=words.number(len(excerpt.head) + 1),
        last=words.number(excerpt.total - len(excerpt.tail)),
    )


def _resources(record: ExecutionLog, words: _Words) -> str:
    memory, cpu = record.peak_memory_bytes, record.cpu_seconds
    shown = words.number(round(memory / 2**20, 1), " MiB") if memory else NONE
    used = words.number(round(cpu, 2), " s CPU") if cpu is not None else NONE
    return f"{shown} · {used}"
