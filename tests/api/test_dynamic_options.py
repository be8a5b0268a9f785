"""GET /api/scripts/{id}/parameters/{name}/options, and the check of dynamic values at run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

from server.services.catalog.dynamic_options import CommandRate, DynamicOptions
from tests.api.test_catalog import rescan
from tests.api.translated import speaking
from tests.dynamic_options_support import calls, write_group
from tests.support import wait_for


@pytest.fixture
def dyn(app, groups):
    folder = write_group(groups)
    rescan(app)
    return folder


def script_id(client, filename: str = "report.py") -> int:
    groups = client.get("/api/script-groups").get_json()["items"]
    group = next(g for g in groups if g["folder"] == "dyn")
    items = client.get(f"/api/script-groups/{group['id']}/scripts").get_json()["items"]
    return next(item["id"] for item in items if item["filename"] == filename)


def options_url(sid: int, name: str, values: dict | None = None) -> str:
    url = f"/api/scripts/{sid}/parameters/{name}/options"
    return url if values is None else f"{url}?values={quote(json.dumps(values))}"


@pytest.fixture
def operator(login, make_user):
    return login(make_user(level="operator"))


def test_options_are_listed_and_follow_the_values_given(dyn, operator):
    sid = script_id(operator)
    answer = operator.get(options_url(sid, "site", {"region": "south"}))
    assert answer.status_code == 200
    assert answer.get_json() == {
        "options": ["Seville", "Malaga"], "cached": False, "depends_on": ["region"]
    }  # fmt: skip
    again = operator.get(options_url(sid, "site", {"region": "south"})).get_json()
    assert again["cached"] is True and calls(dyn) == ["south"]
    assert operator.get(options_url(sid, "site")).get_json()["options"] == ["Oslo", "Bergen"]
    schema = operator.get(f"/api/scripts/{sid}/parameters-schema").get_json()["properties"]
    assert schema["site"]["x-options-from"]["depends_on"] == ["region"]
    assert "enum" not in schema["site"] and schema["region"]["enum"] == ["north", "south"]


def test_failures_answer_422_with_the_reason(dyn, operator):
    sid = script_id(operator)
    answer = operator.get(options_url(sid, "broken"))
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error == {
        "code": "options_unavailable",
        "field": "broken",
        "message": "The options of broken could not be listed: the command exited with "
        "status 2: RuntimeError: the site list is offline",
    }
    assert "Traceback" not in answer.get_data(as_text=True)
    slow = operator.get(options_url(sid, "slow")).get_json()["error"]["message"]
    assert slow.endswith("the command did not answer within 1 s.")


def test_the_message_is_in_the_users_language(dyn, login, make_user):
    french = speaking(login, make_user, "fr")
    answer = french.get(options_url(script_id(french), "empty"))
    assert answer.status_code == 422
    assert answer.get_json()["error"]["message"] == (
        "Les options de empty n'ont pas pu être listées : la commande n'a écrit aucune option."
    )


@pytest.mark.parametrize(
    ("name", "values", "status"),
    [
        ("nothing", None, 404),
        ("region", None, 404),
        ("site", "not json", 400),
        ("site", "[1, 2]", 400),
        ("site", json.dumps({"region": "west"}), 400),
    ],
)
def test_bad_requests(dyn, operator, name, values, status):
    url = options_url(script_id(operator), name)
    if values is not None:
        url += "?values=" + quote(values)
    assert operator.get(url).status_code == status


def test_only_those_who_may_run_the_script_list_its_options(dyn, app, login, make_user):
    developer = login(make_user(level="developer"))
    hidden = script_id(developer, "hidden.py")
    visible = script_id(developer)
    viewer = login(make_user(level="viewer"))
    assert viewer.get(options_url(visible, "site")).status_code == 403
    operator = login(make_user(level="operator"))
    assert operator.get(options_url(hidden, "site")).status_code == 404
    assert developer.get(options_url(hidden, "site")).status_code == 200
    assert app.test_client().get(options_url(visible, "site")).status_code == 401
    assert calls(dyn) == ["north"]


def test_too_many_commands_answer_429(dyn, app, operator, services):
    services.dynamic_options = DynamicOptions(
        services.environments, dyn.parent, False, rate=CommandRate(2)
    )
    sid = script_id(operator)
    assert operator.get(options_url(sid, "fresh")).status_code == 200
    assert operator.get(options_url(sid, "fresh")).status_code == 200
    refused = operator.get(options_url(sid, "fresh"))
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.get_json()["error"]["code"] == "too_many_requests"
    assert calls(dyn) == ["north", "north"]


def execute(client, sid: int, parameters: dict):
    return client.post(f"/api/scripts/{sid}/execute", {"parameters": parameters})


def test_a_run_takes_only_a_value_among_the_commands_options(dyn, operator):
    sid = script_id(operator)
    refused = execute(operator, sid, {"region": "north", "site": "Seville"})
    assert refused.status_code == 400
    assert refused.get_json()["error"]["field"] == "site"
    refused = execute(operator, sid, {"region": "north", "site": "Oslo", "tags": ["a", "z"]})
    assert refused.get_json()["error"]["field"] == "tags"
    failing = execute(operator, sid, {"site": "Oslo", "broken": "x"})
    assert failing.status_code == 422 and failing.get_json()["error"]["field"] == "broken"
    accepted = execute(operator, sid, {"region": "south", "site": "Malaga", "tags": ["2", "a"]})
    assert accepted.status_code == 202, accepted.get_json()
    execution = accepted.get_json()["execution_id"]
    record = wait_for(
        lambda: (
            (r := operator.get(f"/api/logs/execution/{execution}").get_json())["status"]
            != "running"
            and r
        )
    )
    assert record["status"] == "completed" and record["parameters"]["site"] == "Malaga"


def test_the_shipped_example_lists_the_sites_of_a_region(app, groups, operator):
    shipped = Path(__file__).resolve().parents[2] / "script_groups" / "data_tools"
    shutil.copytree(shipped, groups.root / "data_tools")
    rescan(app)
    listed = operator.get("/api/script-groups").get_json()["items"]
    group = next(g for g in listed if g["folder"] == "data_tools")
    items = operator.get(f"/api/script-groups/{group['id']}/scripts").get_json()["items"]
    sid = next(item["id"] for item in items if item["filename"] == "site_report.py")
    assert not any(item["filename"].startswith("_") for item in items)
    asia = operator.get(options_url(sid, "site", {"region": "asia"})).get_json()
    assert asia == {"options": ["Osaka", "Pune"], "cached": False, "depends_on": ["region"]}
    default = operator.get(options_url(sid, "site")).get_json()["options"]
    assert default == ["Bergen", "Lyon", "Turin", "Valencia"]
    run = execute(operator, sid, {"region": "asia", "site": "Pune"})
    assert run.status_code == 202, run.get_json()
    execution = run.get_json()["execution_id"]
    record = wait_for(
        lambda: (
            (r := operator.get(f"/api/logs/execution/{execution}").get_json())["status"]
            != "running"
            and r
        )
    )
    assert record["status"] == "completed", record
    assert "Rated capacity: 98 MW" in record["output"]
