"""The shared-workstation installers.

The Linux installer runs for real (root only): a service account owns the app and its data,
other OS users cannot read the data, and the service answers. The service account is a
fresh system account when the interpreter is usable by other accounts; where it is not (a
Python built under /root, as on CI machines), root stands in for it and only the account
creation goes untested.

The Windows installer needs Windows and an elevated PowerShell, so here its text is checked
statically: strings, here-strings and brackets pair up, no command-shell constructs, a
``$LASTEXITCODE`` check after every native command, the elevation and Python checks, the
printed first-admin steps in PowerShell syntax; the service launcher it writes is run with
a stand-in entry point.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support import free_port, wait_for

REPO = Path(__file__).resolve().parent.parent
INSTALLER = REPO / "build" / "service" / "install-linux.sh"

WINDOWS_INSTALLER = REPO / "build" / "service" / "install-windows.ps1"

linux_root = pytest.mark.skipif(
    sys.platform != "linux" or os.geteuid() != 0 or not shutil.which("useradd"),
    reason="installs a system account: Linux, as root",
)


BASE_PYTHON = Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"


@pytest.fixture
def installation():
    tag = secrets.token_hex(3)
    prefix, home = Path(f"/opt/sm-test-{tag}"), Path(f"/var/lib/sm-test-{tag}")
    shared_python = as_user("nobody", [str(BASE_PYTHON), "-c", "pass"]).returncode == 0
    user = f"smt{tag}" if shared_python else "root"
    yield prefix, home, user
    if user != "root":
        subprocess.run(["userdel", user], capture_output=True)
    shutil.rmtree(prefix, ignore_errors=True)
    shutil.rmtree(home, ignore_errors=True)


def as_user(user: str, command: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", user, "--", *command], capture_output=True, text=True)


@linux_root
def test_the_service_account_alone_can_read_the_data(installation, tmp_path):
    prefix, home, user = installation
    installed = subprocess.run(
        [str(INSTALLER), "--no-systemd", "--prefix", str(prefix), "--home", str(home),
         "--user", user, "--python", str(BASE_PYTHON)],
        check=True, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    token = (home / "setup_token").read_text()
    assert f"/setup?token={token}" in installed.stdout  # the one-time first-admin link
    assert (home / "setup_token").stat().st_mode & 0o777 == 0o600
    stat = home.stat()
    assert stat.st_mode & 0o777 == 0o700
    assert stat.st_uid == int(as_user(user, ["id", "-u"]).stdout)
    assert (home / "data" / "scriptsmanager.db").is_file()
    assert as_user("nobody", ["ls", str(home)]).returncode != 0
    assert as_user("nobody", ["cat", str(home / "secret_key")]).returncode != 0

    port = free_port()
    server = subprocess.Popen(
        ["runuser", "-u", user, "--", "env", "SHARED_INSTALL=true", f"SCRIPTSMANAGER_HOME={home}",
         str(prefix / "bin" / "scriptsmanager"), "--server", "--port", str(port)],
        cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:

        def healthy() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    return r.status == 200
            except OSError:
                return False

        assert wait_for(healthy, timeout=60)
        setup = f"http://127.0.0.1:{port}/setup"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(setup, timeout=60)
        assert refused.value.code == 403
        refused.value.close()
        with urllib.request.urlopen(f"{setup}?token={token}", timeout=60) as page:
            assert b"sm-setup-form" in page.read()
        logs = home / "data" / "logs" / "system"
        assert as_user("nobody", ["ls", str(logs)]).returncode != 0
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(60)

    unit = tmp_path / "scriptsmanager.service"
    text = (INSTALLER.parent / "scriptsmanager.service").read_text()
    for key, value in {
        "USER": user,
        "HOME": str(home),
        "PREFIX": str(prefix),
        "PORT": "5000",
    }.items():
        text = text.replace(f"@{key}@", value)
    unit.write_text(text)
    check = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True)
    assert "error" not in (check.stdout + check.stderr).lower(), check.stderr


# --- the Windows installer, checked as text ---------------------------------------------

BRACKETS = {"(": ")", "{": "}", "[": "]"}
NATIVE_COMMANDS = ("icacls", "py", "python", "pip", "winget", "cmd", "schtasks", "sc", "powershell")
NATIVE_CALL = re.compile(
    r"^(?:\$[\w:]+\s*=\s*)?(?:&\s|(?:" + "|".join(NATIVE_COMMANDS) + r")(?:\.exe)?(?:\s|$))",
    re.IGNORECASE,
)
CONTINUED = re.compile(r"(?:\||,|\+|\s-(?:f|and|or))$", re.IGNORECASE)


def powershell_structure_errors(text: str) -> list[str]:
    """Return what does not pair up in PowerShell source: quotes, here-strings, brackets.

    Comments, '...' strings (with '' inside), "..." strings (backtick escapes and $(...)
    subexpressions, which hold code again) and both here-string kinds are followed, so a
    bracket counts only where PowerShell reads code.
    """
    text = text.replace("\r\n", "\n")
    stack: list[tuple[str, int]] = []  # closers awaited: ")", "}", "]", '"' or '"@'
    errors: list[str] = []
    i, n = 0, len(text)

    def line(at: int) -> int:
        return text.count("\n", 0, at) + 1

    while i < n:
        c = text[i]
        mode = stack[-1][0] if stack else None
        if mode in ('"', '"@'):  # inside an expandable string
            if c == "`":
                i += 2
            elif text.startswith("$(", i):
                stack.append((")", i))
                i += 2
            elif mode == '"' and text.startswith('""', i):
                i += 2
            elif mode == '"' and c == '"':
                stack.pop()
                i += 1
            elif mode == '"@' and text.startswith('\n"@', i):
                stack.pop()
                i += 3
            else:
                i += 1
            continue
        if c == "`":
            i += 2
        elif c == "#" and (i == 0 or text[i - 1] in " \t\n;({"):
            i = text.find("\n", i) if "\n" in text[i:] else n
        elif text.startswith("@'\n", i):
            end = text.find("\n'@", i + 2)
            if end < 0:
                errors.append(f"line {line(i)}: @' here-string never closed ('@ at a line start)")
                return errors
            i = end + 3
        elif text.startswith('@"\n', i):
            stack.append(('"@', i))
            i += 2
        elif c == "'":
            j = i + 1
            while j < n and not (text[j] == "'" and text[j + 1 : j + 2] != "'"):
                j += 2 if text[j] == "'" else 1
            if j >= n:
                errors.append(f"line {line(i)}: ' string never closed")
                return errors
            i = j + 1
        elif c == '"':
            stack.append(('"', i))
            i += 1
        elif c in BRACKETS:
            stack.append((BRACKETS[c], i))
            i += 1
        elif c in ")}]":
            if not stack or stack[-1][0] != c:
                errors.append(f"line {line(i)}: unexpected {c}")
                return errors
            stack.pop()
            i += 1
        else:
            i += 1
    errors.extend(f"line {line(at)}: {closer} never came" for closer, at in stack)
    return errors


def powershell_statements(text: str) -> list[tuple[int, str]]:
    """Return (line number, code) of each logical line: comments and here-strings left out,
    lines joined after a backtick, a pipe or a binary operator."""
    statements: list[tuple[int, str]] = []
    pending, start, closer = "", 0, None
    for number, raw in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
        if closer:
            closer = None if raw.startswith(closer) else closer
            continue
        code = raw.strip()
        if not code or code.startswith("#"):
            continue
        if not pending:
            start = number
        if code.endswith(("@'", '@"')):
            closer = code[-1] + "@"
        if code.endswith("`"):
            pending += code[:-1] + " "
            continue
        if CONTINUED.search(code):  # an operator or a pipe awaits the next line
            pending += code + " "
            continue
        statements.append((start, pending + code))
        pending = ""
    return statements


def unchecked_native_calls(text: str) -> tuple[int, list[str]]:
    """Return how many native commands the script runs, and those whose exit code the next
    statement does not check ($LASTEXITCODE: PowerShell does not stop on their failure)."""
    statements = powershell_statements(text)
    calls, unchecked = 0, []
    for index, (number, code) in enumerate(statements):
        if NATIVE_CALL.match(code):
            calls += 1
            following = statements[index + 1][1] if index + 1 < len(statements) else ""
            if "$LASTEXITCODE" not in following:
                unchecked.append(f"line {number}: {code}")
    return calls, unchecked


def windows_installer() -> str:
    return WINDOWS_INSTALLER.read_text(encoding="utf-8")


def test_the_static_checks_catch_what_they_look_for():
    assert powershell_structure_errors('if ($a) { Write-Host "$($b)" }\n') == []
    assert powershell_structure_errors("$s = 'it''s (' + \"`\"{\"\n") == []
    assert powershell_structure_errors("$t = @'\n) } ]\n'@\n$u = @\"\n$(f 'x')\n\"@\n") == []
    assert powershell_structure_errors("if ($a) { f (1 }\n")
    assert powershell_structure_errors('Write-Host "$(Get-Date"\n')
    assert powershell_structure_errors("$t = @'\nabc\n '@\n")
    checked = "& $exe a\nif ($LASTEXITCODE -ne 0) { exit 1 }\n"
    unchecked = "$x = & $exe a\nicacls $d /q | Out-Null\nif ($LASTEXITCODE) { exit 1 }\n"
    assert unchecked_native_calls(checked) == (1, [])
    assert unchecked_native_calls(unchecked) == (2, ["line 1: $x = & $exe a"])
    assert unchecked_native_calls("icacls a `\n  /q\nWrite-Host x\n")[1] == ["line 1: icacls a  /q"]
    joined = powershell_statements("$a = 'x' -f\n  $b\nf |\n  g\n")
    assert joined == [(1, "$a = 'x' -f $b"), (3, "f | g")]


def test_the_windows_installer_is_well_formed():
    text = windows_installer()
    assert text.isascii()  # Windows PowerShell reads a file without a BOM in the ANSI code page
    assert powershell_structure_errors(text) == []
    assert not [n for n, line in enumerate(text.splitlines(), 1) if re.search(r"`[ \t]+$", line)]
    statements = [code for _, code in powershell_statements(text)]
    assert statements[0].startswith("param(") or statements[0] == "param("
    strict = statements.index("Set-StrictMode -Version Latest")
    assert statements[strict + 1] == '$ErrorActionPreference = "Stop"'
    assert not any(code.startswith("function ") for code in statements[:strict])


def test_the_windows_installer_checks_every_native_command():
    calls, unchecked = unchecked_native_calls(windows_installer())
    assert unchecked == []
    assert calls >= 8  # icacls, venv, pip, the probes of Python, scriptsmanager


def test_the_windows_installer_uses_no_command_shell():
    text = windows_installer()
    assert not re.search(r"\bcmd(\.exe)?\b", text, re.IGNORECASE)
    assert "&&" not in text
    assert not re.search(r"\bset\s+\w+=", text, re.IGNORECASE)
    actions = re.findall(r"New-ScheduledTaskAction -Execute (\S+)", text)
    assert actions and set(actions) <= {"$Exe", "$VenvPython"}
    assert "--password" not in text  # create-admin asks for it on the console


def test_the_windows_installer_requires_an_elevated_session():
    text = windows_installer()
    assert "IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)" in text
    main = text[text.rindex("\nfunction ") :]
    main = main[main.index("\n}\n") + 3 :]  # the statements after the last definition
    assert [code for _, code in powershell_statements(main)][0] == "Assert-Administrator"
    assert "Install-Manager" in main and "Uninstall-Manager" in main


def test_the_windows_installer_refuses_a_python_the_service_cannot_read():
    text = windows_installer()
    assert "sys.base_prefix" in text
    assert "ProfilesDirectory" in text and r'"$env:SystemDrive\Users"' in text
    assert '$MinimumPython = [version]"3.12"' in text
    assert "-lt $MinimumPython" in text
    assert "winget install -e --id Python.Python.3.12 --scope machine" in text
    assert "Install Python for all users" in text
    assert re.search(r"Invoke-AsServiceAccount \$baseExe", text)  # tried as LOCAL SERVICE


def test_the_windows_installer_prints_the_first_admin_steps_in_powershell():
    statements = [code for _, code in powershell_statements(windows_installer())]
    printed = [code for code in statements if code.startswith("Write-Host")]
    env = [code for code in printed if "$env:SHARED_INSTALL = " in code]
    assert len(env) == 1 and "$env:SCRIPTSMANAGER_HOME = " in env[0]
    assert env[0].startswith("Write-Host ('")  # a single-quoted string: printed as written
    assert any("create-admin --username" in code for code in printed)
    assert any("/reset" in code and "/setowner" in code for code in printed)
    assert any("Remove-Item Env:" in code for code in printed)
    assert not any(re.search(r"\bset [A-Z_]+=", code) for code in printed)
    assert any("-CreateAdmin alice" in code for code in statements)


def test_the_windows_installer_runs_the_manager_in_a_scoped_environment():
    text = windows_installer()
    body = text[text.index("function Invoke-Manager") : text.index("function Grant-DataToService")]
    assert '$env:SHARED_INSTALL = "true"' in body and "$env:SCRIPTSMANAGER_HOME = $DataHome" in body
    assert body.index("try {") < body.index("& $ManagerExe") < body.index("} finally {")
    assert 'SetEnvironmentVariable("SHARED_INSTALL", $savedShared)' in body
    install = text[
        text.index("function Install-Manager") : text.index("function Uninstall-Manager")
    ]
    init, admin = install.index('@("init-db")'), install.index('@("create-admin"')
    grants = [m.start() for m in re.finditer(r"Grant-DataToService", install)]
    assert any(init < g < admin for g in grants) and any(g > admin for g in grants)
    assert install.index("Grant-DataToService") < install.index("Register-ScheduledTask")


def test_the_windows_uninstall_keeps_the_data_folder():
    text = windows_installer()
    assert "[switch]$Uninstall" in text
    body = text[text.index("function Uninstall-Manager") : text.index("\nAssert-Administrator\n")]
    removals = [
        code
        for _, code in powershell_statements(body)
        if code.startswith("Remove-Item") or code.startswith("Remove-Task")
    ]
    assert removals == [
        "Remove-Task $ProbeTaskName",
        "Remove-Task $TaskName",
        "Remove-Item -LiteralPath $Prefix -Recurse -Force",
    ]
    assert "Its data folder is kept: $kept" in body


def python_string(value: str) -> str:
    """ConvertTo-PythonString of the installer."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_the_windows_service_launcher_sets_the_shared_environment(tmp_path):
    text = windows_installer()
    assert """$Value.Replace('\\', '\\\\').Replace('"', '\\"')""" in text  # as python_string
    template = re.search(r"\$LauncherTemplate = @'\n(.*?)\n'@\n", text, re.DOTALL).group(1)
    home = "C:\\ProgramData\\Scripts Manager\\d\u00e9j\u00e0 'vu' \"x\"\\"
    launcher = tmp_path / "scriptsmanager-service.py"
    launcher.write_text(
        template.replace("@HOME@", python_string(home)).replace("@PORT@", "5123"), encoding="utf-8"
    )
    stand_in = tmp_path / "desktop"
    stand_in.mkdir()
    (stand_in / "__init__.py").write_text("")
    (stand_in / "launcher.py").write_text(
        "import json, os\n"
        "def main(argv):\n"
        "    keys = ('SHARED_INSTALL', 'SCRIPTSMANAGER_HOME')\n"
        "    print(json.dumps({'argv': argv, 'env': {k: os.environ[k] for k in keys}}))\n"
        "    return 7\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("SHARED_INSTALL", "PYTHONPATH")}
    ran = subprocess.run(
        [sys.executable, str(launcher)], capture_output=True, text=True, env=env, timeout=60
    )
    assert ran.returncode == 7, ran.stderr  # the entry point's status is the process's
    seen = json.loads(ran.stdout)
    assert seen["env"] == {"SHARED_INSTALL": "true", "SCRIPTSMANAGER_HOME": home}
    assert seen["argv"] == ["--server", "--host", "127.0.0.1", "--port", "5123"]
    install = text[
        text.index("function Install-Manager") : text.index("function Uninstall-Manager")
    ]
    assert '-Execute $VenvPython -Argument "`"$ServiceScript`""' in install
