"""Server messages: constant English templates, each translated into es/it/fr with the
same placeholders, and answered in the asker's language."""

from __future__ import annotations

import ast
import json
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.api.body_errors import BODY_MESSAGES, OTHER
from server.api.errors import CRASH_MESSAGE, CSRF_MESSAGE, HTTP_MESSAGES
from server.resources import resource_path
from server.services.messages import MessageCatalog

SERVER = Path(__file__).resolve().parent.parent / "server"
OTHER_LANGUAGES = ("es", "it", "fr")
MESSAGE_CALLS = {"Message", "ServiceError"}  # and every subclass of ServiceError
EXTRA_TEMPLATES = {*BODY_MESSAGES.values(), OTHER, CSRF_MESSAGE, CRASH_MESSAGE}
EXTRA_TEMPLATES |= set(HTTP_MESSAGES.values())
# Where a message is only handed on: the error classes themselves, and the two tables above.
PASS_THROUGH = {"server/services/errors.py", "server/services/messages.py"}
PASS_THROUGH_NAMES = {
    ("server/api/body_errors.py", "template"),
    ("server/api/errors.py", "template"),
}


def modules() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(SERVER.rglob("*.py")):
        if "sdk" not in path.parts:  # the SDK speaks inside scripts, in their own words
            yield path, ast.parse(path.read_text("utf-8"), str(path))


def error_classes(trees: list[ast.Module]) -> set[str]:
    """Every class deriving (through the project) from ServiceError."""
    names = {"ServiceError"}
    while True:
        found = {
            node.name
            for tree in trees
            for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef)
            and any(isinstance(base, ast.Name) and base.id in names for base in node.bases)
        }
        if found <= names:
            return names
        names |= found


def called_name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def is_message(call: ast.Call, tree: ast.Module, calls: set[str]) -> bool:
    """A message call, or an error class handing its message to ``super().__init__``."""
    name = called_name(call)
    if name in calls:
        return True
    return name == "__init__" and any(
        isinstance(node, ast.ClassDef) and node.name in calls and call in ast.walk(node)
        for node in tree.body
    )


def constants(tree: ast.Module) -> dict[str, str]:
    """Module-level NAME = "text" assignments."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                    found[target.id] = node.value.value
    return found


def message_sites() -> list[tuple[str, ast.Call, str | None]]:
    """(where, call, template or None when it is not a constant) of every message."""
    parsed = list(modules())
    calls = MESSAGE_CALLS | error_classes([tree for _, tree in parsed])
    sites = []
    for path, tree in parsed:
        if str(path.relative_to(SERVER.parent)) in PASS_THROUGH:
            continue
        named = constants(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args and is_message(node, tree, calls)):
                continue
            first = node.args[0]
            template = (
                first.value
                if isinstance(first, ast.Constant) and isinstance(first.value, str)
                else named.get(first.id)
                if isinstance(first, ast.Name)
                else None
            )
            relative = str(path.relative_to(SERVER.parent))
            if isinstance(first, ast.Name) and (relative, first.id) in PASS_THROUGH_NAMES:
                continue
            sites.append((f"{relative}:{node.lineno}", node, template))
    return sites


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


SITES = message_sites()
CATALOG = MessageCatalog(resource_path("translations/messages")).templates()


def test_messages_are_constant_templates():
    loose = [where for where, _, template in SITES if template is None]
    assert loose == [], f"messages built at run time cannot be translated: {loose}"
    assert len(SITES) > 150


def test_every_message_is_given_its_values():
    missing = []
    for where, call, template in SITES:
        given = {keyword.arg for keyword in call.keywords}
        if template is None or None in given:  # **values: checked when it runs
            continue
        if lacking := placeholders(template) - given:
            missing.append(f"{where}: {sorted(lacking)}")
    assert missing == []


def test_every_message_is_translated():
    templates = {template for _, _, template in SITES if template} | EXTRA_TEMPLATES
    untranslated = sorted(
        f"{language}: {template}"
        for template in templates
        for language in OTHER_LANGUAGES
        if not CATALOG.get(template, {}).get(language)
    )
    assert untranslated == []


def test_translations_keep_the_placeholders_and_nothing_is_stale():
    used = {template for _, _, template in SITES if template} | EXTRA_TEMPLATES
    assert sorted(set(CATALOG) - used) == [], "translated messages nobody says"
    for template, forms in CATALOG.items():
        assert set(forms) == set(OTHER_LANGUAGES), template
        for language, form in forms.items():
            assert placeholders(form) == placeholders(template), (language, template)
            assert form != template, f"{language} is still English: {template}"


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_a_catalog_form_is_used_with_its_values(language):
    catalog = MessageCatalog(resource_path("translations/messages"))
    template = "{field}: must be at most {le}."
    answer = catalog.render(template, {"field": "n", "le": 5}, language)
    assert answer == CATALOG[template][language].format(field="n", le=5)
    assert "n" in answer and "5" in answer


def test_each_message_is_translated_in_one_file():
    owners: dict[str, list[str]] = {}
    for path in sorted(resource_path("translations/messages").glob("*.json")):
        for template in json.loads(path.read_text("utf-8")):
            owners.setdefault(template, []).append(path.name)
    assert {t: files for t, files in owners.items() if len(files) > 1} == {}
