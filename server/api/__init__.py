"""The JSON API: one module per resource, all mounted under /api (and /health)."""

from __future__ import annotations

from flask import Flask

from server.api import (
    admin_catalog,
    admin_data,
    admin_logs,
    admin_settings,
    admin_tokens,
    admin_users,
    admin_workers,
    api_tokens,
    auth,
    catalog,
    data,
    doc_history,
    docs,
    dynamic_options,
    environments,
    errors,
    health,
    i18n,
    interfaces,
    log_filters,
    logs,
    logs_bulk,
    metadata,
    metrics,
    openapi,
    presets,
    project_files,
    projects,
    run_marks,
    runs,
    schedules,
    shortcuts,
    system,
    tags,
    user,
)
from server.api.converters import BoundedIntConverter


def register_api(app: Flask) -> None:
    """Register every API blueprint and the JSON error handlers."""
    # Before any rule is added, so every <int:...> (pages too) gets bounded ids.
    app.url_map.converters["int"] = BoundedIntConverter
    modules = (auth, admin_users, user, i18n, health, openapi, catalog, metadata, docs, tags)
    modules += (environments, runs, logs, admin_logs, projects, data, interfaces, system)
    modules += (project_files,)
    modules += (admin_catalog, admin_settings)
    modules += (admin_data, presets)
    modules += (shortcuts, doc_history)
    modules += (log_filters, logs_bulk, run_marks)
    modules += (metrics,)
    modules += (dynamic_options, schedules, admin_workers)
    modules += (api_tokens, admin_tokens)
    for module in modules:
        app.register_blueprint(module.bp)
    errors.register(app)
