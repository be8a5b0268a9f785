"""JSON as the API reads it: standard JSON only, and never a crash on a hostile body."""

from __future__ import annotations

import json
from typing import Any

from flask.json.provider import DefaultJSONProvider


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
