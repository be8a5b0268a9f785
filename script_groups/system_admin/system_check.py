"""
ScriptsManager Metadata:
@display_name: System check
@display_name_es: Comprobación del sistema
@display_name_it: Controllo del sistema
@display_name_fr: Vérification du système
@description: Check the Python runtime, free disk space, CPU load and write access of the data folder
@description_es: Comprueba el entorno Python, el espacio libre en disco, la carga de CPU y la escritura en la carpeta de datos
@description_it: Verifica l'ambiente Python, lo spazio libero su disco, il carico della CPU e la scrittura nella cartella dei dati
@description_fr: Vérifie l'environnement Python, l'espace disque libre, la charge CPU et l'écriture dans le dossier de données
@description_long: docs/system_check.md
@description_long_es: docs/system_check_es.md
@description_long_it: docs/system_check_it.md
@description_long_fr: docs/system_check_fr.md
@required_level: admin
@category: admin
@tags: health,disk,cpu,python,diagnostics
@execution_timeout: 120
@parameters: [
  {"name": "min_free_gb", "type": "float", "default": 1.0, "min": 0, "max": 1000000, "unit": "GB",
   "description": {"en": "Warn when the free space of the data folder's file system is below this value",
                   "es": "Avisar cuando el espacio libre del sistema de archivos de la carpeta de datos sea inferior a este valor",
                   "it": "Avvisare quando lo spazio libero del file system della cartella dei dati è inferiore a questo valore",
                   "fr": "Avertir lorsque l'espace libre du système de fichiers du dossier de données est inférieur à cette valeur"}},
  {"name": "checks", "type": "multiselect", "options": ["python", "disk", "cpu", "write"],
   "default": ["python", "disk", "cpu", "write"],
   "description": {"en": "Checks to run", "es": "Comprobaciones que se ejecutan",
                   "it": "Controlli da eseguire", "fr": "Vérifications à exécuter"}},
  {"name": "fail_on_warning", "type": "bool", "default": false,
   "description": {"en": "Exit with code 1 when a check gives a warning",
                   "es": "Terminar con código 1 cuando una comprobación dé un aviso",
                   "it": "Terminare con codice 1 quando un controllo dà un avviso",
                   "fr": "Terminer avec le code 1 lorsqu'une vérification donne un avertissement"}}
]
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import shutil
import sys
import tempfile
import time
from importlib import metadata
from typing import Any

import scriptsmanager_sdk as sdk

EXIT_OK, EXIT_WARNINGS, EXIT_BAD_INPUT, EXIT_TERMINATED = 0, 1, 2, 143
ALL_CHECKS = ("python", "disk", "cpu", "write")
PARAMETERS = ("min_free_gb", "checks", "fail_on_warning")
MIN_PYTHON = (3, 12)
GB = 1_000_000_000  # decimal gigabyte (10^9 bytes), as in the parameter name


class InputError(Exception):
    """Invalid parameter (exit code 2)."""


def _to_bool(name: str, value: Any) -> bool:
    try:
        return sdk.as_bool(name, value)
    except ValueError as exc:
        raise InputError(str(exc)) from None


def read_parameters(given: dict[str, Any]) -> dict[str, Any]:
    """Convert and check the parameters given by ``sdk.parse_args``.

    They are strings from the command line, or typed values from SCRIPTSMANAGER_PARAMETERS.
    """
    raw = {name.replace("-", "_"): value for name, value in given.items()}  # --min-free-gb too
    ignored = [f"--{n} {v}" for n, v in given.items() if n.replace("-", "_") not in PARAMETERS]
    if ignored:
        print(f"Note: ignoring unknown arguments: {' '.join(ignored)}", file=sys.stderr)

    value = raw.get("min_free_gb", 1.0)
    try:
        if isinstance(value, bool):
            raise ValueError
        min_free_gb = float(value)
    except (TypeError, ValueError):
        raise InputError(f"--min_free_gb must be a number of GB (got {value!r}).") from None
    if not 0 <= min_free_gb <= 1e6:
        raise InputError(f"--min_free_gb must be between 0 and 1000000 GB (got {value}).")

    checks = raw.get("checks", list(ALL_CHECKS))
    if isinstance(checks, str):
        checks = checks.split(",")
    selected = []
    for name in checks:
        name = str(name).strip().lower()
        if name and name not in selected:
            selected.append(name)
    unknown_checks = [name for name in selected if name not in ALL_CHECKS]
    if unknown_checks:
        raise InputError(
            f"unknown check(s): {', '.join(unknown_checks)}. Valid checks: {', '.join(ALL_CHECKS)}."
        )
    if not selected:
        raise InputError(f"--checks is empty. Choose one or more of: {', '.join(ALL_CHECKS)}.")

    return {
        "min_free_gb": min_free_gb,
        "checks": selected,
        "fail_on_warning": _to_bool("fail_on_warning", raw.get("fail_on_warning", False)),
    }


# Each check returns (warnings, [(label, value), ...]).
Result = tuple[list[str], list[tuple[str, str]]]


def check_python() -> Result:
    info = [
        ("Version", platform.python_version()),
        ("Implementation", platform.python_implementation()),
        ("Executable", sys.executable),
    ]
    warnings = []
    if sys.version_info < MIN_PYTHON:
        warnings.append(
            f"Python {platform.python_version()} is older than the supported "
            f"{MIN_PYTHON[0]}.{MIN_PYTHON[1]}."
        )
    try:
        info.append(("Flask", metadata.version("flask")))
    except metadata.PackageNotFoundError:
        warnings.append("Flask is not installed: interface scripts cannot start.")
    return warnings, info


def _existing(path: str) -> str:
    while not os.path.exists(path):
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return path


def check_disk(data_dir: str, min_free_gb: float) -> Result:
    target = _existing(data_dir)
    usage = shutil.disk_usage(target)
    free_gb = usage.free / GB
    info = [
        ("Path checked", target),
        ("Total", f"{usage.total / GB:.1f} GB"),
        ("Used", f"{usage.used / GB:.1f} GB ({100 * usage.used / usage.total:.0f} %)"),
        ("Free", f"{free_gb:.2f} GB (threshold {min_free_gb:.2f} GB)"),
    ]
    warnings = []
    if free_gb < min_free_gb:
        warnings.append(f"only {free_gb:.2f} GB free, below the threshold of {min_free_gb:.2f} GB.")
    return warnings, info


def check_cpu() -> Result:
    logical = os.cpu_count()
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = logical
    info = [("Logical CPUs", str(logical or "unknown")), ("Usable by this process", str(usable))]
    warnings = []
    if not logical:
        warnings.append("the number of CPUs could not be determined.")
    try:
        load1, load5, load15 = os.getloadavg()
    except (AttributeError, OSError):
        info.append(("Load average", "not available on this platform"))
    else:
        info.append(("Load average 1/5/15 min", f"{load1:.2f} / {load5:.2f} / {load15:.2f}"))
        if usable and load5 > usable:
            warnings.append(
                f"5-minute load average {load5:.2f} exceeds the {usable} usable CPUs: "
                "runs may be slow."
            )
    return warnings, info


def check_write(data_dir: str) -> Result:
    if not os.path.isdir(data_dir):
        return [f"the data folder {data_dir} does not exist."], [("Data folder", data_dir)]
    payload = os.urandom(64 * 1024)
    start = time.perf_counter()
    tmp_path = None
    try:
        fd, tmp_path = tempfile.mkstemp(prefix=".system_check.", suffix=".tmp", dir=data_dir)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        with open(tmp_path, "rb") as handle:
            same = handle.read() == payload
    except OSError as exc:
        return [f"cannot write into {data_dir}: {exc.strerror or exc}."], [
            ("Data folder", data_dir)
        ]
    finally:
        if tmp_path:
            try:
                os.unlink(tmp_path)
            except OSError:
                pass
    elapsed_ms = (time.perf_counter() - start) * 1000
    info = [
        ("Data folder", data_dir),
        ("Write + fsync + read 64 KiB", f"{elapsed_ms:.1f} ms"),
    ]
    if not same:
        return ["the file read back differs from the file written."], info
    return [], info


def main() -> int:
    sdk.raise_on_sigterm()
    try:
        args = sdk.parse_args()  # the seven standard arguments; exits with status 2 when invalid
        p = read_parameters(args.params)
        data_dir = str(args.data_dir)
        now = dt.datetime.now().astimezone()
        print("System check", flush=True)
        print(f"  Time (local)  {now.isoformat(timespec='seconds')}")
        print(f"  Time (UTC)    {now.astimezone(dt.UTC).isoformat(timespec='seconds')}")
        print(f"  Platform      {platform.platform()} ({platform.machine() or 'unknown machine'})")
        print(f"  Host          {platform.node() or 'unknown'}")
        print(f"  Checks        {', '.join(p['checks'])}\n", flush=True)

        runners = {
            "python": check_python,
            "disk": lambda: check_disk(data_dir, p["min_free_gb"]),
            "cpu": check_cpu,
            "write": lambda: check_write(data_dir),
        }
        all_warnings: list[str] = []
        warned_checks: set[str] = set()
        for name in p["checks"]:
            try:
                warnings, info = runners[name]()
            except OSError as exc:
                warnings, info = [f"check failed: {exc}"], []
            status = "WARN" if warnings else "OK"
            print(f"[{status:>4}] {name}", flush=True)
            width = max((len(label) for label, _ in info), default=0)
            for label, value in info:
                print(f"       {label:<{width}}  {value}")
            for message in warnings:
                print(f"Warning ({name}): {message}", file=sys.stderr, flush=True)
                all_warnings.append(f"{name}: {message}")
                warned_checks.add(name)
    except InputError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except sdk.Terminated:
        print("Terminated by SIGTERM.", file=sys.stderr)
        return EXIT_TERMINATED

    total = len(p["checks"])
    print(
        f"\n{total - len(warned_checks)}/{total} checks OK, {len(all_warnings)} warning(s).",
        flush=True,
    )
    if all_warnings and p["fail_on_warning"]:
        print(
            "Error: failing because fail_on_warning is true and there are warnings.",
            file=sys.stderr,
        )
        return EXIT_WARNINGS
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
