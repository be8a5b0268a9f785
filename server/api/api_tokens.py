"""The caller's personal API tokens: make one (its secret is shown once), list, revoke."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask_login import current_user
from pydantic import Field

from server.api.common import Body, accepts, actor
from server.api.presenters import iso_time
from server.models import ApiToken
from server.security.access import require_level
from server.security.bearer import session_only
from server.services.api_tokens.service import DEFAULT_DAYS, MAX_DAYS, MAX_NAME
from server.services.registry import services

bp = Blueprint("api_tokens_api", __name__, url_prefix="/api/user/tokens")


class NewApiToken(Body):
    """A name for the token and how long it works."""

    name: str = Field(min_length=1, max_length=MAX_NAME, description="To recognise it by.")
    expires_in_days: int | None = Field(
        default=DEFAULT_DAYS,
        ge=1,
        le=MAX_DAYS,
        description=f"Days until it stops working; {DEFAULT_DAYS} when left out, null: never.",
    )


def token_json(token: ApiToken) -> dict[str, Any]:
    """Shape a token for a list: never its secret, only the prefix it starts with."""
    return {
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": iso_time(token.created_at),
        "expires_at": iso_time(token.expires_at),
        "last_used_at": iso_time(token.last_used_at),
    }


@bp.get("")
@require_level("viewer")
def list_tokens():
    """List the caller's tokens that are not revoked (expired ones too), newest first."""
    return jsonify({"items": [token_json(t) for t in services().api_tokens.list(current_user.id)]})


@bp.post("")
@require_level("viewer")
@session_only  # a leaked token must not mint others that outlive its revocation
@accepts(NewApiToken)
def create_token(body: NewApiToken):
    """Make a token; the answer holds its secret, shown this once (409 past 20 live tokens)."""
    token, secret = services().api_tokens.create(
        current_user.id, body.name, body.expires_in_days, actor()
    )
    answer = {"id": token.id, "name": token.name, "token": secret,
              "expires_at": iso_time(token.expires_at)}  # fmt: skip
    return jsonify(answer), 201


@bp.delete("/<int:token_id>")
@require_level("viewer")
def revoke_token(token_id: int):
    """Revoke one of the caller's tokens; it stops working at once (404 for another's)."""
    services().api_tokens.revoke(current_user.id, token_id, actor())
    return jsonify({"status": "revoked"})
