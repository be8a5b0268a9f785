"""Storage quotas: each user's limit (their own, else STORAGE_QUOTA_MB), their state
(ok, warning from 80 %, full from 100 %), the audit notice of each crossing, and the
refusal of new runs and data writes past the limit (507; what is stored stays)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from sqlalchemy import func, select, update

from server.database import Database
from server.models import User
from server.services.audit import Actor, AuditLog
from server.services.errors import NotFound, QuotaExceeded
from server.services.quota.usage import ProjectUsage, Usage, UsageMeter

logger = logging.getLogger(__name__)

MB = 1024 * 1024
WARNING_SHARE = 0.8
MAX_QUOTA_MB = 100 * 1024 * 1024  # 100 TiB: anything larger is a typing slip
RANK = {"ok": 0, "warning": 1, "full": 2}
SWEEP_INTERVAL = 300  # seconds between checks of every user (crossings while nobody looks)


def human_size(count: int) -> str:
    """Return a byte count as a short text in binary units (``1.5 MiB``)."""
    size, unit = float(count), "B"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            break
        size /= 1024
    return f"{count} B" if unit == "B" else f"{size:.1f} {unit}"


@dataclass(frozen=True)
class QuotaStatus:
    """A user's use against their quota (``quota_bytes`` None: no quota)."""

    used_bytes: int
    quota_bytes: int | None

    @property
    def percent(self) -> float | None:
        """Return the share of the quota used, in percent (None without a quota)."""
        if self.quota_bytes is None:
            return None
        return round(100 * self.used_bytes / self.quota_bytes, 1)

    @property
    def state(self) -> str:
        """Return ok, warning (80 % and more) or full (100 % and more)."""
        if self.quota_bytes is None or self.used_bytes < WARNING_SHARE * self.quota_bytes:
            return "ok"
        return "full" if self.used_bytes >= self.quota_bytes else "warning"

    def as_dict(self) -> dict[str, object]:
        """Shape the status for the API."""
        return {
            "used_bytes": self.used_bytes,
            "quota_bytes": self.quota_bytes,
            "percent": self.percent,
            "state": self.state,
        }


@dataclass(frozen=True)
class UserStorage:
    """One user's disk use and quota, for the admin's data page."""

    user: User
    usage: Usage
    status: QuotaStatus


