"""The interface limits: how many interfaces may be open, all users together and per user."""

from __future__ import annotations

from collections.abc import Iterable

from server.services.errors import Conflict
from server.services.execution.run import InterfaceLimit, Run


def interface_refusal(
    runs: Iterable[Run], run: Run | None, user_id: int | None, total: int, per_user: int
) -> InterfaceLimit | None:
    """Return why one more interface (``run``'s, or a new one of ``user_id``) would pass a
    limit among the live ``runs``; None when it fits. Every run that serves or declares an
    interface counts."""
    user_id = run.user_id if run is not None else user_id
    open_runs = [r for r in runs if r is not run and (r.expects_interface or r.interface_ready)]
    if len(open_runs) >= total:
        return InterfaceLimit(len(open_runs), total, per_user=False)
    mine = sum(1 for r in open_runs if r.user_id == user_id)
    if mine >= per_user:
        return InterfaceLimit(mine, per_user, per_user=True)
    return None


def refused(refusal: InterfaceLimit) -> Conflict:
    """Return the error of a new interface that a limit refuses."""
    count, limit = refusal.open, refusal.limit
    if refusal.per_user:
        return Conflict(
            "You have {count} interfaces open, the most allowed ({limit}); close one first.",
            count=count, limit=limit,
        )  # fmt: skip
    return Conflict(
        "{count} interfaces are open, the most allowed ({limit}); close one first.",
        count=count, limit=limit,
    )  # fmt: skip
