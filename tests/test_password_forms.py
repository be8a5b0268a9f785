"""A form with a password field never sends it in a URL: each one posts, and the login and
first-run forms can only be submitted once their script handles them."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "server" / "web" / "templates"
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)


def password_forms() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for attributes, body in FORM.findall(path.read_text("utf-8")):
            if 'type="password"' in body:
                found.append((path.name, attributes, body))
    return found


def test_every_password_form_posts():
    forms = password_forms()
    assert len(forms) >= 4
    for name, attributes, _body in forms:
        assert 'method="post"' in attributes, name


def test_login_and_first_run_wait_for_their_script():
    for name in ("login.html", "setup.html"):
        body = next(body for file, _a, body in password_forms() if file == name)
        submit = re.search(r"<button[^>]*type=\"submit\"[^>]*>", body).group(0)
        assert "disabled" in submit, name
