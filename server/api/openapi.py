"""The API reference: an OpenAPI 3.1 document built from the routes themselves."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, jsonify

from server import __version__
from server.security.access import RULE_ATTRIBUTE, public
from server.security.levels import LEVELS

bp = Blueprint("openapi_api", __name__)
_CONVERTER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")
_DOCUMENTED_PREFIXES = ("/api/", "/health")


@bp.get("/api/openapi.json")
@public
def openapi_document():
    """Return the OpenAPI document of every JSON endpoint."""
    return jsonify(build_document())


def build_document() -> dict:
    """Build the OpenAPI document from the URL map, docstrings, rules and body models."""
    paths: dict[str, dict] = {}
    schemas: dict[str, dict] = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith(_DOCUMENTED_PREFIXES):
            continue
        view = current_app.view_functions[rule.endpoint]
        path = _CONVERTER.sub(r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, view, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "ScriptsManager API", "version": __version__},
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "scriptsmanager_session"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken"},
            },
        },
    }


def _operation(rule, view, schemas: dict[str, dict]) -> dict:
    doc = (view.__doc__ or "").strip()
    level = getattr(view, RULE_ATTRIBUTE, None)
    operation: dict[str, object] = {
        "operationId": rule.endpoint,
        "summary": doc.splitlines()[0] if doc else rule.endpoint,
        "x-required-level": level,
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in rule.arguments
        ],
        "responses": {"200": {"description": "Success"}, "default": {"description": "Error"}},
    }
    if level in LEVELS:
        operation["security"] = [{"session": [], "csrf": []}]
    model = getattr(view, "request_model", None)
    if model is not None:
        schemas[model.__name__] = model.model_json_schema()
        operation["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
            },
        }
    return operation
