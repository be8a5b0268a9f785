"""Translations: the same keys in every language, and no literal text in templates."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from server.resources import resource_path
from server.settings import LANGUAGES

TEMPLATES = Path(__file__).resolve().parent.parent / "server" / "web" / "templates"
JINJA = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.S)
TEXT_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "value"}
ALLOWED_WORDS = {"v"}  # version prefix in the footer


def catalog(language: str) -> dict[str, str]:
    return json.loads(resource_path(f"translations/{language}.json").read_text("utf-8"))


def test_every_language_has_the_same_keys():
    english = set(catalog("en"))
    for language in LANGUAGES:
        keys = set(catalog(language))
        assert keys - english == set(), f"{language} has keys English lacks"
        assert english - keys == set(), f"{language} lacks keys"
        assert all(catalog(language).values()), f"{language} has empty strings"


def test_placeholders_match_across_languages():
    english = catalog("en")
    for language in LANGUAGES:
        for key, text in catalog(language).items():
            assert set(re.findall(r"{\w+}", text)) == set(re.findall(r"{\w+}", english[key])), key


class _TextFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in TEXT_ATTRIBUTES and value and re.search(r"[A-Za-z]{2,}", value):
                self.found.append(f"{tag}[{name}]={value!r}")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        words = set(re.findall(r"[A-Za-z]+", data)) - ALLOWED_WORDS
        if not self._skip and words:
            self.found.append(data.strip())


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: p.name)
def test_templates_show_translation_keys_not_literal_text(template):
    finder = _TextFinder()
    finder.feed(JINJA.sub("", template.read_text("utf-8")))
    assert finder.found == []


def test_templates_and_scripts_use_only_known_keys():
    english = catalog("en")
    used = set()
    for template in TEMPLATES.rglob("*.html"):
        used |= set(
            re.findall(r"""\bt\(\s*["']([\w.]*[A-Za-z0-9])["']""", template.read_text("utf-8"))
        )
    for script in resource_path("assets/js").glob("*.js"):
        used |= set(
            re.findall(r"""SM\.t\(\s*["']([\w.]*[A-Za-z0-9])["']""", script.read_text("utf-8"))
        )
    assert used, "no translation keys found"
    assert sorted(used - set(english)) == []


def test_api_serves_languages_and_catalogs(client):
    languages = client.get("/api/i18n/languages").get_json()
    assert [item["code"] for item in languages["items"]] == list(LANGUAGES)
    spanish = client.get("/api/i18n/es").get_json()["strings"]
    assert spanish["nav.logout"] == "Cerrar sesión"
    assert client.get("/api/i18n/de").status_code == 404


def test_pages_follow_the_users_language(login, make_user):
    client = login(make_user("luca"))
    client.post("/api/user/preferences", {"language": "it"})
    page = client.raw.get("/").get_data(as_text=True)
    assert 'lang="it"' in page and "Pannello" in page


def test_visitors_choose_a_language_with_a_cookie(client, admin):
    client.raw.set_cookie("sm_lang", "fr")
    assert "Connexion" in client.raw.get("/login").get_data(as_text=True)
