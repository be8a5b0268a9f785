"""Personal API tokens for admins: list any user's, revoke anyone's (both audited)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from server.api.api_tokens import token_json
from server.api.common import actor
from server.security.access import require_level
from server.services.registry import services

bp = Blueprint("admin_tokens_api", __name__, url_prefix="/api/admin")


@bp.get("/users/<int:user_id>/tokens")
@require_level("admin")
def user_tokens(user_id: int):
    """List a user's tokens that are not revoked, newest first (never their secrets)."""
    tokens = services().api_tokens.list_of(user_id, actor())
    return jsonify({"items": [token_json(t) for t in tokens]})


@bp.delete("/tokens/<int:token_id>")
@require_level("admin")
def revoke_token(token_id: int):
    """Revoke any user's token; it stops working at once."""
    token = services().api_tokens.revoke_any(token_id, actor())
    return jsonify({"status": "revoked", "user_id": token.user_id})
