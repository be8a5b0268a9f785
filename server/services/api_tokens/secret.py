"""The secrets of API tokens: how they look, and the digest they are stored and found by."""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "smt_"  # every token starts with it, so that scanners and people recognise one
RANDOM_BYTES = 32  # 256 bits: the digest needs no salt and no slow hash
SHOWN = len(PREFIX) + 6  # characters kept in clear to tell tokens apart
MAX_LENGTH = 100  # longer strings are not tokens and are not hashed


def new_secret() -> str:
    """Return a new token secret: the prefix and 43 URL-safe random characters."""
    return PREFIX + secrets.token_urlsafe(RANDOM_BYTES)


def digest(secret: str) -> str:
    """Return the SHA-256 hex digest a secret is stored under."""
    return hashlib.sha256(secret.encode()).hexdigest()


def shown_part(secret: str) -> str:
    """Return the non-secret start of a token, as listed."""
    return secret[:SHOWN]


def could_be_token(text: str) -> bool:
    """Return True when ``text`` has the form of a token (worth looking up)."""
    return text.startswith(PREFIX) and len(text) <= MAX_LENGTH
