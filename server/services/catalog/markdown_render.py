"""Render documentation Markdown to safe HTML: highlighted code, tables, TOC and math, and
links to other scripts' docs turned into links to their pages."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import markdown
import nh3
from markdown.extensions import Extension

from server.services.catalog.mermaid_fence import MermaidExtension

EXTENSIONS: list[str | Extension] = [
    "fenced_code", "tables", "toc", "codehilite", "sane_lists", "pymdownx.arithmatex",
    MermaidExtension(),  # ```mermaid → <pre class="mermaid"> (class kept by ALLOWED_ATTRIBUTES)
]  # fmt: skip
EXTENSION_CONFIGS = {
    "codehilite": {"css_class": "highlight", "guess_lang": False},
    "toc": {"permalink": False},
    "pymdownx.arithmatex": {"generic": True},
}
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre",
    "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# A link to another script's documentation: ``other.md``, ``other_es.md``, ``../docs/other.md``
# (an anchor may follow), or ``script:other`` / ``script:<group folder>/other``.
DOC_LINK = re.compile(
    r"(?:script:(?:(?P<group>[\w.-]+)/)?(?P<name>[\w.-]+)"
    r"|(?:\.\./docs/|\./)?(?P<doc>[\w.-]+?)(?:_(?:en|es|it|fr))?\.md)(?P<anchor>#[\w.-]*)?"
)
HREF = re.compile(r'<a href="([^"]*)"')

Linker = Callable[[str | None, str], str | None]  # (group folder or None, script) → page URL


def render_markdown(text: str, linker: Linker | None = None) -> str:
    """Return sanitised HTML for Markdown; scripts, handlers and javascript: URLs are removed.

    With a ``linker``, links to another script's docs go to that script's page; one to a
    script that does not exist loses its target (the text stays)."""
    rendered = markdown.markdown(
        text, extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html"
    )
    if linker is not None:
        rendered = HREF.sub(lambda m: _relinked(m, linker), rendered)
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def _relinked(match: re.Match[str], linker: Linker) -> str:
    target = DOC_LINK.fullmatch(html.unescape(match.group(1)))
    if target is None:
        return match.group(0)
    page = linker(target.group("group"), target.group("name") or target.group("doc"))
    if page is None:
        return '<a class="sm-broken-link"'
    return f'<a href="{html.escape(page + (target.group("anchor") or ""))}"'
