"""Accounts: create, change, deactivate and delete users, with last-admin protection."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from sqlalchemy import func, select

from server.database import Database
from server.models import User, UserProject
from server.security.levels import LEVELS
from server.services.audit import Actor, AuditLog
from server.services.errors import Conflict, InvalidInput, NotFound
from server.services.passwords import Passwords, check_password_rules
from server.services.quota.service import MAX_QUOTA_MB, QuotaService
from server.settings import LANGUAGES

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,49}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,99}$")
THEMES = ("light", "dark")


class Keep(Enum):
    """The value of a change that may be None itself: leave the field as it is."""

    KEEP = "keep"


@dataclass(frozen=True)
class UserChanges:
    """Fields an admin may change; None means unchanged, except for ``storage_quota_mb``
    (None: the default quota, 0: none, KEEP: unchanged)."""

    email: str | None = None
    user_level: str | None = None
    is_active: bool | None = None
    password: str | None = None
    preferred_language: str | None = None
    preferred_theme: str | None = None
    storage_quota_mb: int | None | Keep = Keep.KEEP


class UserService:
    """Manage accounts and their preferences."""

    def __init__(
        self,
        db: Database,
        passwords: Passwords,
        audit: AuditLog,
        script_data: Path,
        default_language: str,
        quotas: QuotaService,
    ) -> None:
        self._db = db
        self._passwords = passwords
        self._audit = audit
        self._script_data = script_data
        self._default_language = default_language
        self._quotas = quotas

    def get(self, user_id: int) -> User:
        """Return a user or raise NotFound."""
        user = self._db.session.get(User, user_id)
        if user is None:
            raise NotFound("User {user_id} does not exist.", user_id=user_id)
        return user

    def list(self, page: int = 1, per_page: int = 50) -> tuple[list[User], int]:
        """Return one page of users ordered by name, and the total count."""
        session = self._db.session
        total = session.scalar(select(func.count()).select_from(User)) or 0
        users = session.scalars(
            select(User).order_by(User.username).offset((page - 1) * per_page).limit(per_page)
        ).all()
        return list(users), total

    def has_admin(self) -> bool:
        """Return True when an active admin who logs in with a password exists (the personal
        desktop's own account does not count: it has no password)."""
        query = select(func.count()).where(
            User.user_level == "admin",
            User.is_active.is_(True),
            User.is_desktop_account.is_(False),
        )
        return (self._db.session.scalar(query) or 0) > 0

    def create(
        self, username: str, email: str, password: str, user_level: str, actor: Actor
    ) -> User:
        """Create a user; raise InvalidInput for bad values and Conflict for taken names."""
        username, email = username.strip(), email.strip().lower()
        _check_username(username)
        _check_email(email)
        _check_level(user_level)
        check_password_rules(password, username)
        session = self._db.session
        if session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
            raise Conflict(
                "The user name {username!r} is taken.", field="username", username=username
            )
        if session.scalar(select(User.id).where(User.email == email)):
            raise Conflict("The e-mail address {email!r} is in use.", field="email", email=email)
        user = User(
            username=username,
            email=email,
            password_hash=self._passwords.hash(password),
            user_level=user_level,
            preferred_language=self._default_language,
            preferred_theme="light",
            is_active=True,
        )
        session.add(user)
        session.flush()
        self._audit.record(
            actor,
            "user.create",
            f"user:{user.id}",
            {"username": username, "level": user_level},
            scope="admin",
        )
        session.commit()
        return user

    def update(self, user_id: int, changes: UserChanges, actor: Actor) -> tuple[User, bool]:
        """Apply an admin's changes; return the user and whether sessions must be revoked."""
        user = self.get(user_id)
        changed: dict[str, object] = {}
        revoke = False
        if changes.email is not None and changes.email.strip().lower() != user.email:
            email = changes.email.strip().lower()
            _check_email(email)
            if self._db.session.scalar(select(User.id).where(User.email == email)):
                raise Conflict(
                    "The e-mail address {email!r} is in use.", field="email", email=email
                )
            user.email = changed["email"] = email
        if changes.user_level is not None and changes.user_level != user.user_level:
            _check_level(changes.user_level)
            if user.user_level == "admin" and self._is_last_admin(user):
                raise Conflict("You cannot demote the last active admin.")
            user.user_level = changed["user_level"] = changes.user_level
        if changes.is_active is not None and changes.is_active != user.is_active:
            if not changes.is_active and user.user_level == "admin" and self._is_last_admin(user):
                raise Conflict("You cannot deactivate the last active admin.")
            user.is_active = changed["is_active"] = changes.is_active
            revoke = revoke or not changes.is_active
        if changes.password is not None:
            check_password_rules(changes.password, user.username)
            user.password_hash = self._passwords.hash(changes.password)
            changed["password"] = "changed"
            revoke = True
        self._apply_preferences(user, changes.preferred_language, changes.preferred_theme, changed)
        _apply_quota(user, changes.storage_quota_mb, changed)
        if changed:
            self._audit.record(actor, "user.update", f"user:{user.id}", changed, scope="admin")
        self._db.session.commit()
        return user, revoke

    def delete(self, user_id: int, actor: Actor) -> None:
        """Delete a user (not oneself, not the last admin); their run logs stay, unowned."""
        user = self.get(user_id)
        if user.id == actor.user_id:
            raise Conflict("You cannot delete your own account.")
        if user.user_level == "admin" and self._is_last_admin(user):
            raise Conflict("You cannot delete the last active admin.")
        self._audit.record(
            actor, "user.delete", f"user:{user.id}", {"username": user.username}, scope="admin"
        )
        self._db.session.delete(user)
        self._db.session.commit()

    def set_preferences(
        self, user_id: int, language: str | None, theme: str | None, actor: Actor
    ) -> User:
        """Save a user's own language and theme."""
        user = self.get(user_id)
        changed: dict[str, object] = {}
        self._apply_preferences(user, language, theme, changed)
        if changed:
            self._audit.record(actor, "user.preferences", f"user:{user.id}", changed)
        self._db.session.commit()
        return user

    def change_password(self, user_id: int, current: str, new: str, actor: Actor) -> User:
        """Change one's own password after checking the current one."""
        user = self.get(user_id)
        if not self._passwords.verify(user.password_hash, current):
            raise InvalidInput("The current password is wrong.", field="current_password")
        check_password_rules(new, user.username, field="new_password")
        user.password_hash = self._passwords.hash(new)
        self._audit.record(actor, "user.password_change", f"user:{user.id}")
        self._db.session.commit()
        return user

    def projects(self, user_id: int) -> list[UserProject]:
        """Return a user's projects."""
        self.get(user_id)
        return list(
            self._db.session.scalars(
                select(UserProject)
                .where(UserProject.user_id == user_id)
                .order_by(UserProject.group_id, UserProject.project_name)
            )
        )

    def reset_data(self, user_id: int, actor: Actor) -> dict[str, int]:
        """Delete a user's data folders and extra projects, keeping the default projects."""
        user = self.get(user_id)
        folders = (
            [
                path / user.username
                for path in self._script_data.iterdir()
                if (path / user.username).is_dir()
            ]
            if self._script_data.is_dir()
            else []
        )
        for folder in folders:
            shutil.rmtree(folder)
        self._quotas.changed(user.username)
        extra = [p for p in self.projects(user_id) if not p.is_default]
        for project in extra:
            self._db.session.delete(project)
        details = {"folders_removed": len(folders), "projects_removed": len(extra)}
        self._audit.record(actor, "user.reset_data", f"user:{user.id}", details, scope="admin")
        self._db.session.commit()
        return details

    def _apply_preferences(
        self, user: User, language: str | None, theme: str | None, changed: dict[str, object]
    ) -> None:
        if language is not None and language != user.preferred_language:
            if language not in LANGUAGES:
                raise InvalidInput(
                    "language must be one of {choices}.",
                    field="language",
                    choices=", ".join(LANGUAGES),
                )
            user.preferred_language = changed["preferred_language"] = language
        if theme is not None and theme != user.preferred_theme:
            if theme not in THEMES:
                raise InvalidInput("theme must be light or dark.", field="theme")
            user.preferred_theme = changed["preferred_theme"] = theme

    def _active_admins(self) -> int:
        query = select(func.count()).where(User.user_level == "admin", User.is_active.is_(True))
        return self._db.session.scalar(query) or 0

    def _is_last_admin(self, user: User) -> bool:
        """Return True when the user is the only active admin left."""
        return user.is_active and self._active_admins() <= 1


def _apply_quota(user: User, mb: int | None | Keep, changed: dict[str, object]) -> None:
    """Set the user's own storage quota in MB (None: the default; 0: no quota)."""
    if mb is Keep.KEEP or mb == user.storage_quota_mb:
        return
    if mb is not None and (isinstance(mb, bool) or not 0 <= mb <= MAX_QUOTA_MB):
        raise InvalidInput(
            "storage_quota_mb must be a whole number of MB from 0 to {maximum}, or null.",
            field="storage_quota_mb",
            maximum=MAX_QUOTA_MB,
        )
    user.storage_quota_mb = changed["storage_quota_mb"] = mb


def _check_username(username: str) -> None:
    if not USERNAME_PATTERN.fullmatch(username):
        raise InvalidInput(
            "The user name needs 2 to 50 letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit.",
            field="username",
        )


def _check_email(email: str) -> None:
    if not EMAIL_PATTERN.fullmatch(email):
        raise InvalidInput("The e-mail address is not valid.", field="email")


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise InvalidInput(
            "user_level must be one of {choices}.", field="user_level", choices=", ".join(LEVELS)
        )
