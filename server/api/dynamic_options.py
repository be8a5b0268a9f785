"""Options of a parameter listed by a command on the server (``options_from``)."""

from __future__ import annotations

import json

from flask import Blueprint, jsonify
from flask_login import current_user

from server.api.query import QueryArg, reads
from server.api.runs import runner
from server.security.access import require_level
from server.services.errors import InvalidInput
from server.services.registry import services

bp = Blueprint("dynamic_options_api", __name__, url_prefix="/api")
MAX_VALUES = 64 * 1024  # characters of the values argument
VALUES = QueryArg(
    "values", "JSON object of the other parameters' current values (those the command uses)."
)


def _values() -> object:
    """Return the ``values`` argument as JSON ({} when absent); InvalidInput when it is not."""
    text = VALUES.raw()
    if text is None:
        return {}
    try:
        if len(text) > MAX_VALUES:
            raise ValueError("too long")
        return json.loads(text)
    except ValueError as exc:
        raise InvalidInput("values must be a JSON object.", field="values") from exc


@bp.get("/scripts/<int:script_id>/parameters/<name>/options")
@require_level("operator")
@reads(VALUES)
def parameter_options(script_id: int, name: str):
    """List a parameter's options by running its command (operators who may run the script)."""
    svc = services()
    script, group = svc.catalog.script_for(script_id, current_user.user_level)
    listed = svc.dynamic_options.options(script, group, name, _values(), runner())
    return jsonify(
        {"options": listed.options, "cached": listed.cached, "depends_on": listed.depends_on}
    )
