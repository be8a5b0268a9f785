"""The script SDK (server/sdk/scriptsmanager_sdk.py) with real processes and sockets.

Each interface runs as a child process started like the manager starts it: the seven
standard arguments, ``PYTHONPATH=<repo>/server/sdk`` and a token in the environment.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SDK_DIR = REPO / "server" / "sdk"
HEAT_TRANSFER = REPO / "script_groups" / "thermal_analysis" / "heat_transfer.py"
SPEC_TEMPLATE = REPO / "tests" / "fixtures" / "spec_template.py"
TOKEN = "tok-9f2c1d7e5b3a4c6d8e0f1a2b3c4d5e6f"
PREFIX = "/interfaces/s42/app"
# Deadlines for states (listening, an answer, an exit, a thread done), generous so that a
# loaded machine is slow, not failing; none is waited for in full when things go well.
STARTUP_TIMEOUT = 60.0
WAIT_TIMEOUT = 60.0
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)

EXAMPLE = '''\
"""
ScriptsManager Metadata:
@description: SDK test interface
@required_level: operator
@interface: true
"""
from flask import jsonify, request

from scriptsmanager_sdk import DataManager, create_app, page, parse_args, run

args = parse_args()
data = DataManager(args.data_dir)
app = create_app(__name__, args, translations={"en": {"hello": "Hello"}, "es": {"hello": "Hola"}})

BODY = """<p id="greeting">{{ sm.t("hello") }} {{ who }}</p>
<a id="home" href="{{ url_for('index') }}">home</a>
<a id="api" href="{{ url_for('config') }}">config</a>"""


@app.get("/")
def index():
    return page("Example", BODY, who=request.args.get("who", ""))


@app.route("/api/config", methods=["GET", "POST"])
def config():
    if request.method == "POST":
        data.save(request.get_json())
    return jsonify(data.load(default={"count": 0}))


@app.get("/api/args")
def show_args():
    return jsonify(params=args.params, user_level=args.user_level, project=args.project_name)


if __name__ == "__main__":
    run(app, args)
'''


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Child:
    """A script started like the manager starts it; output goes to files."""

    def __init__(
        self, script: Path, folder: Path, params: list[str], env: dict[str, str | None]
    ) -> None:
        self.port = free_port()
        self.data_dir = folder / "data"
        self.stdout_path, self.stderr_path = folder / "stdout.txt", folder / "stderr.txt"
        environ = {k: v for k, v in os.environ.items() if not k.startswith("SCRIPTSMANAGER_")}
        environ.update(PYTHONPATH=str(SDK_DIR), PYTHONDONTWRITEBYTECODE="1")
        environ.update({k: v for k, v in env.items() if v is not None})  # None: left unset
        standard = [
            "--data-dir", str(self.data_dir), "--user-level", "operator",
            "--port", str(self.port), "--project-id", "7", "--project-name", "Cold store",
            "--theme", "dark", "--language", "es",
        ]  # fmt: skip
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, str(script), *standard, *params],
                cwd=script.parent, env=environ, stdout=out, stderr=err,
            )  # fmt: skip
        self._wait_until_listening()

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"script exited early:\n{self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"script did not listen within {STARTUP_TIMEOUT}s:\n{self.output()}")

    def request(
        self,
        path: str,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """Return (status, lower-cased headers, body); the connection is always closed."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT_TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
            found = {k.lower(): v for k, v in response.getheaders()}
            found["set-cookie"] = ", ".join(response.headers.get_all("Set-Cookie") or [])
            return response.status, found, data
        finally:
            conn.close()

    def get(self, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
        return self.request(path, headers={k.replace("_", "-"): v for k, v in headers.items()})

    def stop(self, signum: int = signal.SIGTERM, timeout: float = WAIT_TIMEOUT) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
            try:
                return self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(WAIT_TIMEOUT)
                raise
        return self.process.returncode

    def output(self) -> str:
        return self.stdout_path.read_text(errors="replace") + self.stderr_path.read_text(
            errors="replace"
        )


def auth(**extra: str) -> dict[str, str]:
    return {"X-ScriptsManager-Token": TOKEN, **extra}


@pytest.fixture
def start(tmp_path: Path) -> Iterator:
    children: list[Child] = []
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)

    def start_child(
        script: Path | None = None, params: list[str] | None = None, **env: str | None
    ) -> Child:
        if script is None:
            script = tmp_path / "example_interface.py"
            script.write_text(EXAMPLE, encoding="utf-8")
        folder = tmp_path / f"run{len(children)}"
        folder.mkdir()
        environ = {"SCRIPTSMANAGER_INTERFACE_TOKEN": TOKEN, "SCRIPTSMANAGER_LOGO": str(logo)}
        child = Child(script, folder, params or [], {**environ, **env})
        children.append(child)
        return child

    yield start_child
    for child in children:
        child.stop()


