"""ScriptsManager script SDK: arguments, data files and a protected, branded Flask interface.

ScriptsManager puts this folder first on the PYTHONPATH of every script it starts, so a script
can ``import scriptsmanager_sdk``. Nothing here is required: a plain Flask script built from the
specification's template keeps working. See docs/sdk.md for the author's guide.

- :func:`parse_args` reads the seven standard arguments and the script's parameters;
  :func:`as_bool` reads a true/false parameter.
- :func:`raise_on_sigterm` lets a batch script stop cleanly (:class:`Terminated`); on
  Windows, where Stop sends CTRL_BREAK, SIGBREAK counts as SIGTERM.
- :class:`DataManager` reads and atomically writes JSON files in the data folder.
- :func:`create_app` builds a Flask app that checks the interface token and the Host header,
  honours the manager's proxy prefix, never runs the debugger and serves the logo and a
  stylesheet; :func:`page` renders a complete branded page.
- :func:`run` serves the app on 127.0.0.1 with query-free access logs and a clean stop on
  SIGTERM/SIGINT (and SIGBREAK on Windows).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import re
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from scriptsmanager_guard import InterfaceGuard, matches

try:
    from flask import (
        Flask,
        Response,
        abort,
        current_app,
        has_request_context,
        render_template_string,
        send_file,
        url_for,
    )
    from markupsafe import Markup
    from werkzeug.serving import WSGIRequestHandler, make_server

    FLASK_AVAILABLE = True
except ImportError:  # a batch script in an environment without Flask: only the web part needs it
    Flask = WSGIRequestHandler = object  # type: ignore[assignment,misc]
    FLASK_AVAILABLE = False

__all__ = [
    "DataManager",
    "ScriptArgs",
    "ScriptFlask",
    "create_app",
    "page",
    "parse_args",
    "run",
    "translate",
]

USER_LEVELS = ("admin", "developer", "operator", "viewer")
THEMES = ("light", "dark")
LANGUAGES = ("en", "es", "it", "fr")
TOKEN_HEADER = "X-ScriptsManager-Token"
TOKEN_QUERY = "sm_token"
TOKEN_ENV = "SCRIPTSMANAGER_INTERFACE_TOKEN"
EXTENSION_KEY = "scriptsmanager"
_NO_DEBUG = "ScriptsManager scripts never run with debug (the Werkzeug debugger runs any code)"
_PREFIX_RE = re.compile(r"^(/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+/?$")
_PROJECT_LABEL = {"en": "Project:", "es": "Proyecto:", "it": "Progetto:", "fr": "Projet :"}
_dev_warning_printed = False


def _warn(message: str) -> None:
    print(f"Warning: {message}", file=sys.stderr, flush=True)


# Arguments


@dataclass
class ScriptArgs:
    """What the manager gave the script: the standard arguments, parameters and environment."""

    data_dir: Path
    user_level: str
    port: int
    project_id: str
    project_name: str
    theme: str
    language: str
    params: dict[str, Any] = field(default_factory=dict)
    execution_id: str = ""
    base_url: str = ""
    logo: Path | None = None


def _pair_values(argv: Iterable[str]) -> list[str]:
    """Turn every ``--name value`` into ``--name=value`` so that values may start with "-"."""
    items, out, index = list(argv), [], 0
    while index < len(items):
        token = items[index]
        pairable = token.startswith("--") and "=" not in token and token not in ("--", "--help")
        if pairable and index + 1 < len(items):
            out.append(f"{token}={items[index + 1]}")
            index += 2
        else:
            out.append(token)
            index += 1
    return out


def _env_parameters() -> dict[str, Any] | None:
    raw = os.environ.get("SCRIPTSMANAGER_PARAMETERS")
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        _warn("SCRIPTSMANAGER_PARAMETERS is not a JSON object; using the command line.")
        return None
    return data


def parse_args(argv: Iterable[str] | None = None) -> ScriptArgs:
    """Parse the standard arguments (``sys.argv[1:]`` by default) and the script's parameters.

    ``params`` is the JSON object of ``SCRIPTSMANAGER_PARAMETERS`` when it is set (typed values,
    secrets included), else the extra ``--name value`` pairs of the command line (strings).
    Invalid standard arguments end the script with status 2, as argparse does.
    """
    parser = argparse.ArgumentParser(description="ScriptsManager script", allow_abbrev=False)
    parser.add_argument("--data-dir", required=True, help="data folder of the script")
    parser.add_argument("--user-level", required=True, choices=USER_LEVELS)
    parser.add_argument("--port", type=int, required=True, help="port of the web interface")
    parser.add_argument("--project-id", required=True)
    parser.add_argument("--project-name", required=True)
    parser.add_argument("--theme", required=True, choices=THEMES)
    parser.add_argument("--language", required=True, choices=LANGUAGES)
    raw = sys.argv[1:] if argv is None else argv
    ns, extra = parser.parse_known_args(_pair_values(raw))
    if not 1 <= ns.port <= 65535:
        parser.error(f"--port must be between 1 and 65535 (got {ns.port})")

    cli_params: dict[str, Any] = {}
    ignored: list[str] = []
    for item in extra:
        name, sep, value = item.partition("=")
        if item.startswith("--") and sep and len(name) > 2:
            cli_params[name[2:]] = value
        else:
            ignored.append(item)
    if ignored:
        print(f"Note: ignoring arguments: {' '.join(ignored)}", file=sys.stderr, flush=True)
    env_params = _env_parameters()

    logo_env = os.environ.get("SCRIPTSMANAGER_LOGO")
    logo = Path(logo_env) if logo_env else None
    if logo is not None and not logo.is_file():
        _warn(f"logo {logo} not found; pages show no logo.")
        logo = None
    return ScriptArgs(
        data_dir=Path(os.path.abspath(ns.data_dir)),
        user_level=ns.user_level,
        port=ns.port,
        project_id=ns.project_id,
        project_name=ns.project_name,
        theme=ns.theme,
        language=ns.language,
        params=cli_params if env_params is None else env_params,
        execution_id=os.environ.get("SCRIPTSMANAGER_EXECUTION_ID", ""),
        base_url=os.environ.get("SCRIPTSMANAGER_BASE_URL", ""),
        logo=logo,
    )


TRUE_WORDS = ("true", "1", "yes", "on")
FALSE_WORDS = ("false", "0", "no", "off")


def as_bool(name: str, value: Any) -> bool:
    """Read a true/false parameter: a bool, or true/false, 1/0, yes/no, on/off as text.

    Anything else raises ``ValueError`` naming ``--name``.
    """
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_WORDS or text in FALSE_WORDS:
        return text in TRUE_WORDS
    raise ValueError(f"--{name} must be true or false (got {value!r}).")


# Stopping a batch script


class Terminated(Exception):
    """SIGTERM arrived (Stop, the time limit, the manager shutting down); on Windows,
    SIGBREAK (the CTRL_BREAK the manager sends instead)."""


def _stop_signals(signals: Any = signal, interactive: bool = False) -> list[int]:
    """Return the signals that mean "stop": SIGTERM, SIGBREAK where it exists (Windows),
    and SIGINT first when ``interactive``. ``signals`` is the ``signal`` module."""
    names = ("SIGINT", "SIGTERM", "SIGBREAK") if interactive else ("SIGTERM", "SIGBREAK")
    return [getattr(signals, name) for name in names if hasattr(signals, name)]


def raise_on_sigterm(signals: Any = signal) -> None:
    """Make SIGTERM (and SIGBREAK on Windows) raise :class:`Terminated` in the main thread,
    so that a batch script can tidy up and exit with its own status. Interfaces use
    :func:`run` instead. ``signals`` is the ``signal`` module."""

    def _raise(_signum: int, _frame: Any) -> None:
        raise Terminated()

    for signum in _stop_signals(signals):
        signals.signal(signum, _raise)


# Data files


class DataManager:
    """JSON files in the script's data folder, written atomically.

    Every write goes to a temporary file in the same folder, is fsynced, then replaces the
    target with ``os.replace``: readers see the old file or the new one, never half of one.
    """

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self.data_dir = Path(os.path.abspath(data_dir))
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def path(self, name: str = "config.json") -> Path:
        """Return the absolute path of ``name``, a single plain file name (else ValueError)."""
        unsafe = not isinstance(name, str) or name.strip() in ("", ".")
        if unsafe or ".." in name or any(char in name for char in "/\\:\0"):
            raise ValueError(f"not a plain file name: {name!r}")
        return self.data_dir / name

    def load(self, name: str = "config.json", default: Any = None) -> Any:
        """Return the parsed file, or a copy of ``default`` when it is missing or corrupt.

        A corrupt file is renamed ``<name>.corrupt-<YYYYmmddHHMMSS>`` (kept for inspection)
        and a warning is printed on stderr.
        """
        path = self.path(name)
        with self._lock:
            try:
                return json.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                return copy.deepcopy(default)
            except ValueError as exc:  # invalid JSON or not UTF-8
                stamp = time.strftime("%Y%m%d%H%M%S")
                target, counter = path.with_name(f"{name}.corrupt-{stamp}"), 1
                while target.exists():
                    target = path.with_name(f"{name}.corrupt-{stamp}-{counter}")
                    counter += 1
                try:
                    os.rename(path, target)
                    _warn(f"{path} is corrupt ({exc}); moved to {target.name}, defaults used.")
                except OSError as move_error:
                    _warn(f"{path} is corrupt ({exc}) and could not be moved: {move_error}")
                return copy.deepcopy(default)

    def save(self, obj: Any, name: str = "config.json") -> Path:
        """Write ``obj`` as JSON atomically (temporary file, fsync, os.replace); return the path."""
        path = self.path(name)
        text = json.dumps(obj, indent=2, ensure_ascii=False) + "\n"  # fails before any write
        with self._lock:
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.data_dir)
            try:
                with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                    handle.write(text)
                    handle.flush()
                    os.fsync(handle.fileno())
                for attempt in range(5):  # Windows refuses while another process reads it
                    try:
                        os.replace(tmp, path)
                        break
                    except PermissionError:
                        if attempt == 4:
                            raise
                        time.sleep(0.05)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
            if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX)
                with contextlib.suppress(OSError):
                    dir_fd = os.open(self.data_dir, os.O_RDONLY | os.O_DIRECTORY)
                    try:
                        os.fsync(dir_fd)
                    finally:
                        os.close(dir_fd)
        return path


# Flask application


class _PrefixMiddleware:
    """Set SCRIPT_NAME from X-Forwarded-Prefix, but only for requests that carry the token."""

    def __init__(self, app: Callable[..., Any], token: str | None) -> None:
        self.app = app
        self.token = token

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        prefix = environ.pop("HTTP_X_FORWARDED_PREFIX", None)
        header = environ.get("HTTP_X_SCRIPTSMANAGER_TOKEN")
        if prefix and self.token and matches(header, self.token):
            if _PREFIX_RE.match(prefix) and not prefix.startswith("//"):
                environ["SCRIPT_NAME"] = prefix.rstrip("/")
        return self.app(environ, start_response)


class ScriptFlask(Flask):
    """A Flask app whose debug mode cannot be switched on."""

    @property
    def debug(self) -> bool:  # type: ignore[override]
        """Always False: the debugger would let anyone reaching the page run code."""
        return False

    @debug.setter
    def debug(self, value: bool) -> None:
        if value:
            raise RuntimeError(_NO_DEBUG)
        self.config["DEBUG"] = False

    def run(  # type: ignore[override]
        self,
        host: str | None = None,
        port: int | None = None,
        debug: bool | None = None,
        **options: Any,
    ) -> None:
        """Serve through :func:`run` (``app.run(...)`` of template-style scripts lands here)."""
        if debug or options.get("use_debugger") or options.get("use_reloader"):
            raise RuntimeError(_NO_DEBUG)
        args: ScriptArgs = self.extensions[EXTENSION_KEY].args
        if port is not None and int(port) != args.port:
            raise ValueError(f"the interface must listen on --port {args.port}, not {port}")
        run(self, args)


def create_app(
    import_name: str,
    args: ScriptArgs,
    translations: Mapping[str, Mapping[str, str]] | None = None,
) -> Flask:
    """Return a Flask app protected by the interface token and the Host check, with branding.

    ``translations`` maps a language to ``{key: text}``; templates call ``sm.t(key)``.
    """
    if not FLASK_AVAILABLE:
        raise ImportError(
            "the interface part of scriptsmanager_sdk needs Flask in this environment"
        )
    global _dev_warning_printed
    token = os.environ.get(TOKEN_ENV) or None
    if token is None and not _dev_warning_printed:
        _dev_warning_printed = True
        _warn(f"{TOKEN_ENV} is not set: the interface accepts every request (development only).")

    app = ScriptFlask(import_name)
    app.debug = False
    # The guard checks the Host and the token before anything else, prefix included.
    prefixed = _PrefixMiddleware(app.wsgi_app, token)
    app.wsgi_app = InterfaceGuard(prefixed, args.port, token)  # type: ignore[method-assign]
    texts: Mapping[str, Mapping[str, str]] = translations or {}

    def t(key: str) -> str:
        """Translate ``key`` into the user's language, falling back to English, then the key."""
        for language in (args.language, "en"):
            value = texts.get(language, {}).get(key)
            if value is not None:
                return value
        return key

    app.extensions[EXTENSION_KEY] = SimpleNamespace(args=args, t=t)

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    @app.get("/sdk/logo.png", endpoint="sdk_logo")
    def _logo() -> Response:
        if args.logo is None or not args.logo.is_file():
            abort(404)
        return send_file(args.logo, mimetype="image/png", max_age=3600)

    @app.get("/sdk/style.css", endpoint="sdk_style")
    def _style() -> Response:
        response = Response(STYLESHEET, mimetype="text/css")
        response.cache_control.max_age = 3600
        return response

    @app.context_processor
    def _context() -> dict[str, Any]:
        in_request = has_request_context()
        sm = SimpleNamespace(
            project_name=args.project_name,
            project_id=args.project_id,
            user_level=args.user_level,
            theme=args.theme,
            language=args.language,
            logo_url=url_for("sdk_logo") if in_request and args.logo else None,
            css_url=url_for("sdk_style") if in_request else "/sdk/style.css",
            project_label=_PROJECT_LABEL.get(args.language, "Project:"),
            t=t,
        )
        return {"sm": sm}

    return app


