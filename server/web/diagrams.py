"""The diagram frame: one Mermaid diagram drawn inside a sandboxed iframe of a docs page.

The page holds no data: it draws what its URL fragment carries. Docs pages embed it with
``sandbox="allow-scripts"`` (no ``allow-same-origin``), so it runs in an opaque origin
with no cookies, no API and no access to the app's DOM. That is what makes its own,
looser policy acceptable: Mermaid's SVG needs inline styles, which the app's CSP refuses.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from server.security.access import public
from server.services.errors import NotFound
from server.services.registry import services
from server.settings import LANGUAGES

bp = Blueprint("diagrams", __name__)
MERMAID_SCRIPT = "vendor/mermaid-11.17.2/mermaid.min.js"
FRAME_STRINGS = {"error": "docs.diagram_error"}
FRAME_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "frame-ancestors 'self'",
        "base-uri 'none'",
        "form-action 'none'",
    ]
)


def frame_strings() -> dict[str, dict[str, str]]:
    """Return the frame's texts in every language (the parent names one in the fragment)."""
    i18n = services().i18n
    return {
        language: {name: i18n.translate(key, language) for name, key in FRAME_STRINGS.items()}
        for language in LANGUAGES
    }


@bp.get("/docs/diagram")
@public
def diagram():
    """Return the frame page that draws the diagram named by its URL fragment."""
    if not services().settings.mermaid_enabled:
        raise NotFound("Diagrams are turned off on this server.")
    page = render_template(
        "docs/diagram.html", mermaid_script=MERMAID_SCRIPT, strings=frame_strings()
    )
    return page, 200, {"Content-Security-Policy": FRAME_POLICY}
