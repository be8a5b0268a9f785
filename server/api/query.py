"""Query-string arguments: each one parses itself and describes itself for the API reference."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import request

from server.api.converters import MAX_ID
from server.services.errors import InvalidInput

MAX_DIGITS = 20  # a sign and 19 digits: every number of 64 bits, and no more text to parse
Args = Mapping[str, str]  # query arguments read from elsewhere (a saved filter) by the same rules


@dataclass(frozen=True)
class QueryArg:
    """A text argument; empty counts as absent."""

    name: str
    description: str = ""
    required: bool = False
    pattern: str | None = None  # a regular expression the text must contain a match of

    def raw(self, args: Args | None = None) -> str | None:
        """Return the text given (in ``args``, else the query string), None when absent or
        empty; raise InvalidInput when required."""
        value = (request.args if args is None else args).get(self.name)
        if value in (None, ""):
            if self.required:
                raise InvalidInput("{field} is required.", field=self.name)
            return None
        return value

    def read(self, args: Args | None = None) -> Any:
        """Return the argument's value (None when absent)."""
        return self.raw(args)

    def schema(self) -> dict[str, Any]:
        """Return the JSON Schema of the value."""
        schema: dict[str, Any] = {"type": "string", "minLength": 1}
        return schema if self.pattern is None else {**schema, "pattern": self.pattern}

    def parameter(self) -> dict[str, Any]:
        """Return the OpenAPI parameter object."""
        item = {"name": self.name, "in": "query", "required": self.required}
        return {**item, "schema": self.schema(), "description": self.description}


@dataclass(frozen=True)
class IntArg(QueryArg):
    """A whole number between ``minimum`` and ``maximum`` (ids by default)."""

    minimum: int = 1
    maximum: int = MAX_ID
    default: int | None = None

    def read(self, args: Args | None = None) -> int | None:
        """Return the number, the default when absent; raise InvalidInput when out of bounds."""
        value = self.raw(args)
        if value is None:
            return self.default
        try:
            number = int(value) if len(value) <= MAX_DIGITS else None
        except ValueError:
            number = None
        if number is None or not self.minimum <= number <= self.maximum:
            raise InvalidInput(
                "{field} must be a whole number between {minimum} and {maximum}.",
                field=self.name,
                minimum=self.minimum,
                maximum=self.maximum,
            )
        return number

    def schema(self) -> dict[str, Any]:
        """Return an integer schema with the bounds and default."""
        schema: dict[str, Any] = {"type": "integer", "minimum": self.minimum}
        schema["maximum"] = self.maximum
        return schema if self.default is None else {**schema, "default": self.default}


@dataclass(frozen=True)
class ChoiceArg(QueryArg):
    """One of a fixed set of words."""

    choices: tuple[str, ...] = ()
    default: str | None = None

    def read(self, args: Args | None = None) -> str | None:
        """Return the word, the default when absent; raise InvalidInput for another word."""
        value = self.raw(args)
        if value is None:
            return self.default
        if value not in self.choices:
            raise InvalidInput(
                "{field} must be one of {choices}.",
                field=self.name,
                choices=", ".join(self.choices),
            )
        return value

    def schema(self) -> dict[str, Any]:
        """Return an enum schema with the default."""
        schema: dict[str, Any] = {"type": "string", "enum": list(self.choices)}
        return schema if self.default is None else {**schema, "default": self.default}


@dataclass(frozen=True)
class DateArg(QueryArg):
    """A calendar date, YYYY-MM-DD."""

    def read(self, args: Args | None = None) -> date | None:
        """Return the date; raise InvalidInput when it is not one."""
        value = self.raw(args)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise InvalidInput("{field} must be a date (YYYY-MM-DD).", field=self.name) from exc

    def schema(self) -> dict[str, Any]:
        """Return a date schema."""
        return {"type": "string", "format": "date"}


@dataclass(frozen=True)
class FlagArg(QueryArg):
    """``1`` for yes; anything else (or nothing) for no."""

    def read(self, args: Args | None = None) -> bool:
        """Return True when the argument is ``1``."""
        return (request.args if args is None else args).get(self.name) == "1"

    def schema(self) -> dict[str, Any]:
        """Return the documented values."""
        return {"type": "string", "enum": ["0", "1"]}


@dataclass(frozen=True)
class BoolArg(QueryArg):
    """``true`` or ``false``; absent is None."""

    def read(self, args: Args | None = None) -> bool | None:
        """Return the truth value; raise InvalidInput for another word."""
        value = self.raw(args)
        if value is None:
            return None
        if value not in ("true", "false"):
            raise InvalidInput(
                "{field} must be one of {choices}.", field=self.name, choices="true, false"
            )
        return value == "true"

    def schema(self) -> dict[str, Any]:
        """Return the two words."""
        return {"type": "string", "enum": ["true", "false"]}


def reads[View: Callable](*args: QueryArg) -> Callable[[View], View]:
    """Declare the query arguments a view reads (for the API reference)."""

    def mark(view: View) -> View:
        view.query_args = (*getattr(view, "query_args", ()), *args)  # type: ignore[attr-defined]
        return view

    return mark