def translate(key: str) -> str:
    """``sm.t(key)`` for Python code: the text of ``key`` for the current create_app app."""
    return current_app.extensions[EXTENSION_KEY].t(key)  # type: ignore[no-any-return]


_PAGE = """<!doctype html>
<html lang="{{ sm.language }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}{% if sm.project_name %} – {{ sm.project_name }}{% endif %}</title>
<link rel="stylesheet" href="{{ sm.css_url }}">
{% if sm.logo_url %}<link rel="icon" type="image/png" href="{{ sm.logo_url }}">{% endif %}
{{ head }}
</head>
<body class="theme-{{ sm.theme }}">
<header class="sm-header">
  {% if sm.logo_url %}<img class="sm-logo" src="{{ sm.logo_url }}" alt="">{% endif %}
  <div>
    <h1>{{ title }}</h1>
    {% if sm.project_name %}<div class="sm-project">
      {{ sm.project_label }} <strong>{{ sm.project_name }}</strong></div>{% endif %}
  </div>
</header>
<main class="sm-main">
{{ body }}
</main>
</body>
</html>
"""


def page(title: str, body_html: str, *, head_html: str = "", **context: Any) -> str:
    """Return a complete branded HTML page (call it inside a request of a create_app app).

    ``body_html`` and ``head_html`` are Jinja templates rendered with ``context`` and ``sm``:
    put user data in ``context`` and write ``{{ name }}`` (auto-escaped), never format it into
    the template text. A :class:`markupsafe.Markup` value is inserted as it is.
    """

    def render(source: str) -> Markup:
        if isinstance(source, Markup):
            return source
        return Markup(render_template_string(source, **context))

    body, head = render(body_html), render(head_html)
    return render_template_string(_PAGE, title=title, body=body, head=head, **context)


