"""The HTML pages, the shipped assets and what every template can use."""

from __future__ import annotations

from flask import Flask, request
from flask_login import current_user

from server import __version__
from server.proxy import views as proxy_views
from server.security.levels import allows
from server.services.catalog.parameters import localise, value_text
from server.services.registry import services
from server.settings import LANGUAGES
from server.web import admin, assets, diagrams, pages, project_files

LANGUAGE_COOKIE = "sm_lang"
THEME_COOKIE = "sm_theme"


def current_language() -> str:
    """Return the language of this request: the user's, else the visitor's choice."""
    i18n = services().i18n
    if current_user.is_authenticated:
        return i18n.pick(current_user.preferred_language)
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or i18n.default_language


def current_theme() -> str:
    """Return the theme of this request: the user's, else the visitor's choice."""
    if current_user.is_authenticated:
        return current_user.preferred_theme
    return "dark" if request.cookies.get(THEME_COOKIE) == "dark" else "light"


def storage_notice() -> dict[str, object] | None:
    """Return the current user's storage status when a page should warn of it (80 %, full)."""
    if not current_user.is_authenticated:
        return None
    status = services().quotas.banner(current_user.id)
    return None if status is None else status.as_dict()


def register_web(app: Flask) -> None:
    """Register the page and asset blueprints and the template context."""
    app.register_blueprint(pages.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(assets.bp)
    app.register_blueprint(diagrams.bp)
    app.register_blueprint(project_files.bp)
    app.register_blueprint(proxy_views.bp)

    @app.context_processor
    def template_context() -> dict[str, object]:
        svc = services()
        language = current_language()

        def t(key: str, **values: object) -> str:
            return svc.i18n.translate(key, language, **values)

        def tn(key: str, count: int, **values: object) -> str:
            return svc.i18n.translate_plural(key, count, language, **values)

        def loc(value: object) -> str:
            return localise(value, language) or ""

        def can(level: str) -> bool:
            return current_user.is_authenticated and allows(current_user.user_level, level)

        return {
            "t": t,
            "tn": tn,
            "can": can,
            "loc": loc,
            "value_text": value_text,
            "lang": language,
            "theme": current_theme(),
            "languages": svc.i18n.languages(),
            "i18n_strings": svc.i18n.catalog(language),
            "brand_name": svc.settings.brand_name,
            "version": __version__,
            "storage_notice": storage_notice(),
            "personal_desktop": svc.desktop_account.enabled,
        }
