"""Options listed by commands: declaration checks, running, caching, limits, the run check."""

from __future__ import annotations

import threading

import psutil
import pytest

from server.models import Script, ScriptGroup
from server.services.catalog.dynamic_options import CommandRate, DynamicOptions
from server.services.catalog.option_command import OptionsUnavailable, parse_options
from server.services.catalog.parameters import check_declarations, json_schema, validate_values
from server.services.errors import InvalidInput, NotFound, Throttled
from server.services.execution.run import Runner
from tests.dynamic_options_support import calls, write_group
from tests.support import wait_for

SITE = {"name": "site", "type": "select", "options_from": {"command": ["python", "s.py"]}}
REGION = {"name": "region", "type": "select", "options": ["north", "south"]}
ASKER = Runner(1, "olga", "operator", "en", "light")


def source(command, **extra) -> dict:
    return {"name": "site", "type": "select", "options_from": {"command": command, **extra}}


def warnings_for(*params) -> list[str]:
    kept, warnings = check_declarations(list(params))
    assert "site" not in {p["name"] for p in kept}
    return [str(w) for w in warnings]


@pytest.mark.parametrize(
    ("declaration", "words"),
    [
        (source("python s.py --region {region}"), "not a shell command line"),
        (source(["python"]), "list of 2 to 64"),
        (source(["python", 3]), "list of 2 to 64"),
        (source([]), "list of 2 to 64"),
        (source({"argv": []}), "list of 2 to 64"),
        (source(["/bin/sh", "-c", "ls"]), 'start with "python"'),
        (source(["python", "-c", "print(1)"]), 'start with "python"'),
        (source(["python", "../other/s.py"]), 'start with "python"'),
        (source(["python", "/etc/s.py"]), 'start with "python"'),
        (source(["python", "{region}"]), 'start with "python"'),
        (source(["python", "s.py", "--region={region}"]), "must be a whole argument"),
        (source(["python", "s.py"], timeout=0), "timeout of 'site' must be a whole number"),
        (source(["python", "s.py"], timeout=61), "from 1 to 60"),
        (source(["python", "s.py"], timeout=True), "from 1 to 60"),
        (source(["python", "s.py"], cache_seconds=-1), "from 0 to 3600"),
        (source(["python", "s.py"], cache_seconds=3601), "from 0 to 3600"),
        (source(["python", "s.py"], shell=True), "unknown keys ['shell']"),
        ({**SITE, "options": ["a"]}, "both options and options_from"),
        ({**SITE, "type": "string"}, "only a select or multiselect"),
        ({**SITE, "options_from": ["python", "s.py"]}, "must be an object"),
    ],
)
def test_bad_sources_are_refused_with_a_clear_warning(declaration, words):
    found = warnings_for(REGION, declaration)
    assert any(words in warning for warning in found), found


@pytest.mark.parametrize(
    ("target", "extra"),
    [("nowhere", []), ("site", []), ("token", [{"name": "token", "type": "secret"}])],
)
def test_placeholders_must_name_another_plain_parameter(target, extra):
    found = warnings_for(REGION, *extra, source(["python", "s.py", "{" + target + "}"]))
    assert any(f"placeholder {{{target}}}" in warning for warning in found), found


def test_cycles_are_refused_and_strict_checks_raise():
    first = source(["python", "s.py", "{other}"])
    other = {"name": "other", "type": "select",
             "options_from": {"command": ["python", "s.py", "{site}"]}}  # fmt: skip
    kept, warnings = check_declarations([first, other])
    assert kept == [] and "depend on themselves" in str(warnings[0])
    assert "placeholder {site}" in str(warnings[1])  # once site is dropped, other names nothing
    with pytest.raises(InvalidInput, match="shell command line"):
        check_declarations([source("python s.py")], strict=True)


def test_a_good_source_is_kept_and_described_as_dynamic():
    site = source(["python", "sub/s.py", "{region}", "--all"], timeout=5, cache_seconds=0)
    kept, warnings = check_declarations([REGION, site])
    assert warnings == [] and kept[1]["options_from"]["timeout"] == 5
    schema = json_schema(kept)["properties"]["site"]
    assert "enum" not in schema
    assert schema["x-options-from"] == {"depends_on": ["region"], "cache_seconds": 0}
    # Static validation leaves the options to the command; it still checks the type.
    assert validate_values(kept, {"region": "north", "site": "anything"})["site"] == "anything"


def test_output_is_read_as_lines_or_a_json_list():
    assert parse_options(b"\xef\xbb\xbfa\r\n\n b \na\n") == ["a", "b"]
    assert parse_options(b'["x", 2, 2.0, 3.5]') == ["x", "2", "3.5"]
    assert parse_options(b'["x", true]') == ['["x", true]']  # not a list of options: one line


@pytest.fixture
def dyn(app, groups, services):
    folder = write_group(groups)
    with services.db.job():
        services.discovery.scan_all()
    return folder


