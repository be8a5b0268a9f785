"""What a run report shows and whose brand it carries (without the PDF library, which is
loaded only when a report is drawn)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from server.services.reports.excerpt import Excerpt


@dataclass(frozen=True)
class RunFacts:
    """What the report says, already in the reader's language."""

    title: str
    rows: list[tuple[str, str]]
    parameters: list[tuple[str, str]]
    excerpt: Excerpt
    omitted_note: str = ""
    words: dict[str, str] = field(default_factory=dict)  # heading, parameters, output, page ...


@dataclass(frozen=True)
class Brand:
    """The corporate name and logo on every page."""

    name: str
    logo: Path | None
