"""Helpers shared by API modules: body types, body parsing, pagination and the acting user."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any, Literal

from flask import current_app, request
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from server.api.body_errors import body_error
from server.api.converters import MAX_ID, MIN_ID
from server.api.json_input import invalid_json
from server.api.query import IntArg
from server.services.audit import Actor
from server.services.errors import InvalidInput
from server.services.passwords import MAX_LENGTH as PASSWORD_MAX
from server.services.passwords import MIN_LENGTH as PASSWORD_MIN
from server.services.safe_paths import RESERVED
from server.services.users import EMAIL_PATTERN, USERNAME_PATTERN

MAX_PER_PAGE = 200
PAGE = IntArg("page", "Page number, from 1.", maximum=MAX_ID // MAX_PER_PAGE, default=1)
PER_PAGE = IntArg("per_page", "Items per page.", maximum=MAX_PER_PAGE, default=50)

# A database id: what SQLite's INTEGER holds, so no id can overflow a query.
Id = Annotated[int, Field(ge=MIN_ID, le=MAX_ID)]

# Words the services accept, validated here (pydantic names the choices in its message).
Level = Literal["viewer", "operator", "developer", "admin"]
Language = Literal["en", "es", "it", "fr"]
Theme = Literal["light", "dark"]


def documented(pattern: str, **limits: Any) -> Any:
    """Return a Field whose schema shows the pattern the service checks (with its own message)."""
    return Field(json_schema_extra={"pattern": pattern}, **limits)


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


# The rules of safe_component(): no reserved first part, no trailing dot, 100 characters.
RESERVED_WORDS = "|".join(_any_case(word) for word in sorted(RESERVED))
SAFE_PART = (
    rf"(?!(?:{RESERVED_WORDS})(?:\.|/|$))[A-Za-z0-9](?:[A-Za-z0-9._-]{{0,98}}[A-Za-z0-9_-])?"
)
SAFE_NAME = f"^{SAFE_PART}$"
ProjectName = Annotated[str, documented(SAFE_NAME, max_length=100)]
Username = Annotated[str, documented(USERNAME_PATTERN.pattern, max_length=50)]
Email = Annotated[str, documented(EMAIL_PATTERN.pattern, max_length=100)]
NewPassword = Annotated[
    str,
    Field(
        max_length=PASSWORD_MAX,
        json_schema_extra={"minLength": PASSWORD_MIN},
        description="Different from the user name.",
    ),
]


class Body(BaseModel):
    """Base of request bodies: strict types, unknown fields refused."""

    model_config = ConfigDict(strict=True, extra="forbid", str_max_length=10_000)


def parse_body[M: BaseModel](model: type[M]) -> M:
    """Validate the JSON body against a model; raise InvalidInput naming the field."""
    data = request.get_json(silent=True)
    if data is None and request.is_json and request.get_data():
        try:
            current_app.json.loads(request.get_data())
        except ValueError as exc:  # say why (NaN, too deep, a syntax error)
            raise invalid_json(exc) from exc
    if not isinstance(data, dict):
        raise InvalidInput("The request body must be a JSON object.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise body_error(exc.errors()[0]) from exc


def accepts(model: type[BaseModel], optional: bool = False) -> Callable:
    """Parse the body with ``model`` and pass it to the view as ``body``; an ``optional``
    body may be left out (its defaults apply), but never be malformed."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if optional and not request.get_data():
                return view(*args, body=model.model_validate({}), **kwargs)
            return view(*args, body=parse_body(model), **kwargs)

        wrapper.request_model = model  # read by the OpenAPI document
        wrapper.body_optional = optional
        return wrapper

    return decorate


def page_args() -> tuple[int, int]:
    """Return (page, per_page) from the query string; raise InvalidInput when out of bounds."""
    return PAGE.read(), PER_PAGE.read()


def actor() -> Actor:
    """Return the acting user of this request, with their address."""
    if current_user.is_authenticated:
        return Actor(current_user.id, current_user.username, request.remote_addr)
    return Actor(None, None, request.remote_addr)


def paginated(items: list[dict], total: int, page: int, per_page: int) -> dict:
    """Shape a page of a collection."""
    return {"items": items, "total": total, "page": page, "per_page": per_page}
