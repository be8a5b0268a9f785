"""What a user of a language should read for a server message, and clients that speak it."""

from __future__ import annotations

import json

from server.resources import resource_path

FORMS: dict[str, dict[str, str]] = {}
for _path in sorted(resource_path("translations/messages").glob("*.json")):
    FORMS.update(json.loads(_path.read_text(encoding="utf-8")))


def form(template: str, language: str, /, **values: object) -> str:
    """Return the catalog's form of ``template`` in ``language`` (English: itself), filled."""
    text = template if language == "en" else FORMS[template][language]
    return text.format(**values)


def speaking(login, make_user, language: str, level: str = "operator"):
    """Return a client logged in as a new user whose language is ``language``."""
    client = login(make_user(level=level))
    saved = client.post("/api/user/preferences", {"language": language})
    assert saved.status_code == 200, saved.get_json()
    return client


def error_message(response, status: int) -> str:
    """Return the error message of an answer that has ``status``."""
    assert response.status_code == status, response.get_json()
    return response.get_json()["error"]["message"]
