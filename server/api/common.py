"""Helpers shared by API modules: body parsing, pagination and the acting user."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import request
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, ValidationError

from server.services.audit import Actor
from server.services.errors import InvalidInput

MAX_PER_PAGE = 200


class Body(BaseModel):
    """Base of request bodies: strict types, unknown fields refused."""

    model_config = ConfigDict(strict=True, extra="forbid", str_max_length=10_000)


def parse_body[M: BaseModel](model: type[M]) -> M:
    """Validate the JSON body against a model; raise InvalidInput naming the field."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("The request body must be a JSON object.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        raise InvalidInput(f"{field}: {first['msg']}", field=field) from exc


def accepts(model: type[BaseModel]) -> Callable:
    """Parse the body with ``model`` and pass it to the view as ``body``."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return view(*args, body=parse_body(model), **kwargs)

        wrapper.request_model = model  # read by the OpenAPI document
        return wrapper

    return decorate


def page_args() -> tuple[int, int]:
    """Return (page, per_page) from the query string; raise InvalidInput when malformed."""
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", 50))
    except ValueError as exc:
        raise InvalidInput("page and per_page must be whole numbers.") from exc
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"page must be ≥ 1 and per_page between 1 and {MAX_PER_PAGE}.")
    return page, per_page


def actor() -> Actor:
    """Return the acting user of this request, with their address."""
    if current_user.is_authenticated:
        return Actor(current_user.id, current_user.username, request.remote_addr)
    return Actor(None, None, request.remote_addr)


def paginated(items: list[dict], total: int, page: int, per_page: int) -> dict:
    """Shape a page of a collection."""
    return {"items": items, "total": total, "page": page, "per_page": per_page}
