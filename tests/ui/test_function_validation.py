"""The function rules the editor checks live: name pattern, tool limit, object schema,
the JSON Schema meta-schema, strict mode, and that every template starts out valid."""

from __future__ import annotations

import json

import pytest

from playground.ui.function_templates import TEMPLATES, template
from playground.ui.viewmodels.functions import (
    MAX_TOOLS,
    check_function,
    meta_schema_problems,
)

OBJECT = json.dumps({"type": "object", "properties": {"city": {"type": "string"}}})


@pytest.mark.parametrize("item", TEMPLATES, ids=lambda t: t.key)
def test_every_template_is_valid(item: object) -> None:
    chosen = template(item.key)  # type: ignore[attr-defined]
    check = check_function(chosen.name, chosen.description, chosen.parameters_text())
    assert check.ok, check.summary()
    assert check.definition is not None
    assert check.definition.parameters == chosen.parameters


def test_unknown_template_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="get_weather"):
        template("nope")


@pytest.mark.parametrize("name", ["a", "get_weather", "A-b_9", "x" * 64])
def test_valid_names(name: str) -> None:
    assert check_function(name, "", OBJECT).ok


@pytest.mark.parametrize("name", ["", "has space", "dot.name", "x" * 65, "ünïcode", "a/b"])
def test_invalid_names_are_explained(name: str) -> None:
    check = check_function(name, "", OBJECT)
    assert not check.ok
    assert check.problems[0].field == "name"
    assert "name" in check.problems[0].message


def test_duplicate_name_refused() -> None:
    check = check_function("lookup", "", OBJECT, other_names={"lookup"})
    assert "already named" in check.summary()


def test_tool_limit() -> None:
    assert check_function("f", "", OBJECT, tool_count=MAX_TOOLS - 1).ok
    check = check_function("f", "", OBJECT, tool_count=MAX_TOOLS)
    assert f"at most {MAX_TOOLS} tools" in check.summary()


def test_empty_parameters_mean_no_arguments() -> None:
    check = check_function("ping", "Ping.", "   ")
    assert check.ok
    assert check.definition is not None and check.definition.parameters is None


def test_json_syntax_error_names_the_line() -> None:
    text = '{\n  "type": "object",\n  "properties": {,}\n}'
    check = check_function("f", "", text)
    assert not check.ok
    problem = check.problems[0]
    assert problem.line == 3
    assert "not valid JSON" in problem.message and "line 3" in problem.message


def test_parameters_must_be_an_object_schema() -> None:
    assert "must be a JSON object" in check_function("f", "", "[1, 2]").summary()
    check = check_function("f", "", json.dumps({"type": "string"}))
    assert 'must describe an object: set "type": "object"' in check.summary()


def test_meta_schema_errors_are_reported_with_their_place() -> None:
    schema = {"type": "object", "properties": {"city": {"type": "strin"}}, "required": "city"}
    check = check_function("f", "", json.dumps(schema))
    text = check.summary()
    assert "properties → city → type" in text
    assert "required" in text
    assert check.definition is None


def test_draft7_schema_is_checked_as_draft7() -> None:
    # Draft 7 allows "definitions"+"$ref"; "exclusiveMaximum": true is Draft 4 and invalid in 7.
    bad = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {"n": {"type": "number", "maximum": 3, "exclusiveMaximum": True}},
    }
    assert any("exclusiveMaximum" in p.message for p in meta_schema_problems(bad))
    good = {**bad, "properties": {"n": {"type": "number", "exclusiveMaximum": 3}}}
    assert meta_schema_problems(good) == []


def test_unknown_schema_version_is_named() -> None:
    schema = {"$schema": "http://example.com/my-schema", "type": "object"}
    assert "unknown JSON Schema version" in check_function("f", "", json.dumps(schema)).summary()


def test_strict_mode_rules() -> None:
    loose = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}}
    check = check_function("f", "", json.dumps(loose), strict=True)
    assert '"additionalProperties": false' in check.summary()
    assert "missing: a, b" in check.summary()
    closed = {**loose, "required": ["a", "b"], "additionalProperties": False}
    check = check_function("f", "", json.dumps(closed), strict=True)
    assert check.ok, check.summary()
    assert check.definition is not None and check.definition.strict is True