@pytest.fixture
def sdk(monkeypatch):
    """The SDK module (and its guard), loaded from their files (without touching sys.path)."""
    for name in ("scriptsmanager_guard", "scriptsmanager_sdk"):
        spec = importlib.util.spec_from_file_location(name, SDK_DIR / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        monkeypatch.setitem(sys.modules, name, module)  # dataclasses and imports need it
        spec.loader.exec_module(module)
    return module


def test_the_token_is_required_and_accepted_from_header_cookie_and_query(start):
    child = start()
    assert child.get("/")[0] == 403
    assert child.get("/", X_ScriptsManager_Token="wrong")[0] == 403
    assert child.get("/", Cookie=f"sm_token_{child.port}=wrong")[0] == 403
    assert child.get("/api/config?sm_token=wrong")[0] == 403

    status, _, body = child.get("/", **{"X-ScriptsManager-Token": TOKEN})
    assert status == 200 and b'id="greeting">Hola' in body

    status, headers, _ = child.get(f"/api/config?a=1&sm_token={TOKEN}&b=%2F")
    assert status == 302
    assert headers["location"] == "/api/config?a=1&b=%2F"
    cookie = headers["set-cookie"]
    assert cookie.startswith(f"sm_token_{child.port}={TOKEN};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie

    status, _, body = child.get("/api/config", Cookie=f"sm_token_{child.port}={TOKEN}")
    assert status == 200 and json.loads(body) == {"count": 0}


def test_without_a_token_variable_requests_pass_after_one_warning(start):
    child = start(SCRIPTSMANAGER_INTERFACE_TOKEN=None)
    assert child.get("/")[0] == 200
    assert child.get("/", **{"X-Forwarded-Prefix": PREFIX})[2].count(PREFIX.encode()) == 0
    assert child.get("/", Host="evil.example")[0] == 400  # the Host check still applies
    assert child.stop() == 0
    assert child.stderr_path.read_text().count("SCRIPTSMANAGER_INTERFACE_TOKEN is not set") == 1


def test_foreign_host_headers_are_refused(start):
    child = start()
    for host in ("evil.example", f"evil.example:{child.port}", "127.0.0.1:1"):
        assert child.get("/", **auth(Host=host))[0] == 400
    for host in (f"127.0.0.1:{child.port}", f"localhost:{child.port}", f"[::1]:{child.port}"):
        assert child.get("/", **auth(Host=host))[0] == 200


def test_the_proxy_prefix_needs_the_token_header(start):
    child = start()
    status, _, body = child.get("/", **auth(**{"X-Forwarded-Prefix": PREFIX}))
    assert status == 200
    assert f'id="home" href="{PREFIX}/"'.encode() in body
    assert f'id="api" href="{PREFIX}/api/config"'.encode() in body
    assert f'href="{PREFIX}/sdk/style.css"'.encode() in body
    assert f'src="{PREFIX}/sdk/logo.png"'.encode() in body

    cookie = f"sm_token_{child.port}={TOKEN}"
    status, _, body = child.get("/", Cookie=cookie, **{"X-Forwarded-Prefix": PREFIX})
    assert status == 200 and PREFIX.encode() not in body and b'id="home" href="/"' in body
    wrong = {"X-ScriptsManager-Token": "wrong", "X-Forwarded-Prefix": PREFIX}
    assert child.get("/", Cookie=cookie, **wrong)[0] == 200  # authenticated by the cookie...
    assert PREFIX.encode() not in child.get("/", Cookie=cookie, **wrong)[2]  # ...prefix ignored


def test_page_branding_logo_and_stylesheet(start):
    child = start()
    status, headers, body = child.get("/?who=%3Cb%3E", **auth())
    page = body.decode()
    assert status == 200 and page.startswith("<!doctype html>")
    assert '<html lang="es">' in page and '<body class="theme-dark">' in page
    assert "Proyecto: <strong>Cold store</strong>" in page and "<h1>Example</h1>" in page
    assert "Hola &lt;b&gt;" in page  # context values are escaped
    assert headers["x-content-type-options"] == "nosniff"

    status, headers, body = child.get("/sdk/logo.png", **auth())
    assert status == 200 and headers["content-type"] == "image/png" and body == PNG
    status, headers, body = child.get("/sdk/style.css", **auth())
    assert status == 200 and headers["content-type"].startswith("text/css")
    assert b"#0b3d91" in body and b"theme-dark" in body and b"url(" not in body
    assert child.get("/sdk/logo.png")[0] == 403


def test_without_a_logo_the_route_answers_404(start):
    child = start(SCRIPTSMANAGER_LOGO="")
    assert child.get("/sdk/logo.png", **auth())[0] == 404
    assert b"sdk/logo.png" not in child.get("/", **auth())[2]


def test_config_round_trip_is_atomic(start):
    child = start()
    post = {"Content-Type": "application/json", **auth()}
    big = {"count": 1, "rows": [{"i": i, "text": "x" * 40} for i in range(2000)]}
    status, _, body = child.request("/api/config", "POST", post, json.dumps(big).encode())
    assert status == 200 and json.loads(body) == big
    config = child.data_dir / "config.json"
    assert json.loads(config.read_text("utf-8")) == big

    # Writers in parallel while this thread reads the file: it is always whole JSON.
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                data = json.dumps({**big, "count": n * 100 + i}).encode()
                assert child.request("/api/config", "POST", post, data)[0] == 200
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    reads = 0
    while any(thread.is_alive() for thread in threads):
        assert len(json.loads(config.read_text("utf-8"))["rows"]) == 2000
        reads += 1
    for thread in threads:
        thread.join(WAIT_TIMEOUT)
    assert not errors and reads > 0
    assert sorted(p.name for p in child.data_dir.iterdir()) == ["config.json"]  # no temp files


def test_a_corrupt_config_is_moved_aside_and_defaults_are_used(start):
    child = start()
    child.data_dir.mkdir(exist_ok=True)
    (child.data_dir / "config.json").write_text('{"count": 3', encoding="utf-8")
    status, _, body = child.get("/api/config", **auth())
    assert status == 200 and json.loads(body) == {"count": 0}
    moved = [p for p in child.data_dir.iterdir() if p.name.startswith("config.json.corrupt-")]
    assert len(moved) == 1 and moved[0].read_text("utf-8") == '{"count": 3'
    assert len(moved[0].name) == len("config.json.corrupt-") + 14
    assert child.stop() == 0
    assert "corrupt" in child.stderr_path.read_text()


def test_sigterm_stops_cleanly_and_the_token_never_reaches_the_logs(start):
    child = start()
    assert child.get(f"/?sm_token={TOKEN}")[0] == 302
    assert child.get(f"/api/config?x=1&sm_token={TOKEN}")[0] == 302
    assert child.get("/?sm_token=some-guess")[0] == 403
    assert child.get("/", **auth())[0] == 200
    # A malformed request line that carries the token is logged by the error path.
    with socket.create_connection(("127.0.0.1", child.port), timeout=WAIT_TIMEOUT) as sock:
        sock.sendall(f"GET /?sm_token={TOKEN} HTTP/1.1 x HTTP/1.1\r\n\r\n".encode())
        assert sock.recv(1024).split(b" ")[1] == b"400"
    began = time.monotonic()
    assert child.stop(signal.SIGTERM) == 0
    assert time.monotonic() - began < 5
    stdout, stderr = child.stdout_path.read_text(), child.stderr_path.read_text()
    assert TOKEN not in stdout and TOKEN not in stderr and "some-guess" not in stdout
    assert f"serving on http://127.0.0.1:{child.port}/" in stdout
    assert "GET / 302" in stdout and "GET /api/config 302" in stdout and "GET / 200" in stdout


def test_sigint_also_stops_cleanly(start):
    child = start()
    assert child.stop(signal.SIGINT) == 0


def test_parameters_come_from_the_command_line_or_the_environment(start):
    child = start(params=["--value", "-3", "--mode", "--fast", "--flag", "true"])
    body = json.loads(child.get("/api/args", **auth())[2])
    assert body["params"] == {"value": "-3", "mode": "--fast", "flag": "true"}
    assert body["user_level"] == "operator" and body["project"] == "Cold store"

    env = json.dumps({"value": -3, "secret": "s3", "tags": ["a", "b"]})
    child = start(params=["--value", "-3"], SCRIPTSMANAGER_PARAMETERS=env)
    assert json.loads(child.get("/api/args", **auth())[2])["params"] == json.loads(env)


def test_parse_args_in_process(sdk, monkeypatch, tmp_path):
    monkeypatch.delenv("SCRIPTSMANAGER_PARAMETERS", raising=False)
    monkeypatch.setenv("SCRIPTSMANAGER_EXECUTION_ID", "run-1")
    monkeypatch.setenv("SCRIPTSMANAGER_BASE_URL", "/interfaces/x/app")
    monkeypatch.setenv("SCRIPTSMANAGER_LOGO", str(tmp_path / "missing.png"))
    standard = [
        "--data-dir", "rel/data", "--user-level", "viewer", "--port", "5301",
        "--project-id", "-1", "--project-name", "-dash", "--theme", "light", "--language", "fr",
    ]  # fmt: skip
    args = sdk.parse_args([*standard, "--value", "-3", "--lang", "x"])
    assert args.data_dir == Path.cwd() / "rel" / "data" and args.data_dir.is_absolute()
    assert (args.port, args.project_id, args.project_name) == (5301, "-1", "-dash")
    assert args.params == {"value": "-3", "lang": "x"} and args.language == "fr"
    assert (args.execution_id, args.base_url, args.logo) == ("run-1", "/interfaces/x/app", None)

    monkeypatch.setenv("SCRIPTSMANAGER_PARAMETERS", '{"value": -3, "on": true}')
    assert sdk.parse_args([*standard, "--value", "9"]).params == {"value": -3, "on": True}

    bad_theme = [*standard[:-4], "--theme", "blue", "--language", "fr"]
    with pytest.raises(SystemExit) as exit_info:
        sdk.parse_args(bad_theme)
    assert exit_info.value.code == 2


def test_true_false_parameters(sdk):
    for value in (True, "true", "1", "Yes", " on "):
        assert sdk.as_bool("flag", value) is True
    for value in (False, "false", "0", "no", "OFF"):
        assert sdk.as_bool("flag", value) is False
    with pytest.raises(ValueError, match="--flag must be true or false"):
        sdk.as_bool("flag", "maybe")


def test_sigterm_raises_terminated_in_a_batch_script(sdk):
    previous = signal.getsignal(signal.SIGTERM)
    try:
        sdk.raise_on_sigterm()
        with pytest.raises(sdk.Terminated):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler raises at the next bytecode, long before this ends
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_data_manager_in_process(sdk, tmp_path, capsys):
    data = sdk.DataManager(tmp_path / "d")
    default = {"items": []}
    loaded = data.load(default=default)
    assert loaded == default and loaded is not default
    loaded["items"].append(1)
    assert default == {"items": []}  # a copy was returned
    assert data.save({"é": 1}, "other.json") == tmp_path / "d" / "other.json"
    assert data.load("other.json") == {"é": 1}
    for name in ("../x.json", "a/b.json", "a\\b.json", "..", "", "c:x.json"):
        with pytest.raises(ValueError):
            data.path(name)
    (tmp_path / "d" / "config.json").write_bytes(b"\xff\xfe not json")
    assert data.load(default=7) == 7
    assert "corrupt" in capsys.readouterr().err
    assert [p.name[:20] for p in (tmp_path / "d").glob("config.json*")] == ["config.json.corrupt-"]


def test_debug_is_refused(sdk, monkeypatch, tmp_path):
    monkeypatch.setenv("SCRIPTSMANAGER_INTERFACE_TOKEN", TOKEN)
    args = sdk.ScriptArgs(tmp_path, "operator", free_port(), "1", "p", "light", "en")
    app = sdk.create_app("debug_check", args)
    assert app.debug is False
    with pytest.raises(RuntimeError):
        app.debug = True
    with pytest.raises(RuntimeError):
        app.run(debug=True)
    app.config["DEBUG"] = True
    with pytest.raises(RuntimeError):
        sdk.run(app, args)


def test_heat_transfer_runs_on_the_sdk(start):
    params = json.dumps({"wall_material": "aluminium", "area": 12.5})
    child = start(HEAT_TRANSFER, ["--wall_material", "aluminium", "--area", "12.5"],
                  SCRIPTSMANAGER_PARAMETERS=params)  # fmt: skip
    assert child.get("/")[0] == 403
    status, _, body = child.get("/", **auth(**{"X-Forwarded-Prefix": PREFIX}))
    page = body.decode()
    assert status == 200 and "Calculadora de transferencia de calor" in page
    assert f'href="{PREFIX}/sdk/style.css"' in page and f'src="{PREFIX}/app.js"' in page
    assert '<body class="theme-dark">' in page and "12.5 m²" in page

    status, _, body = child.get("/api/config", **auth())
    config = json.loads(body)
    assert status == 200 and config["layers"][0]["material"] == "aluminium"
    assert config["layers"][0]["name"] == "Chapa interior"

    post = {"Content-Type": "application/json", **auth()}
    status, _, body = child.request("/api/calculate", "POST", post, json.dumps(config).encode())
    results = json.loads(body)["results"]
    assert status == 200 and results["area_m2"] == 12.5
    assert results["u_value"] == pytest.approx(0.3745, abs=1e-3)
    assert json.loads((child.data_dir / "config.json").read_text("utf-8")) == config

    status, _, body = child.get("/app.js", **auth())
    assert status == 200 and b'"api/config"' in body and b'"/api/' not in body
    assert child.stop() == 0
    assert TOKEN not in child.output()


def test_the_plain_flask_template_runs_unchanged_behind_the_guard(start):
    """The specification's template (no SDK) is guarded by the manager's sitecustomize."""
    child = start(SPEC_TEMPLATE)
    assert child.get("/api/project-info")[0] == 403  # another local user: no token
    posted = child.request(
        "/api/config", "POST", {"Content-Type": "application/json"}, b'{"stolen": true}'
    )
    assert posted[0] == 403 and not (child.data_dir / "config.json").exists()
    assert child.get("/api/project-info", Host="evil.example", **auth())[0] == 400
    status, _, body = child.get("/api/project-info", **auth())
    assert status == 200 and json.loads(body)["project_name"] == "Cold store"
    status, headers, _ = child.get(f"/?sm_token={TOKEN}")  # a window opened by the manager
    assert status == 302 and headers["location"] == "/"
    cookie = headers["set-cookie"].split(";")[0]
    assert child.get("/api/project-info", Cookie=cookie)[0] == 200
    child.stop(signal.SIGINT)


def test_without_a_token_the_template_is_not_guarded(start):
    """A script started by hand (no manager, no token) serves as it always did."""
    child = start(SPEC_TEMPLATE, SCRIPTSMANAGER_INTERFACE_TOKEN=None)
    assert child.get("/api/project-info")[0] == 200
    child.stop(signal.SIGINT)


def test_argument_parsing_and_data_work_without_flask(tmp_path):
    """A batch script in an environment without Flask still gets its arguments and data."""
    script = tmp_path / "batch.py"
    script.write_text(
        "import scriptsmanager_sdk as sdk\n"
        "args = sdk.parse_args()\n"
        "sdk.DataManager(args.data_dir).save({'v': args.params['value']}, 'out.json')\n"
        "print('flask', sdk.FLASK_AVAILABLE)\n"
        "try:\n"
        "    sdk.create_app(__name__, args)\n"
        "except ImportError as exc:\n"
        "    print('refused:', exc)\n"
    )
    standard = [
        "--data-dir", str(tmp_path / "data"), "--user-level", "operator", "--port", "5300",
        "--project-id", "1", "--project-name", "p", "--theme", "light", "--language", "en",
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRIPTSMANAGER_")}
    env["PYTHONPATH"] = str(SDK_DIR)
    # -S leaves site-packages (and so Flask) out, as in a bare conda environment.
    result = subprocess.run(
        [sys.executable, "-S", str(script), *standard, "--value", "-3"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "flask False" in result.stdout and "refused: " in result.stdout
    assert json.loads((tmp_path / "data" / "out.json").read_text()) == {"v": "-3"}
