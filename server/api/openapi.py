"""The API reference: an OpenAPI 3.1 document built from the routes themselves."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, current_app, jsonify
from werkzeug.routing import IntegerConverter, PathConverter, Rule

from server import __version__
from server.api.openapi_extras import (
    ERROR_REF,
    ERROR_SCHEMA,
    JSON,
    OTHER_ANSWERS,
    PRODUCERS,
    SUB_PATHS,
    SUCCESS,
    free_bodies,
)
from server.api.tags import tag_pattern
from server.security.access import PUBLIC, RULE_ATTRIBUTE, public
from server.security.bearer import SESSION_ONLY
from server.services.registry import services

bp = Blueprint("openapi_api", __name__)
_CONVERTER = re.compile(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>")
_DOCUMENTED_PREFIXES = ("/api/", "/health")
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@bp.get("/api/openapi.json")
@public
def openapi_document():
    """Return the OpenAPI document of every JSON endpoint."""
    return jsonify(build_document())


def build_document() -> dict:
    """Build the OpenAPI document from the URL map, docstrings, rules and body models."""
    paths: dict[str, dict] = {}
    schemas: dict[str, dict] = {"Error": ERROR_SCHEMA}
    bodies = free_bodies()
    for rule in _documented_rules():
        view = current_app.view_functions[rule.endpoint]
        path = _CONVERTER.sub(r"{\1}", rule.rule)
        for method in _methods(rule):
            operation = _operation(rule, method, view, schemas, bodies)
            paths.setdefault(path, {})[method.lower()] = operation
    _apply_live_rules(schemas)
    add_links(paths, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "ScriptsManager API", "version": __version__},
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": schemas, "securitySchemes": _security_schemes()},
    }


def _documented_rules() -> list[Rule]:
    rules = current_app.url_map.iter_rules()
    return [rule for rule in rules if rule.rule.startswith(_DOCUMENTED_PREFIXES)]


def _methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def _security_schemes() -> dict[str, dict]:
    return {
        "session": {
            "type": "apiKey",
            "in": "cookie",
            "name": current_app.config["SESSION_COOKIE_NAME"],
            "description": "The session cookie; it also holds the secret of the CSRF token.",
        },
        "csrf": {
            "type": "apiKey",
            "in": "header",
            "name": "X-CSRFToken",
            "description": "From GET /api/auth/csrf (or the login answer); every mutation.",
        },
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (smt_...) from POST /api/user/tokens, as "
            "Authorization: Bearer; it acts at its owner's current level and needs no "
            "session and no CSRF token.",
        },
    }


def _operation(rule: Rule, method: str, view, schemas: dict, bodies: dict) -> dict[str, Any]:
    """Describe one method of one rule."""
    doc = (view.__doc__ or "").strip()
    level = getattr(view, RULE_ATTRIBUTE, None)
    operation: dict[str, Any] = {
        "operationId": rule.endpoint,
        "summary": doc.splitlines()[0] if doc else rule.endpoint,
        "x-required-level": level,
        "parameters": _path_parameters(rule, method) + _query_parameters(view),
        "responses": _responses(rule.endpoint),
        "security": _security(level, method, getattr(view, SESSION_ONLY, False)),
    }
    body = _request_body(view, schemas) or bodies.get(rule.endpoint)
    if body is not None:
        operation["requestBody"] = body
    return operation


def _security(level: str | None, method: str, session_only: bool = False) -> list[dict[str, list]]:
    """Return who may call: a session for levels, the CSRF token too for every mutation;
    or an API token alone, where levels apply and the view is not for sessions only."""
    needs_csrf = method not in _SAFE_METHODS
    if level == PUBLIC and not needs_csrf:
        return []
    schemes = [{"session": [], "csrf": []} if needs_csrf else {"session": []}]
    if level != PUBLIC and not session_only:
        schemes.append({"bearer": []})
    return schemes


def _path_parameters(rule: Rule, method: str) -> list[dict[str, Any]]:
    converters = getattr(rule, "_converters", {})
    return [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": _path_schema(rule, method, converters.get(name)),
        }
        for name in _CONVERTER.findall(rule.rule)
    ]


def _path_schema(rule: Rule, method: str, converter) -> dict[str, Any]:
    """Return what the converter matches: bounded integers, one segment, or a sub-path."""
    if isinstance(converter, IntegerConverter):
        schema: dict[str, Any] = {"type": "integer"}
        if converter.min is not None:
            schema["minimum"] = converter.min
        if converter.max is not None:
            schema["maximum"] = converter.max
        return schema
    if isinstance(converter, PathConverter):
        taken = _sibling_words(rule, method)
        avoid = f"(?!(?:{'|'.join(map(re.escape, taken))})$)" if taken else ""
        body = SUB_PATHS.get(rule.endpoint, r"[^/][^\n]*")
        return {"type": "string", "pattern": f"^{avoid}{body}$"}
    return {"type": "string", "pattern": "^[^/]+$"}


def _sibling_words(rule: Rule, method: str) -> list[str]:
    """Return the fixed last segments of other rules that a sub-path here would hit instead."""
    prefix = rule.rule.rsplit("/", 1)[0] + "/"
    words = []
    for other in current_app.url_map.iter_rules():
        last = other.rule.rsplit("/", 1)[-1]
        same_place = other.rule == prefix + last and "<" not in last
        if same_place and method in (other.methods or set()):
            words.append(last)
    return sorted(words)


def _query_parameters(view) -> list[dict[str, Any]]:
    return [arg.parameter() for arg in getattr(view, "query_args", ())]


def _request_body(view, schemas: dict[str, dict]) -> dict[str, Any] | None:
    model = getattr(view, "request_model", None)
    if model is None:
        return None
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas |= schema.pop("$defs", {})
    schemas[model.__name__] = schema
    reference = {"$ref": f"#/components/schemas/{model.__name__}"}
    required = not getattr(view, "body_optional", False)
    return {"required": required, "content": {JSON: {"schema": reference}}}


def _responses(endpoint: str) -> dict[str, Any]:
    """Return the success answer, other documented answers, and the error shape."""
    status, media = SUCCESS.get(endpoint, ("200", (JSON,)))
    error = {"content": {JSON: {"schema": ERROR_REF}}}
    responses: dict[str, Any] = {status: {"description": "Success"}}
    if media:
        responses[status]["content"] = {kind: {} for kind in media}
    for code, description in OTHER_ANSWERS.get(endpoint, {}).items():
        responses[code] = {"description": description, "content": {JSON: {}}}
    responses["4XX"] = {"description": "Refused: the request is at fault.", **error}
    responses["default"] = {"description": "The server could not answer.", **error}
    return responses


def _apply_live_rules(schemas: dict[str, dict]) -> None:
    """Show limits that come from the settings (tags per script, tag length)."""
    tags = schemas.get("TagList", {}).get("properties", {}).get("tags")
    if tags is None:
        return
    rules = services().tags.rules
    tags["items"]["pattern"] = tag_pattern(rules)
    tags["maxItems"] = rules.max_count
    tags["description"] = "Blank and repeated tags are dropped before the limits apply."


def add_links(paths: dict[str, dict], schemas: dict[str, dict]) -> None:
    """Link every answer that names a resource to the operations that take it."""
    operations = [op for methods in paths.values() for op in methods.values()]
    for source in operations:
        for (endpoint, status), values in PRODUCERS.items():
            if source["operationId"] != endpoint:
                continue
            links = {}
            for target in operations:
                link = _link(target, values, schemas)
                if link is not None:
                    links[target["operationId"]] = link
            if links:
                source["responses"][status]["links"] = links


def _link(target: dict, values: dict[str, str], schemas: dict) -> dict[str, Any] | None:
    """Return a link filling the target's parameters from ``values``, or None if it cannot."""
    params = target["parameters"]
    path = [p for p in params if p["in"] == "path"]
    if any(p["name"] not in values and p["schema"]["type"] == "integer" for p in path):
        return None  # an id the answer does not give: generating one would only find nothing
    query = [p["name"] for p in params if p["in"] == "query" and p["required"]]
    bound = {f"path.{p['name']}": values[p["name"]] for p in path if p["name"] in values}
    bound |= {f"query.{name}": values[name] for name in query if name in values}
    body = {name: values[name] for name in _body_fields(target, schemas) if name in values}
    if next(iter(values.values())) not in [*bound.values(), *body.values()]:
        return None  # the link must carry the id of the resource the answer names
    link: dict[str, Any] = {"operationId": target["operationId"], "parameters": bound}
    if body:
        link["requestBody"] = body
    return link


def _body_fields(operation: dict, schemas: dict) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {}).get(JSON, {})
    schema = content.get("schema", {})
    if "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
    return list(schema.get("properties", {}))
