"""Password hashing (argon2id) and the password rules."""

from __future__ import annotations

from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.services.errors import InvalidInput

MIN_LENGTH = 10
MAX_LENGTH = 256


class Passwords:
    """Hash and verify passwords with argon2id."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()

    @cached_property
    def _dummy_hash(self) -> str:
        """Verified against when the user name is unknown, so both cases cost the same
        (made at the first login, not at start-up)."""
        return self._hasher.hash("unknown-user-placeholder")

    def hash(self, password: str) -> str:
        """Return the argon2id hash of a password."""
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """Return True when the password matches; unknown users take the same time."""
        try:
            return self._hasher.verify(password_hash or self._dummy_hash, password) and bool(
                password_hash
            )
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """Return True when the hash uses weaker parameters than the current ones."""
        return self._hasher.check_needs_rehash(password_hash)


def check_password_rules(password: str, username: str, field: str = "password") -> None:
    """Raise InvalidInput when a new password is too short, too long or the user name."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(
            "The password needs at least {minimum} characters.", field=field, minimum=MIN_LENGTH
        )
    if len(password) > MAX_LENGTH:
        raise InvalidInput(
            "The password may have at most {maximum} characters.", field=field, maximum=MAX_LENGTH
        )
    if password.strip().lower() == username.strip().lower():
        raise InvalidInput("The password must differ from the user name.", field=field)
