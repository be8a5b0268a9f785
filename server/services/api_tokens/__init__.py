"""Personal API tokens: made, listed and revoked by their owner (or an admin), and checked
on every request that carries one (``Authorization: Bearer smt_...``)."""

from server.services.api_tokens.authenticate import TokenAuth, TokenUser
from server.services.api_tokens.service import ApiTokens

__all__ = ["ApiTokens", "TokenAuth", "TokenUser"]
