"""Parameter declarations, value validation and the JSON Schema."""

from __future__ import annotations

import pytest

from server.services.catalog.parameters import (
    check_declarations,
    json_schema,
    mask_secrets,
    validate_values,
)
from server.services.errors import InvalidInput

PARAMS = [
    {"name": "title", "type": "string", "required": True, "pattern": "^[A-Z][a-z]+$", "max": 20},
    {"name": "notes", "type": "text"},
    {"name": "count", "type": "int", "min": 1, "max": 10, "default": 3},
    {"name": "ratio", "type": "float", "min": 0, "max": 1},
    {"name": "verbose", "type": "bool", "default": False},
    {"name": "mode", "type": "select", "options": ["simple", "advanced"], "default": "simple"},
    {
        "name": "depth",
        "type": "int",
        "required": True,
        "visible_if": {"field": "mode", "equals": "advanced"},
    },
    {"name": "checks", "type": "multiselect", "options": ["cpu", "disk", "net"]},
    {"name": "day", "type": "date"},
    {"name": "token", "type": "secret"},
    {"name": "upload", "type": "file"},
]


def test_declarations_drop_duplicates_and_unknown_types_with_warnings():
    kept, warnings = check_declarations(
        [
            {"name": "a", "type": "int"},
            {"name": "a", "type": "float"},
            {"name": "b", "type": "colour"},
            {"name": "bad name", "type": "int"},
            {"name": "c", "type": "select"},
            {"name": "d", "type": "int", "default": "many"},
            "not an object",
            {"name": "e", "type": "int", "visible_if": {"field": "nobody", "equals": 1}},
        ]
    )
    assert [p["name"] for p in kept] == ["a", "e"]
    assert "visible_if" not in kept[1]
    assert len(warnings) == 7
    assert any("duplicate name 'a'" in str(w) for w in warnings)


def test_a_bad_default_is_followed_by_what_is_wrong_with_it():
    kept, warnings = check_declarations([{"name": "count", "type": "int", "default": "many"}])
    assert kept == []
    assert [str(w) for w in warnings] == [
        "parameter #1: default of 'count' is invalid; it was ignored",
        "count: must be a whole number.",
    ]


def test_strict_declarations_refuse_the_first_problem():
    with pytest.raises(InvalidInput) as refused:
        check_declarations([{"name": "a"}, {"name": "a"}], strict=True)
    assert refused.value.field == "parameters"
    assert refused.value.message == "parameter #2: duplicate name 'a'; it was ignored"


def test_values_are_coerced_defaulted_and_hidden_fields_dropped():
    values = validate_values(
        PARAMS,
        {"title": "Report", "ratio": "0.5", "checks": "cpu,disk", "day": "2026-11-28", "depth": 4},
    )
    assert values == {
        "title": "Report",
        "count": 3,
        "ratio": 0.5,
        "verbose": False,
        "mode": "simple",
        "checks": ["cpu", "disk"],
        "day": "2026-11-28",
    }


def test_a_visible_required_field_is_required():
    with pytest.raises(InvalidInput) as error:
        validate_values(PARAMS, {"title": "Report", "mode": "advanced"})
    assert error.value.field == "depth"
    assert (
        validate_values(PARAMS, {"title": "Report", "mode": "advanced", "depth": "7"})["depth"] == 7
    )


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({}, "title"),
        ({"title": "lowercase"}, "title"),
        ({"title": "Abcdefghijklmnopqrstuvwxyz"}, "title"),
        ({"title": "Ok", "count": 11}, "count"),
        ({"title": "Ok", "count": 2.5}, "count"),
        ({"title": "Ok", "count": True}, "count"),
        ({"title": "Ok", "ratio": "nan"}, "ratio"),
        ({"title": "Ok", "verbose": "perhaps"}, "verbose"),
        ({"title": "Ok", "mode": "expert"}, "mode"),
        ({"title": "Ok", "checks": ["cpu", "gpu"]}, "checks"),
        ({"title": "Ok", "day": "28/11/2026"}, "day"),
        ({"title": "Ok", "upload": "../etc/passwd"}, "upload"),
        ({"title": "Ok", "extra": 1}, "extra"),
        ({"title": {"nested": 1}}, "title"),
    ],
)
def test_bad_values_name_their_field(values, field):
    with pytest.raises(InvalidInput) as error:
        validate_values(PARAMS, values)
    assert error.value.field == field


def test_path_values_go_through_the_resolver():
    params = [{"name": "folder", "type": "path"}]

    def resolve(value: str, name: str) -> str:
        if ".." in value:
            raise InvalidInput(f"{name}: outside the project.", field=name)
        return "/data/project/" + value

    assert validate_values(params, {"folder": "in"}, resolve) == {"folder": "/data/project/in"}
    with pytest.raises(InvalidInput) as refused:
        validate_values(params, {"folder": "../out"}, resolve)
    assert refused.value.field == "folder"


def test_secrets_are_masked():
    assert mask_secrets(PARAMS, {"token": "abc", "title": "T"}) == {
        "token": "********",
        "title": "T",
    }


def test_json_schema_describes_types_bounds_and_conditions():
    params = [
        *PARAMS[:7],
        {
            "name": "temp",
            "type": "float",
            "unit": "K",
            "description": {"en": "T", "es": "Temperatura"},
        },
    ]
    schema = json_schema(params, "es")
    props = schema["properties"]
    assert schema["required"] == ["title"]
    assert props["title"]["pattern"] == "^[A-Z][a-z]+$" and props["title"]["maxLength"] == 20
    assert props["count"] == {
        "type": "integer",
        "x-type": "int",
        "title": "Count",
        "minimum": 1,
        "maximum": 10,
        "default": 3,
    }
    assert props["mode"]["enum"] == ["simple", "advanced"]
    assert props["depth"]["x-visible-if"] == {"field": "mode", "equals": "advanced"}
    assert props["depth"]["x-required"] is True
    assert props["temp"]["description"] == "Temperatura" and props["temp"]["x-unit"] == "K"