# Serving


def _redact(text: str) -> str:
    text = re.sub(r"(?i)(sm_token=)[^&\s'\"]*", r"\1***", text)
    token = os.environ.get(TOKEN_ENV)
    if token:
        text = text.replace(token, "***")
    return "".join(char if char.isprintable() else "?" for char in text)


class _AccessLogHandler(WSGIRequestHandler):
    """Logs "METHOD path STATUS" on stdout: no query string, so no token, ever."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = str(getattr(self, "path", "") or "").split("?", 1)[0][:300]
        method = getattr(self, "command", None) or "-"
        status = int(code) if isinstance(code, int) else code
        print(_redact(f"{method} {path} {status}"), flush=True)

    def log_error(self, format: str, *args: Any) -> None:
        print(_redact("error: " + (format % args)), file=sys.stderr, flush=True)

    def log_message(self, format: str, *args: Any) -> None:
        print(_redact(format % args), flush=True)


def run(app: Flask, args: ScriptArgs) -> None:
    """Serve ``app`` on 127.0.0.1:``args.port`` until SIGTERM, SIGINT or (Windows) SIGBREAK,
    then return. On a worker of the celery backend, the address is the worker's
    (``SCRIPTSMANAGER_INTERFACE_HOST``), where the manager's proxy reaches it.

    Prints "serving on http://<address>:<port>/" once listening. A port already in use ends
    the script with status 1.
    """
    host = os.environ.get("SCRIPTSMANAGER_INTERFACE_HOST") or "127.0.0.1"
    if not FLASK_AVAILABLE:
        raise ImportError(
            "the interface part of scriptsmanager_sdk needs Flask in this environment"
        )
    if app.debug or app.config.get("DEBUG"):
        raise RuntimeError(_NO_DEBUG)
    stopping = threading.Event()
    server: Any = None

    def stop(signum: int, _frame: Any) -> None:
        if not stopping.is_set():
            stopping.set()
            if server is not None:  # shutdown() waits for serve_forever(): another thread
                threading.Thread(target=server.shutdown, name="sm-stop", daemon=True).start()

    # Handlers first: a signal that comes as soon as the port listens still stops cleanly.
    previous: dict[int, Any] = {}
    for signum in _stop_signals(interactive=True):
        with contextlib.suppress(ValueError):  # not the main thread: no handlers
            previous[signum] = signal.signal(signum, stop)
    try:
        try:
            server = make_server(
                host, args.port, app, threaded=True, request_handler=_AccessLogHandler
            )
        except OSError as exc:
            raise SystemExit(f"Error: cannot listen on {host}:{args.port}: {exc}") from None
        print(f"serving on http://{host}:{args.port}/", flush=True)
        try:
            if not stopping.is_set():
                server.serve_forever()
        finally:
            server.server_close()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    print("stopped", flush=True)


# Stylesheet (no external resources)

STYLESHEET = """
body { color-scheme: light; --sm-bg:#f3f5f9; --sm-surface:#fff; --sm-fg:#1a2230; --sm-muted:#5a6577;
  --sm-line:#d8dee8; --sm-accent:#0b3d91; --sm-accent-fg:#fff; --sm-header:#0b3d91; --sm-input:#fff;
  --sm-hover:#eef3fb; --sm-err:#b42318; --sm-ok:#157347; --sm-code:#eef1f6; }
body.theme-dark { color-scheme: dark; --sm-bg:#0e131b; --sm-surface:#171e29; --sm-fg:#e4e8ef;
  --sm-muted:#9aa6b8; --sm-line:#2b3546; --sm-accent:#6d9cf0; --sm-accent-fg:#0b1220;
  --sm-header:#0a2f6e; --sm-input:#0f151e; --sm-hover:#1d2636; --sm-err:#f97066; --sm-ok:#4ccf8a;
  --sm-code:#222c3b; }
* { box-sizing: border-box; }
html, body { margin: 0; }
body { background: var(--sm-bg); color: var(--sm-fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
.sm-header { display: flex; align-items: center; gap: 16px; padding: 12px 24px;
  background: var(--sm-header); color: #fff; box-shadow: 0 2px 6px rgba(0, 0, 0, .18); }
.sm-header h1 { margin: 0; font-size: 1.25rem; font-weight: 600; letter-spacing: .01em; }
.sm-project { font-size: .88rem; opacity: .88; }
.sm-logo { height: 38px; width: auto; background: #fff; border-radius: 6px; padding: 4px 8px; }
.sm-main { max-width: 1120px; margin: 0 auto; padding: 20px; display: grid; gap: 16px; }
h2 { font-size: 1.05rem; margin: 0 0 12px; color: var(--sm-accent); }
a { color: var(--sm-accent); }
.card { background: var(--sm-surface); border: 1px solid var(--sm-line); border-radius: 10px;
  padding: 18px; box-shadow: 0 1px 2px rgba(16, 24, 40, .06); }
.muted { color: var(--sm-muted); }
.ok { color: var(--sm-ok); } .err { color: var(--sm-err); }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 12px; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; justify-content: flex-end; margin-top: 12px; }
form { margin: 0; }
label { display: flex; flex-direction: column; gap: 4px; font-size: .92rem; font-weight: 500; }
input, select, textarea { font: inherit; color: var(--sm-fg); background: var(--sm-input);
  width: 100%; border: 1px solid var(--sm-line); border-radius: 6px; padding: 6px 9px; }
input[type=checkbox], input[type=radio] { width: auto; }
input:focus, select:focus, textarea:focus, button:focus-visible {
  outline: 2px solid var(--sm-accent); outline-offset: 1px; }
button, .button { font: inherit; font-weight: 500; cursor: pointer; border-radius: 6px;
  border: 1px solid var(--sm-accent); background: var(--sm-accent); color: var(--sm-accent-fg);
  padding: 7px 16px; text-decoration: none; display: inline-block; }
button:hover, .button:hover { filter: brightness(1.12); }
button.secondary, .button.secondary { background: transparent; color: var(--sm-accent); }
button:disabled { opacity: .5; cursor: not-allowed; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--sm-line);
  vertical-align: middle; }
th { font-size: .85rem; font-weight: 600; color: var(--sm-muted); }
tbody tr:hover { background: var(--sm-hover); }
.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  background: var(--sm-code); border-radius: 4px; padding: 1px 4px; }
pre { padding: 10px; overflow: auto; }
"""
