"""Argument checks against JSON schemas, output warnings, and local Python functions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from playground.runs import LocalFunctionError
from playground.runs.tool_outputs import check_arguments, check_output, run_local_python

WEATHER = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "unit": {"type": "string", "enum": ["c", "f"]},
        "days": {"type": "integer"},
    },
    "required": ["city"],
    "additionalProperties": False,
}


def test_valid_arguments_have_no_problems() -> None:
    assert check_arguments('{"city": "Oslo", "unit": "c", "days": 3}', WEATHER) == []


def test_missing_required_argument() -> None:
    assert check_arguments('{"unit": "c"}', WEATHER) == [
        "The arguments: missing required argument “city”."
    ]


def test_wrong_type_and_enum_are_named_by_field() -> None:
    problems = check_arguments('{"city": 5, "unit": "kelvin"}', WEATHER)
    assert problems == [
        "“city” should be string, not a number.",
        '“unit” must be one of: "c", "f" (got "kelvin").',
    ]


def test_unexpected_argument() -> None:
    assert check_arguments('{"city": "Oslo", "colour": "red"}', WEATHER) == [
        "The arguments: unexpected argument “colour”."
    ]


def test_invalid_json_and_non_objects() -> None:
    assert check_arguments('{"city": ', WEATHER)[0].startswith("The arguments are not valid JSON")
    assert check_arguments("[1, 2]", WEATHER) == [
        "The arguments should be a JSON object, not an array."
    ]
    assert "empty string" in check_arguments("", WEATHER)[0]


def test_without_a_schema_only_json_is_checked() -> None:
    assert check_arguments('{"anything": 1}', None) == []
    assert check_arguments("nope", None) != []


def test_a_broken_schema_is_reported_not_raised() -> None:
    problems = check_arguments('{"a": 1}', {"type": "not-a-type"})
    assert len(problems) == 1 and "schema is itself invalid" in problems[0]


def test_output_checks_warn_but_allow_plain_text() -> None:
    assert check_output("It is sunny in Oslo.") == []
    assert check_output('{"temp": 5}') == []
    assert "empty" in check_output("  ")[0]
    warnings = check_output('{"temp": 5')
    assert len(warnings) == 1 and "plain text" in warnings[0]


@pytest.fixture
def functions(tmp_path: Path) -> Path:
    (tmp_path / "helper.py").write_text("FACTOR = 10\n")
    path = tmp_path / "tools.py"
    path.write_text(
        "import time\n"
        "from helper import FACTOR\n"
        "def weather(city, days=1):\n"
        "    print('this goes to stderr, not into the output')\n"
        "    return {'city': city, 'days': days * FACTOR}\n"
        "def greet(name):\n"
        "    return f'hello {name}'\n"
        "def slow():\n"
        "    time.sleep(30)\n"
        "def broken(x):\n"
        "    raise ValueError('no data for ' + x)\n"
        "def crash():\n"
        "    import os; os._exit(3)\n"
    )
    return path


async def test_local_python_returns_json_for_objects(functions: Path) -> None:
    output = await run_local_python(functions, "weather", '{"city": "Oslo", "days": 2}')
    assert json.loads(output) == {"city": "Oslo", "days": 20}


async def test_local_python_returns_strings_as_is(functions: Path) -> None:
    assert await run_local_python(str(functions), "greet", '{"name": "Ada"}') == "hello Ada"


async def test_local_python_timeout_is_a_plain_error(functions: Path) -> None:
    with pytest.raises(LocalFunctionError, match=r"slow\(\) did not finish within 0.5 seconds"):
        await run_local_python(functions, "slow", "{}", timeout_s=0.5)


async def test_local_python_exception_is_a_plain_error(functions: Path) -> None:
    with pytest.raises(LocalFunctionError) as info:
        await run_local_python(functions, "broken", '{"x": "Mars"}')
    assert info.value.message == "broken() raised ValueError: no data for Mars"


async def test_local_python_bad_calls(functions: Path, tmp_path: Path) -> None:
    with pytest.raises(LocalFunctionError, match="does not accept these arguments"):
        await run_local_python(functions, "greet", '{"nom": "Ada"}')
    with pytest.raises(LocalFunctionError, match="has no function named"):
        await run_local_python(functions, "missing", "{}")
    with pytest.raises(LocalFunctionError, match="does not exist"):
        await run_local_python(tmp_path / "nope.py", "f", "{}")
    with pytest.raises(LocalFunctionError, match="not valid JSON"):
        await run_local_python(functions, "greet", "{oops")
    with pytest.raises(LocalFunctionError, match="exit code 3"):
        await run_local_python(functions, "crash", "{}")