@pytest.fixture
def ask(services, dyn):
    """ask(name, values, service=None) -> OptionList for report.py."""

    def call(name, values=None, service: DynamicOptions | None = None, asker=ASKER):
        with services.db.job():
            script = services.db.session.query(Script).filter_by(filename="report.py").one()
            group = services.db.session.get(ScriptGroup, script.group_id)
            return (service or services.dynamic_options).options(
                script, group, name, values or {}, asker
            )

    return call


def test_options_come_from_the_command_and_follow_their_dependency(ask, dyn):
    north = ask("site", {"region": "north"})
    assert (north.options, north.cached, north.depends_on) == (
        ["Oslo", "Bergen"],
        False,
        ["region"],
    )
    assert ask("site", {"region": "south"}).options == ["Seville", "Malaga"]
    assert ask("site").options == ["Oslo", "Bergen"]  # the region's default
    assert ask("tags").options == ["a", "2", "3.5"]
    assert calls(dyn) == ["north", "south", "json"]


def test_results_are_cached_for_cache_seconds(ask, dyn):
    assert ask("site", {"region": "north"}).cached is False
    assert ask("site", {"region": "north"}).cached is True
    assert calls(dyn) == ["north"]
    ask("fresh", {"region": "north"})
    ask("fresh", {"region": "north"})
    assert calls(dyn) == ["north", "north", "north"]


def test_identical_requests_at_once_run_the_command_once(ask, dyn, services):
    answers: list[list[str]] = []
    workers = [
        threading.Thread(target=lambda: answers.append(ask("gate").options)) for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    wait_for(lambda: calls(dyn) == ["gate"], message="the command did not start")
    wait_for(lambda: services.dynamic_options.waiting() == 3, message="requests did not join")
    (dyn / "release").write_text("go")
    for worker in workers:
        worker.join(60)
    assert answers == [["opened"]] * 4 and calls(dyn) == ["gate"]


def test_a_command_that_overstays_is_ended_with_its_children(ask, dyn):
    with pytest.raises(OptionsUnavailable) as caught:
        ask("slow")
    assert caught.value.status == 422
    assert str(caught.value) == (
        "The options of slow could not be listed: the command did not answer within 1 s."
    )
    pids = [int(pid) for pid in (dyn / "pids.txt").read_text().split()]

    def gone(pid: int) -> bool:
        try:
            return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return True

    wait_for(lambda: all(gone(pid) for pid in pids), message="the command lingers")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("broken", "the command exited with status 2: RuntimeError: the site list is offline"),
        ("empty", "the command printed no options."),
        ("flood", "the command printed more than 256 KiB."),
    ],
)
def test_failures_say_why(ask, name, message):
    with pytest.raises(OptionsUnavailable) as caught:
        ask(name)
    assert str(caught.value) == f"The options of {name} could not be listed: {message}"
    assert caught.value.field == name


def test_unknown_or_static_parameters_and_bad_values_are_refused(ask):
    for name in ("nothing", "region", "token"):
        with pytest.raises(NotFound):
            ask(name)
    with pytest.raises(InvalidInput) as caught:
        ask("site", ["north"])
    assert caught.value.field == "values"
    with pytest.raises(InvalidInput) as caught:
        ask("site", {"region": "west"})
    assert caught.value.field == "region"


def test_the_command_gets_no_secret_of_the_manager_or_the_form(ask, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "manager-signing-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "cloud-key")
    listed = ask("envdump", {"token": "hunter2-value", "region": "north"}).options
    names = {line.split("=", 1)[0] for line in listed}
    allowed = {"PATH", "LANG", "LANGUAGE", "TZ", "SYSTEMROOT", "PYTHONIOENCODING",
               "PYTHONDONTWRITEBYTECODE", "SCRIPTSMANAGER_USER_LEVEL",
               "SCRIPTSMANAGER_LANGUAGE", "SCRIPTSMANAGER_OPTIONS_FOR"}  # fmt: skip
    assert {n for n in names if not n.startswith("LC_")} <= allowed
    assert "SCRIPTSMANAGER_USER_LEVEL=operator" in listed
    assert not any("hunter2" in line or "key" in line.split("=", 1)[-1] for line in listed)


def test_each_user_starts_a_limited_number_of_commands(ask, services, dyn):
    now = [0.0]
    rate = CommandRate(2, clock=lambda: now[0])
    limited = DynamicOptions(services.environments, dyn.parent, False, rate=rate)
    ask("fresh", service=limited)
    ask("fresh", service=limited)
    with pytest.raises(Throttled) as caught:
        ask("fresh", service=limited)
    assert caught.value.retry_after == 60
    ask("fresh", service=limited, asker=Runner(2, "other", "operator", "en", "light"))
    now[0] = 61.0
    ask("fresh", service=limited)
    assert calls(dyn).count("north") == 4
