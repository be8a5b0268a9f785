"""Options listed by a command: resolve, run once per key, cache, rate-limit, check at run.

A result is kept per (script, declaration, command line, user level, language) for the
declaration's ``cache_seconds``; identical requests that arrive while the command runs
wait for that one run. Each user may start ``per_minute`` commands a minute.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from server.models import Script, ScriptGroup
from server.services.catalog import options_from
from server.services.catalog.environments import EnvironmentService
from server.services.catalog.option_command import (
    Command,
    OptionsUnavailable,
    command_environment,
    run_command,
)
from server.services.catalog.parameters import coerce, value_text
from server.services.catalog.view import effective_script
from server.services.errors import InvalidInput, NotFound, ServiceError, Throttled
from server.services.execution.run import Runner

logger = logging.getLogger(__name__)

PER_MINUTE = 30
MAX_ENTRIES = 200  # cached results kept at most (each up to 256 KiB); the oldest go first


@dataclass(frozen=True)
class OptionList:
    """A parameter's current options."""

    options: list[str]
    cached: bool
    depends_on: list[str]


@dataclass
class _Flight:
    """A command being run; identical requests wait on ``done``."""

    done: threading.Event = field(default_factory=threading.Event)
    options: list[str] | None = None
    error: ServiceError | None = None
    waiters: int = 0


