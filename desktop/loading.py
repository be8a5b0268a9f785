"""The main window's first content: a branded loading view, shown while the manager starts.

Plain HTML handed to the window (no server yet), in the brand's colours, in the install's
default language; the same view says what went wrong when the manager cannot start.
"""

from __future__ import annotations

import base64
import html
import json
from functools import cache

from server.resources import resource_path

FALLBACK = {"desktop.loading": "Starting ScriptsManager…"}
STYLE = """
html, body { height: 100%; margin: 0; }
body { display: flex; align-items: center; justify-content: center; background: #f3f5f9;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1c2b4a; }
main { text-align: center; }
header { background: #0b3d91; color: #fff; padding: 28px 48px; border-radius: 14px 14px 0 0; }
header img { width: 64px; height: 64px; display: block; margin: 0 auto 12px; }
header h1 { margin: 0; font-size: 22px; font-weight: 600; letter-spacing: .02em; }
section { background: #fff; padding: 22px 48px 26px; border-radius: 0 0 14px 14px;
  box-shadow: 0 4px 16px rgba(16, 30, 60, .08); min-width: 320px; }
.bar { height: 4px; background: #dde3ec; border-radius: 2px; overflow: hidden; margin-top: 14px; }
.bar span { display: block; width: 35%; height: 100%; background: #3aa0ff;
  animation: slide 1.1s ease-in-out infinite alternate; }
@keyframes slide { from { margin-left: 0; } to { margin-left: 65%; } }
.error { color: #a11d2c; max-width: 520px; white-space: pre-wrap; text-align: left; }
"""


def loading_view(brand_name: str, language: str) -> str:
    """Return the loading view's HTML."""
    message = _strings(language).get("desktop.loading", FALLBACK["desktop.loading"])
    body = f'<p id="sm-loading">{html.escape(message)}</p><div class="bar"><span></span></div>'
    return _page(brand_name, body)


def error_view(brand_name: str, problem: str) -> str:
    """Return the view shown when the manager could not start."""
    body = f'<p class="error" id="sm-start-error">{html.escape(problem)}</p>'
    return _page(brand_name, body)


def _page(brand_name: str, body: str) -> str:
    title = html.escape(f"{brand_name} ScriptsManager".strip())
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>{STYLE}</style></head><body><main><header>"
        f"<img alt='' src='data:image/png;base64,{_icon()}'><h1>{title}</h1></header>"
        f"<section>{body}</section></main></body></html>"
    )


@cache
def _icon() -> str:
    return base64.b64encode(resource_path("assets/images/app-icon.png").read_bytes()).decode()


def _strings(language: str) -> dict[str, str]:
    try:
        path = resource_path(f"translations/{language}.json")
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return FALLBACK