class QuotaService:
    """Measure, limit and notice users' disk use."""

    def __init__(self, db: Database, audit: AuditLog, meter: UsageMeter, default_mb: int) -> None:
        self._db = db
        self._audit = audit
        self._meter = meter
        self._default_mb = default_mb
        self._names: dict[int, str] = {}  # user id -> name, to forget a run's user
        self._lock = threading.Lock()

    @property
    def default_mb(self) -> int:
        """Return STORAGE_QUOTA_MB (0: no quota)."""
        return self._default_mb

    def limit(self, user: User) -> int | None:
        """Return the user's quota in bytes: their own, else the default; None for none."""
        mb = self._default_mb if user.storage_quota_mb is None else user.storage_quota_mb
        return mb * MB if mb > 0 else None

    def status(self, user_id: int) -> QuotaStatus:
        """Return a user's use against their quota, noticing a crossed threshold."""
        return self._storage(self._user(user_id)).status

    def banner(self, user_id: int) -> QuotaStatus | None:
        """Return the status a page shows a notice for (warning or full), else None."""
        user = self._db.session.get(User, user_id)
        if user is None or self.limit(user) is None:
            return None
        status = self._storage(user).status
        return None if status.state == "ok" else status

    def ensure_room(self, username: str) -> None:
        """Raise QuotaExceeded when the user's quota is used up (measured again first:
        a refusal never rests on an old measurement, so freed space counts at once)."""
        user = self._db.session.scalar(select(User).where(User.username == username))
        if user is None or self.limit(user) is None:
            return
        status = self._storage(user).status
        if status.state == "full":
            status = self._storage(user, fresh=True).status
        if status.state == "full":
            assert status.quota_bytes is not None
            raise QuotaExceeded(
                "The storage quota of {username} is used up ({used} of {quota}): nothing was "
                "stored. Delete data or run logs to free space, or ask an admin for a larger "
                "quota.",
                username=username,
                used=human_size(status.used_bytes),
                quota=human_size(status.quota_bytes),
            )

    def changed(self, username: str) -> None:
        """Forget a user's measurement: the app just wrote or deleted their files."""
        self._meter.forget(username)

    def forget_all(self) -> None:
        """Forget every measurement (the whole data tree changed, as after a restore)."""
        self._meter.forget()

    def counts(self) -> dict[str, int]:
        """Return how many users were last seen at warning and at full (no folder walk)."""
        rows = self._db.session.execute(
            select(User.storage_state, func.count())
            .where(User.storage_state.in_(("warning", "full")))
            .group_by(User.storage_state)
        )
        found = {state: count for state, count in rows}
        return {"warning": found.get("warning", 0), "full": found.get("full", 0)}

    def problems(self) -> dict[str, str]:
        """Return, per user name, what the last measurement could not read."""
        return self._meter.errors()

    def sweep(self) -> None:
        """Bring every user's state up to date (their crossings are noticed here too)."""
        for user in self._db.session.scalars(select(User).order_by(User.id)):
            if self.limit(user) is None:
                self._notice(user, QuotaStatus(0, None))
            else:
                self._storage(user)

    def users_page(
        self, page: int, per_page: int, name: str | None = None
    ) -> tuple[list[UserStorage], int]:
        """Return one page of users (by name, ``name`` in theirs) with use and status."""
        query = self._matching(name)
        total = self._db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        users = self._db.session.scalars(
            query.order_by(User.username).offset((page - 1) * per_page).limit(per_page)
        )
        return [self._storage(user) for user in users], total

    def projects_page(
        self, page: int, per_page: int, name: str | None = None
    ) -> tuple[list[tuple[User, ProjectUsage]], int]:
        """Return one page of project folders, largest first, of users matching ``name``."""
        rows = [
            (user, project)
            for user in self._db.session.scalars(self._matching(name))
            for project in self._storage(user).usage.projects
        ]
        rows.sort(key=lambda row: (-row[1].bytes, row[0].username, row[1].group, row[1].project))
        start = (page - 1) * per_page
        return rows[start : start + per_page], len(rows)

    # -- execution events: a run's log and data folder grow while it runs ----------------

    def on_output(self, execution_id: str, stream: str, seq: int, data: bytes) -> None:
        """Ignore output (measured when the run's status changes)."""

    def on_status(
        self, execution_id: str, user_id: int | None, status: str, exit_code: int | None
    ) -> None:
        """Forget the measurement of a run's user when it starts or ends."""
        username = self._names.get(user_id) if user_id is not None else None
        if username is not None:
            self._meter.forget(username)

    def on_interface(self, user_id: int, session: dict[str, object]) -> None:
        """Ignore interface sessions."""

    def _user(self, user_id: int) -> User:
        user = self._db.session.get(User, user_id)
        if user is None:
            raise NotFound("User {user_id} does not exist.", user_id=user_id)
        return user

    def _storage(self, user: User, fresh: bool = False) -> UserStorage:
        """Return the user's use (per project too) and status, noticing a crossing."""
        usage = self._meter.usage(user.username, fresh)
        self._names[user.id] = user.username
        status = QuotaStatus(usage.total, self.limit(user))
        self._notice(user, status)
        return UserStorage(user, usage, status)

    def _matching(self, name: str | None):
        query = select(User)
        if name:
            query = query.where(User.username.icontains(name, autoescape=True))
        return query

    def _notice(self, user: User, status: QuotaStatus) -> None:
        """Store a changed state; audit (once) a rise to warning or full."""
        previous, state = user.storage_state or "ok", status.state
        if state == previous:
            return
        session = self._db.session
        with self._lock:  # compare and set: of two requests seeing the change, one records it
            moved = session.execute(
                update(User)
                .where(User.id == user.id, func.coalesce(User.storage_state, "ok") == previous)
                .values(storage_state=state)
            ).rowcount
            if moved and RANK[state] > RANK[previous]:
                details = {"username": user.username, **status.as_dict()}
                self._audit.record(
                    Actor.system(), f"quota.{state}", f"user:{user.id}", details, scope="admin"
                )
            session.commit()
        if moved and RANK[state] > RANK[previous]:
            logger.info("storage of %s reached %s (%s %%)", user.username, state, status.percent)
