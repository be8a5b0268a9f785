"""Argument injection: a parameter value reaches the script as that value, nothing else.

``echo_args.py`` parses the seven standard arguments and its parameters with argparse and
prints what it got. Each declared parameter must arrive as ONE argv item
``--<name>=<value>`` after the standard arguments, so a value such as ``--user-level=admin``
or ``-h`` can neither pass for an option nor change the standard arguments.
"""

from __future__ import annotations

import json
import sys

import pytest

SECURITY_CLASS = "argument injection"
VALUES = [
    "--user-level=admin", "--user-level admin", "--data-dir=/etc", "--data-dir", "/etc", "-h",
    "--help", "--port=1", "--port", "-p1", "--project-id=999", "--project-name=../../x",
    "--theme=dark", "--language=fr", "--text=other", "--other=injected", "--", "-", "-1",
    "--=", "=", "a --user-level=admin", "x\n--user-level=admin", "$(id)", "`id`", "; id",
    "| id", "&& id", "'\"", "@/etc/passwd", "--where=/etc/passwd", "--text",
    " --user-level=admin", "\t--user-level=admin", "--user-level=admin --data-dir=/etc",
    "-\u2013user-level=admin", "--version", "--data-dir=", "--user-level=admin\x0b",
]  # fmt: skip
STANDARD = ("data_dir", "user_level", "port", "project_id", "project_name", "theme", "language")


def received(manager, client, execution_id: str) -> dict | None:
    """Return what the script printed about its arguments, None when it did not run."""
    detail = manager.finished(client, execution_id)
    for line in detail["output"].splitlines():
        if line.startswith("ARGS "):
            return {**json.loads(line[5:]), "status": detail["status"]}
    return None


@pytest.fixture(scope="module")
def baseline(manager):
    alice = manager.login("alice")
    got = received(manager, alice, manager.run(alice, "echo_args.py", {"text": "plain"}))
    assert got is not None and got["namespace"]["text"] == "plain"
    return alice, got


def without_port(argv: list[str]) -> list[str]:
    """Return the 14 standard argv items with the port value (which varies) left out."""
    return argv[:5] + argv[6:14]


def standard_ok(manager, namespace: dict, expected: dict) -> bool:
    """Return True when the standard arguments are the expected ones (port: in range)."""
    same = all(namespace[key] == expected[key] for key in STANDARD if key != "port")
    return same and manager.port_start <= int(namespace["port"]) <= manager.port_end


def test_values_that_look_like_options_arrive_unchanged(manager, baseline, bad):
    alice, expected = baseline
    runs = [(value, manager.run(alice, "echo_args.py", {"text": value})) for value in VALUES]
    for value, execution_id in runs:
        got = received(manager, alice, execution_id)
        if got is None:
            bad.check(False, f"{value!r}: the script did not get to print its arguments")
            continue
        namespace, argv = got["namespace"], got["argv"]
        # argparse before Python 3.13 drops a "--" even from "--text=--"; argv shows it came
        if value != "--" or sys.version_info >= (3, 13):
            bad.check(
                namespace["text"] == value, f"{value!r}: text arrived as {namespace['text']!r}"
            )
        bad.check(standard_ok(manager, namespace, expected["namespace"]),
                  f"{value!r}: standard arguments changed: {namespace}")  # fmt: skip
        bad.check(namespace["other"] is None and namespace["where"] is None,
                  f"{value!r}: another parameter was set: {namespace}")  # fmt: skip
        bad.check(without_port(argv) == without_port(expected["argv"]),
                  f"{value!r}: standard argv changed: {argv[:14]}")  # fmt: skip
        bad.check(argv[14:] == [f"--text={value}"], f"{value!r}: parameter argv {argv[14:]}")
    bad.assert_none()


def test_two_parameters_cannot_swap_or_add_values(manager, baseline, bad):
    alice, expected = baseline
    pairs = [
        {"text": "--other=from-text", "other": "--text=from-other"},
        {"text": "--other", "other": "--text"},
        {"text": "x --other=y", "other": "-h"},
        {"text": "--where=/etc", "other": "--data-dir=/etc"},
    ]
    for values in pairs:
        got = received(manager, alice, manager.run(alice, "echo_args.py", values))
        if got is None:
            bad.check(False, f"{values}: the script did not get to print its arguments")
            continue
        namespace = got["namespace"]
        same = namespace["text"] == values["text"] and namespace["other"] == values["other"]
        bad.check(same, f"{values}: got text={namespace['text']!r} other={namespace['other']!r}")
        bad.check(standard_ok(manager, namespace, expected["namespace"]), f"{values}: standard")
        bad.check(namespace["where"] is None, f"{values}: where={namespace['where']!r}")
    bad.assert_none()
