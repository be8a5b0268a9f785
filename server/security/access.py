"""One access mechanism for every route: a rule on each view, enforced before it runs.

A view without a rule is refused (fail closed); ``tests/test_access_rules.py`` walks the
URL map so that no route ships without one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import current_app, request
from flask_login import current_user

from server.security.bearer import bearer_token
from server.security.levels import LEVELS, allows
from server.services.errors import Forbidden, NotAuthenticated

logger = logging.getLogger(__name__)

PUBLIC = "public"
RULE_ATTRIBUTE = "access_rule"


def require_level[View: Callable](level: str) -> Callable[[View], View]:
    """Mark a view as needing a logged-in user of at least ``level``."""
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")

    def mark(view: View) -> View:
        setattr(view, RULE_ATTRIBUTE, level)
        return view

    return mark


def public[View: Callable](view: View) -> View:
    """Mark a view as open to anonymous visitors."""
    setattr(view, RULE_ATTRIBUTE, PUBLIC)
    return view


def rule_of(endpoint: str) -> str | None:
    """Return the access rule of an endpoint, or None when it has none."""
    view = current_app.view_functions.get(endpoint)
    return getattr(view, RULE_ATTRIBUTE, None)


def enforce_access() -> None:
    """Refuse the request unless the endpoint's rule admits the current user."""
    if request.endpoint is None:  # unknown URL: let routing answer 404/405
        return
    rule = rule_of(request.endpoint)
    if rule is None:
        logger.error("endpoint %s has no access rule; refusing", request.endpoint)
        raise Forbidden("This endpoint is not available.")
    if bearer_token() is not None and not current_user.is_authenticated:  # public routes too
        raise NotAuthenticated("This API token is not valid: it is unknown, expired or revoked.")
    if rule == PUBLIC:
        return
    if not current_user.is_authenticated:
        raise NotAuthenticated("Log in first.")
    if not allows(current_user.user_level, rule):
        raise Forbidden("This needs the {level} level or higher.", level=rule)
