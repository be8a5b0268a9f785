"""Bodies as the app reads them: standard JSON only, named form parts, never a crash."""

from __future__ import annotations

import json
from typing import Any

from flask import request
from flask.json.provider import DefaultJSONProvider

from server.services.errors import InvalidInput


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading neither NaN/Infinity nor bodies nested past the parser's depth."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse standard JSON; raise ValueError for NaN, Infinity or too deep a nesting."""
        kwargs.setdefault("parse_constant", _refuse_constant)
        try:
            return json.loads(s, **kwargs)
        except RecursionError as exc:
            raise ValueError("the JSON is nested too deeply") from exc


def refuse_unnamed_parts() -> None:
    """Refuse a multipart body with a part whose name cannot be read (before CSRF reads it)."""
    if request.mimetype == "multipart/form-data" and (
        None in request.form or None in request.files
    ):
        raise InvalidInput("Every part of a multipart form needs a name.")
