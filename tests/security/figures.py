"""The security suite's figures: what each class of attacks tried and saw, and its table.

:data:`FIGURES` is the one collector. The hooks of ``conftest.py`` file each test under
its class; a :class:`~tests.security.clients.Client` records every answer (its (route,
role) cell, and any 5xx); a :class:`BadInputs` tally counts the bad inputs tried and
accepted. :meth:`Figures.write_table` prints it all at the end of the session.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

# The HTML pages' path templates (the API's come from /api/openapi.json).
PAGE_TEMPLATES = (
    "/", "/login", "/setup", "/auth/window", "/groups/{group_id}", "/scripts/{script_id}",
    "/logs", "/logs/{execution_id}", "/account", "/tags", "/admin/users", "/admin/interfaces",
    "/admin/data",
    "/admin/runs", "/admin/audit", "/admin/system-logs", "/admin/permissions",
    "/admin/environments", "/admin/discovery", "/admin/documentation", "/admin/configuration",
    "/admin/retention",
    "/interfaces/{session_id}/", "/interfaces/{session_id}/app/{path}", "/socket.io/",
    "/assets/{path}",
)  # fmt: skip


@dataclass
class ClassFigures:
    """What one class of attacks tried and saw."""

    tests: set[str] = field(default_factory=set)
    tried: int = 0
    accepted: int = 0
    server_errors: int = 0
    cells: set[tuple[str, str]] = field(default_factory=set)


class Figures:
    """Counts per class; 5xx answers per test."""

    def __init__(self) -> None:
        self.classes: dict[str, ClassFigures] = {}
        self.current_class = "setup"
        self.current_test = ""
        self.errors: dict[str, list[str]] = {}
        self.templates: list[tuple[re.Pattern[str], str]] = []
        self._lock = threading.Lock()

    def begin(self, nodeid: str, security_class: str) -> None:
        """File what follows under a test and its class."""
        self.current_test, self.current_class = nodeid, security_class
        self.of(security_class).tests.add(nodeid)

    def of(self, name: str) -> ClassFigures:
        """Return the figures of a class (created on first use)."""
        return self.classes.setdefault(name, ClassFigures())

    def bad_input(self, accepted: bool) -> None:
        """Count one bad input of the current class."""
        with self._lock:
            figures = self.of(self.current_class)
            figures.tried += 1
            figures.accepted += int(accepted)

    def response(self, method: str, path: str, role: str, status: int, note: str = "") -> None:
        """Record one answer: its (route, role) cell and whether it was a 5xx."""
        with self._lock:
            figures = self.of(self.current_class)
            route = self.route_of(path)
            if route:
                figures.cells.add((f"{method} {route}", role))
            if status >= 500:
                figures.server_errors += 1
                line = f"{status} for {method} {path} as {role} {note}".rstrip()
                self.errors.setdefault(self.current_test, []).append(line)

    def learn_routes(self, openapi: dict[str, Any]) -> None:
        """Know the API's path templates (and the pages'), to name the cells."""
        if self.templates:
            return
        for template in [*openapi["paths"], *PAGE_TEMPLATES]:
            pattern = re.escape(template)
            pattern = re.sub(r"\\\{(path|filename)\\\}", ".+", pattern)
            pattern = re.sub(r"\\\{\w+\\\}", "[^/]+", pattern)
            self.templates.append((re.compile(f"^{pattern}$"), template))
        self.templates.sort(key=lambda item: item[1].count("{"))

    def route_of(self, path: str) -> str | None:
        """Return the template a path matches, None when it matches none."""
        bare = path.split("?", 1)[0]
        for pattern, template in self.templates:
            if pattern.match(bare):
                return template
        return None

    def write_table(self, terminalreporter) -> None:
        """Print the table: per class, tests, bad inputs, accepted, 5xx, cells (if any ran)."""
        ran = {k: v for k, v in self.classes.items() if v.tests and k != "setup"}
        rows = {k: v for k, v in ran.items() if v.tried or v.cells}
        if not ran:
            return
        write = terminalreporter.write_line
        terminalreporter.section("security figures")
        header = f"{'class':<28} {'tests':>5} {'bad inputs':>10} {'accepted':>8} {'5xx':>5} "
        write(header + f"{'routes x roles':>14}")
        total = ClassFigures()
        for name, row in sorted(rows.items()):
            write(_row(name, row))
            total.tests |= row.tests
            total.tried, total.accepted = total.tried + row.tried, total.accepted + row.accepted
            total.server_errors += row.server_errors
            total.cells |= row.cells
        write(_row("all classes", total))
        uncounted = sorted(set(ran) - set(rows))
        if uncounted:  # modules with their own clients (e.g. the Schemathesis fuzzing)
            write(f"not counted here (own clients): {', '.join(uncounted)}")


def _row(name: str, row: ClassFigures) -> str:
    return (
        f"{name:<28} {len(row.tests):>5} {row.tried:>10} {row.accepted:>8} "
        f"{row.server_errors:>5} {len(row.cells):>14}"
    )


FIGURES = Figures()


class BadInputs:
    """The bad inputs of one test: each is refused, or listed as accepted."""

    def __init__(self) -> None:
        self.accepted: list[str] = []
        self.tried = 0

    def check(self, refused: bool, detail: str) -> bool:
        """Count one bad input; remember it when it was accepted. Return ``refused``."""
        self.tried += 1
        FIGURES.bad_input(not refused)
        if not refused:
            self.accepted.append(detail)
        return refused

    def assert_none(self) -> None:
        """Fail when any bad input was accepted (and when none was tried)."""
        assert self.tried, "no bad input was tried"
        listed = "\n".join(self.accepted[:40])
        assert not self.accepted, f"{len(self.accepted)}/{self.tried} accepted:\n{listed}"
