"""Errors of the API, accounts, access rules, the host check and the live-log socket are
answered in the asker's language: the catalog's form with the values put in, and the
English template for an English user."""

from __future__ import annotations

import pytest

from server.api.common import PAGE
from server.api.errors import HTTP_MESSAGES
from server.services.passwords import MIN_LENGTH
from tests.api.translated import form as said

LANGUAGES = ("es", "it", "fr")


@pytest.fixture
def speaker(make_user, login):
    """Return ``speaker(language, level)``: a logged-in client of a user of that language."""

    def make(language: str, level: str = "operator"):
        user = make_user(level=level)
        client = login(user)
        answer = client.post("/api/user/preferences", {"language": language})
        assert answer.status_code == 200, answer.get_json()
        return user, client

    return make


def message(response) -> str:
    return response.get_json()["error"]["message"]


@pytest.mark.parametrize("language", ("en", *LANGUAGES))
def test_password_rules_and_body_errors_speak_the_users_language(speaker, language):
    user, client = speaker(language)
    short = client.post(
        "/api/auth/password", {"current_password": user.password, "new_password": "short"}
    )
    assert short.status_code == 400 and short.get_json()["error"]["field"] == "new_password"
    template = "The password needs at least {minimum} characters."
    assert message(short) == said(template, language, minimum=MIN_LENGTH)
    wrong = client.post("/api/auth/password", {"current_password": "x", "new_password": "y"})
    assert message(wrong) == said("The current password is wrong.", language)
    choice = client.post("/api/user/preferences", {"language": "de"})
    template = "{field}: must be one of {expected}."
    assert message(choice) == said(template, language, field="language", expected="en, es, it, fr")


@pytest.mark.parametrize("language", ("en", *LANGUAGES))
def test_malformed_json_bodies_say_why_in_the_users_language(speaker, language):
    _user, client = speaker(language)
    headers = {"Content-Type": "application/json", "X-CSRFToken": client.csrf}
    broken = client.raw.post("/api/user/preferences", data='{"theme": ', headers=headers)
    template = "The request body is not valid JSON (line {line}, column {column})."
    assert message(broken) == said(template, language, line=1, column=11)
    nan = client.raw.post("/api/user/preferences", data='{"theme": NaN}', headers=headers)
    template = "The request body is not valid JSON: {name} is not a JSON number."
    assert message(nan) == said(template, language, name="NaN")


@pytest.mark.parametrize("language", ("en", *LANGUAGES))
def test_access_rules_and_query_arguments_speak_the_users_language(speaker, language):
    _user, client = speaker(language, level="viewer")
    refused = client.get("/api/admin/users")
    assert refused.status_code == 403
    template = "This needs the {level} level or higher."
    assert message(refused) == said(template, language, level="admin")
    _admin, admin = speaker(language, level="admin")
    paged = admin.get("/api/admin/users?page=0")
    template = "{field} must be a whole number between {minimum} and {maximum}."
    expected = said(template, language, field="page", minimum=1, maximum=PAGE.maximum)
    assert message(paged) == expected
    missing = admin.get("/api/admin/users/999999")
    assert message(missing) == said("User {user_id} does not exist.", language, user_id=999999)
    unknown = admin.get("/api/i18n/de")
    template = "Language {language!r} is not supported."
    assert message(unknown) == said(template, language, language="de")


@pytest.mark.parametrize("language", ("en", *LANGUAGES))
def test_account_rules_and_werkzeugs_answers_speak_the_users_language(speaker, language):
    admin_user, admin = speaker(language, level="admin")
    itself = admin.delete(f"/api/admin/users/{admin_user.id}")
    assert itself.status_code == 409
    assert message(itself) == said("You cannot delete your own account.", language)
    nowhere = admin.get("/api/no-such-route")
    assert nowhere.status_code == 404 and message(nowhere) == said(HTTP_MESSAGES[404], language)
    wrong_method = admin.delete("/api/auth/csrf")
    assert wrong_method.status_code == 405
    assert message(wrong_method) == said(HTTP_MESSAGES[405], language, method="DELETE")


@pytest.mark.parametrize("language", ("en", *LANGUAGES))
def test_the_live_log_socket_errors_in_the_users_language(app, speaker, language):
    _user, client = speaker(language)
    socket = app.extensions["socketio"].test_client(
        app, namespace="/logs", flask_test_client=client.raw
    )
    try:
        assert socket.is_connected("/logs")
        socket.emit("subscribe", {}, namespace="/logs")
        errors = [e for e in socket.get_received("/logs") if e["name"] == "error"]
    finally:
        socket.disconnect(namespace="/logs")
    assert errors[0]["args"][0] == {"message": said("execution_id is required.", language)}


@pytest.mark.parametrize("language", ("en", *LANGUAGES))
def test_an_untrusted_host_is_refused_in_the_browsers_language(app, language):
    response = app.test_client().get(
        "/health",
        headers={"Accept-Language": f"{language},en;q=0.5"},
        environ_overrides={"HTTP_HOST": "evil.example"},
    )
    assert response.status_code == 400
    template = "This host name is not one the manager answers to (see TRUSTED_HOSTS)."
    assert response.get_json()["error"] == {
        "code": "untrusted_host",
        "message": said(template, language),
    }