class CommandRate:
    """Count the commands each user starts over a sliding minute."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._starts: dict[int, deque[float]] = {}
        self._lock = threading.Lock()

    def take(self, user_id: int) -> None:
        """Count one command of the user; raise Throttled past the limit."""
        now = self._clock()
        with self._lock:
            starts = self._starts.setdefault(user_id, deque())
            while starts and starts[0] <= now - 60:
                starts.popleft()
            if len(starts) >= self.per_minute:
                wait = max(1, int(starts[0] + 60 - now + 0.999))
                raise Throttled(
                    "Too many option lists were asked for; wait {seconds} s and try again.",
                    retry_after=wait, seconds=wait,
                )  # fmt: skip
            starts.append(now)


class DynamicOptions:
    """List the options of ``options_from`` parameters and check submitted values."""

    def __init__(
        self,
        environments: EnvironmentService,
        groups_root: Path,
        conda_fallback: bool,
        memory_limit_mb: int = 0,
        rate: CommandRate | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._environments = environments
        self._groups_root = groups_root
        self._fallback = conda_fallback
        self._memory_limit_mb = memory_limit_mb
        self._rate = rate or CommandRate(PER_MINUTE, clock)
        self._clock = clock
        self._cache: OrderedDict[tuple, tuple[float, list[str]]] = OrderedDict()
        self._flights: dict[tuple, _Flight] = {}
        self._lock = threading.Lock()

    def options(
        self, script: Script, group: ScriptGroup, name: str, values: Any, asker: Runner
    ) -> OptionList:
        """Return a parameter's options for the other parameters' current ``values``.

        NotFound when the script has no such dynamic parameter, InvalidInput for bad
        values, Throttled past the rate, OptionsUnavailable when the command fails."""
        params = effective_script(script, group)["parameters"]
        param = next((p for p in params if p["name"] == name), None)
        if param is None or not options_from.is_dynamic(param):
            raise NotFound("{field}: this parameter does not list its options.", field=name)
        if not isinstance(values, dict):
            raise InvalidInput("values must be a JSON object.", field="values")
        current = _current_values(params, param, values)
        options, cached = self._fetch(script, group, param, current, asker, limited=True)
        return OptionList(options, cached, options_from.depends_on(param))

    def check(
        self,
        script: Script,
        group: ScriptGroup,
        params: list[dict[str, Any]],
        values: dict[str, Any],
        asker: Runner,
    ) -> None:
        """Raise InvalidInput unless each dynamic value is among the options its command
        gives for the other ``values`` (the cleaned values of a run)."""
        for param in params:
            name = param["name"]
            if not options_from.is_dynamic(param) or values.get(name) is None:
                continue
            texts = {dep: value_text(values.get(dep)) for dep in options_from.depends_on(param)}
            options, _cached = self._fetch(script, group, param, texts, asker, limited=False)
            chosen = values[name] if isinstance(values[name], list) else [values[name]]
            bad = next((item for item in chosen if str(item) not in options), None)
            if bad is not None:
                raise InvalidInput(
                    "{field}: {value!r} is not one of the options.", field=name, value=bad
                )

    def waiting(self) -> int:
        """Return how many requests wait for a command that another request runs."""
        with self._lock:
            return sum(flight.waiters for flight in self._flights.values())

    def _fetch(
        self,
        script: Script,
        group: ScriptGroup,
        param: dict[str, Any],
        current: dict[str, str],
        asker: Runner,
        limited: bool,
    ) -> tuple[list[str], bool]:
        """Return (options, whether they were not run for this request)."""
        command = self._command(script, group, param, current, asker)
        declaration = json.dumps(param[options_from.KEY], sort_keys=True)
        key = (script.id, declaration, tuple(command.argv), asker.level, asker.language)
        with self._lock:
            kept = self._cache.get(key)
            if kept is not None and kept[0] > self._clock():
                return kept[1], True
            flight = self._flights.get(key)
            leader = flight is None
            if flight is None:
                flight = self._flights[key] = _Flight()
            else:
                flight.waiters += 1
        if not leader:
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            if flight.options is None:  # the run failed unexpectedly: try again ourselves
                return self._fetch(script, group, param, current, asker, limited)
            return list(flight.options), True
        try:
            if limited:
                self._rate.take(asker.user_id)
            flight.options = self._run(command, script)
        except ServiceError as exc:
            flight.error = exc
            raise
        finally:
            self._settle(key, flight, options_from.cache_seconds_of(param))
        return flight.options, False

    def _settle(self, key: tuple, flight: _Flight, seconds: int) -> None:
        """Keep a successful result for ``seconds``, then release the waiting requests."""
        with self._lock:
            if flight.options is not None and seconds > 0:
                self._cache[key] = (self._clock() + seconds, flight.options)
                self._cache.move_to_end(key)
                while len(self._cache) > MAX_ENTRIES:
                    self._cache.popitem(last=False)
            self._flights.pop(key, None)
        flight.done.set()

    def _run(self, command: Command, script: Script) -> list[str]:
        try:
            return run_command(command)
        except OptionsUnavailable as exc:
            logger.warning("options of %s in script %s: %s", command.field, script.id, exc)
            raise

    def _command(
        self,
        script: Script,
        group: ScriptGroup,
        param: dict[str, Any],
        current: dict[str, str],
        asker: Runner,
    ) -> Command:
        """Return the command for a parameter: the group's Python, the helper, arguments."""
        name, source = param["name"], param[options_from.KEY]["command"]
        folder = (Path(group.directory_path) / script.filename).parent.resolve()
        if not folder.is_relative_to(self._groups_root.resolve()):
            raise NotFound(
                "{script}: the script file is not in the script groups.", script=script.filename
            )
        helper = (folder / source[1]).resolve()
        if not (helper.is_file() and helper.is_relative_to(folder)):
            raise OptionsUnavailable(
                "The options of {field} could not be listed: {path} is not a file in the "
                "script's folder.",
                field=name, path=source[1],
            )  # fmt: skip
        python = self._environments.for_run(group.conda_environment, self._fallback)
        extra = {
            "SCRIPTSMANAGER_USER_LEVEL": asker.level,
            "SCRIPTSMANAGER_LANGUAGE": asker.language,
            "SCRIPTSMANAGER_OPTIONS_FOR": name,
        }
        return Command(
            name,
            [python.python, str(helper), *(_resolved(item, current) for item in source[2:])],
            folder,
            command_environment(python, extra),
            options_from.timeout_of(param),
            self._memory_limit_mb,
        )


def _resolved(item: str, current: dict[str, str]) -> str:
    found = options_from.PLACEHOLDER.fullmatch(item)
    return current.get(found.group(1), "") if found else item


def _current_values(
    params: list[dict[str, Any]], param: dict[str, Any], values: dict[str, Any]
) -> dict[str, str]:
    """Return the texts the placeholders of ``param`` take from the submitted ``values``
    (a declared default for one left out); InvalidInput for a value its type refuses."""
    by_name = {p["name"]: p for p in params}
    texts: dict[str, str] = {}
    for name in options_from.depends_on(param):
        raw = values.get(name, by_name[name].get("default"))
        empty = raw is None or raw == "" or raw == []
        texts[name] = "" if empty else value_text(coerce(by_name[name], raw))
    return texts
