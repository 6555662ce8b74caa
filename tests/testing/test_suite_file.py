"""The suite file: round trip, plain errors for bad files, and the published JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from playground.testing.errors import SuiteFileError
from playground.testing.suite import (
    SCHEMA_PATH,
    load_suite,
    parse_suite,
    save_suite,
    suite_json_schema,
    suite_json_schema_text,
)

REPO = Path(__file__).resolve().parents[2]

EXAMPLE = {
    "$schema": "../docs/suite.schema.json",
    "name": "Weather",
    "assistants": ["asst_1"],
    "cases": [
        {
            "name": "Oslo",
            "turns": [
                {
                    "user": "Weather in Oslo?",
                    "checks": [
                        {
                            "type": "function_called",
                            "name": "get_weather",
                            "arguments": {"city": "Oslo"},
                        },
                        {"type": "answer_json", "schema": {"type": "object"}},
                        {"type": "max_seconds", "seconds": 30},
                    ],
                }
            ],
            "tool_outputs": [{"function": "get_weather", "output": "5 degrees"}],
        }
    ],
}


def test_the_committed_schema_is_the_generated_one() -> None:
    committed = (REPO / SCHEMA_PATH).read_text(encoding="utf-8")
    assert committed == suite_json_schema_text(), "run: python -m playground.testing.schema"


def test_an_example_validates_against_the_schema_and_round_trips(tmp_path: Path) -> None:
    jsonschema.Draft202012Validator(suite_json_schema()).validate(EXAMPLE)
    suite = parse_suite(json.dumps(EXAMPLE))
    path = tmp_path / "suite.json"
    save_suite(suite, path)
    again = load_suite(path)
    assert again == suite
    saved = json.loads(path.read_text())
    assert saved["cases"][0]["turns"][0]["checks"][0]["type"] == "function_called"
    assert next(iter(saved["cases"][0]["turns"][0]["checks"][0])) == "type"
    # Saving twice gives the same bytes: diffs show only real changes.
    first = path.read_text()
    save_suite(again, path)
    assert path.read_text() == first


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d["cases"][0]["turns"][0]["checks"].append({"type": "anwser"}), "anwser"),
        (
            lambda d: d["cases"][0]["turns"][0]["checks"].append(
                {"type": "answer_matches", "pattern": "("}
            ),
            "regular expression",
        ),
        (
            lambda d: d["cases"][0]["turns"][0]["checks"].append(
                {"type": "answer_json", "schema": {"type": 5}}
            ),
            "JSON Schema is itself invalid",
        ),
        (lambda d: d["cases"].append(dict(d["cases"][0])), "two cases are named"),
        (lambda d: d["cases"][0].update(turns=[]), "turns"),
        (lambda d: d.update(surprise=1), "surprise"),
    ],
)
def test_bad_suites_say_what_and_where(change: object, words: str) -> None:
    data = json.loads(json.dumps(EXAMPLE))
    change(data)  # type: ignore[operator]
    with pytest.raises(SuiteFileError) as caught:
        parse_suite(json.dumps(data), source="my.json")
    assert words in caught.value.message and "my.json" in caught.value.message


def test_unreadable_and_non_json_files(tmp_path: Path) -> None:
    with pytest.raises(SuiteFileError, match="cannot be read"):
        load_suite(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    with pytest.raises(SuiteFileError, match="not valid JSON"):
        load_suite(bad)
