"""Bodies as the app reads them: standard JSON only, named form parts, never a crash."""

from __future__ import annotations

import json
from typing import Any

from flask import request
from flask.json.provider import DefaultJSONProvider

from server.services.errors import InvalidInput


class NotAJSONNumber(ValueError):
    """NaN, Infinity or -Infinity: Python reads them, standard JSON has no such number."""

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} is not a JSON number")
        self.name = name


class NestedTooDeeply(ValueError):
    """A body nested past the parser's depth."""


def _refuse_constant(name: str) -> Any:
    raise NotAJSONNumber(name)


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading neither NaN/Infinity nor bodies nested past the parser's depth."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse standard JSON; raise ValueError for NaN, Infinity or too deep a nesting."""
        kwargs.setdefault("parse_constant", _refuse_constant)
        try:
            return json.loads(s, **kwargs)
        except RecursionError as exc:
            raise NestedTooDeeply("the JSON is nested too deeply") from exc


def invalid_json(exc: ValueError) -> InvalidInput:
    """Return the InvalidInput saying why a body is not JSON (where, or what it holds)."""
    if isinstance(exc, NotAJSONNumber):
        return InvalidInput(
            "The request body is not valid JSON: {name} is not a JSON number.", name=exc.name
        )
    if isinstance(exc, NestedTooDeeply):
        return InvalidInput("The request body is not valid JSON: it is nested too deeply.")
    if isinstance(exc, json.JSONDecodeError):
        return InvalidInput(
            "The request body is not valid JSON (line {line}, column {column}).",
            line=exc.lineno,
            column=exc.colno,
        )
    return InvalidInput("The request body is not valid JSON.")


def refuse_unnamed_parts() -> None:
    """Refuse a multipart body with a part whose name cannot be read (before CSRF reads it)."""
    if request.mimetype == "multipart/form-data" and (
        None in request.form or None in request.files
    ):
        raise InvalidInput("Every part of a multipart form needs a name.")
