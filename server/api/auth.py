"""Authentication: CSRF token, login, the desktop sign-in, logout, current user, password
change, first admin."""

from __future__ import annotations

from flask import Blueprint, jsonify, request, session
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf
from pydantic import Field

from server.api.common import Body, Email, NewPassword, Username, accepts, actor
from server.security.access import public, require_level
from server.security.bearer import session_only
from server.services.registry import services

bp = Blueprint("auth_api", __name__, url_prefix="/api/auth")


class LoginRequest(Body):
    """Credentials."""

    username: str = Field(min_length=1, max_length=50)
    password: str = Field(min_length=1, max_length=256)


class PasswordChange(Body):
    """One's current and new password."""

    current_password: str = Field(max_length=256)
    new_password: NewPassword


class FirstAdmin(Body):
    """The first admin account, created from the first-run page."""

    username: Username
    email: Email
    password: NewPassword
    setup_token: str = Field(
        default="", max_length=100, description="The token of the link the server printed."
    )


@bp.get("/csrf")
@public
def csrf_token():
    """Return a CSRF token for the X-CSRFToken header of later mutations."""
    return jsonify({"csrf_token": generate_csrf()})


@bp.post("/login")
@public
@accepts(LoginRequest)
def login(body: LoginRequest):
    """Log in; 401 for wrong credentials, 429 after repeated failures."""
    user = services().auth.login(
        body.username, body.password, request.remote_addr or "", request.user_agent.string
    )
    session.clear()
    session.permanent = True
    login_user(user)
    return jsonify({"user": user.to_dict(), "csrf_token": generate_csrf()})


@bp.post("/window-ticket")
@require_level("viewer")
@session_only  # a ticket opens a session: never for an API token
def window_ticket():
    """Return a one-time ticket that logs a second window (desktop shell) in as the caller."""
    return jsonify({"ticket": services().auth.issue_ticket(current_user.id)})


class DesktopTicket(Body):
    """The one-time ticket the desktop shell handed its main window."""

    ticket: str = Field(min_length=1, max_length=100)


@bp.post("/desktop")
@public
@accepts(DesktopTicket)
def desktop_sign_in(body: DesktopTicket):
    """Sign the personal desktop's window in as the OS user's account (404 outside the
    personal desktop; 401 for an unknown, used or late ticket)."""
    user = services().desktop_account.sign_in(body.ticket, request.user_agent.string)
    session.clear()
    session.permanent = True
    login_user(user)
    return jsonify({"user": user.to_dict(), "csrf_token": generate_csrf()})


@bp.post("/logout")
@require_level("viewer")
@session_only  # a token has no session to end; it is revoked instead
def logout():
    """Log out and revoke this session on the server."""
    services().auth.logout(current_user.token, actor())
    logout_user()
    session.clear()
    return jsonify({"status": "logged_out", "csrf_token": generate_csrf()})


@bp.get("/user")
@require_level("viewer")
def current():
    """Return the logged-in user."""
    return jsonify({"user": current_user.to_dict()})


@bp.post("/password")
@require_level("viewer")
@accepts(PasswordChange)
def change_password(body: PasswordChange):
    """Change one's own password; every other session of the user is revoked."""
    svc = services()
    svc.users.change_password(current_user.id, body.current_password, body.new_password, actor())
    svc.auth.revoke_all(current_user.id, keep_token=current_user.token)
    return jsonify({"status": "password_changed"})


@bp.post("/setup")
@public
@accepts(FirstAdmin)
def create_first_admin(body: FirstAdmin):
    """Create the first admin with the server's one-time setup token (403 without it, 409
    once an admin exists)."""
    user = services().first_run.create_admin(
        body.setup_token, body.username, body.email, body.password, actor()
    )
    return jsonify({"user": {"id": user.id, "username": user.username}}), 201
