"""The suite file: cases (user turns, canned tool outputs) and the checks on each run.

A suite is a JSON file a person can read in a diff and edit by hand, so the model is flat
and every check says what it checks in its ``type``. The published JSON Schema
(``docs/suite.schema.json``) is generated from these classes by :func:`suite_json_schema`;
a test keeps the committed copy equal to it.

::

    {
      "name": "Weather bot",
      "cases": [{
        "name": "Oslo",
        "turns": [{"user": "Weather in Oslo?", "checks": [
          {"type": "function_called", "name": "get_weather", "arguments": {"city": "Oslo"}},
          {"type": "answer_contains", "text": "5 degrees"}
        ]}],
        "tool_outputs": [{"function": "get_weather", "output": "{\\"temp\\": 5}"}]
      }]
    }
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import jsonschema
from jsonschema.exceptions import SchemaError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import SuiteFileError

SUITE_VERSION = 1
#: Where the schema is published in the repository (relative to its root).
SCHEMA_PATH = Path("docs") / "suite.schema.json"


class _Strict(BaseModel):
    # A typo in a hand-edited file ("anwser_contains", "ignorecase") must be an error, not
    # a silently skipped check.
    model_config = ConfigDict(extra="forbid", frozen=True)


class AnswerContains(_Strict):
    """The run's answer text contains ``text``."""

    type: Literal["answer_contains"] = "answer_contains"
    text: str = Field(min_length=1)
    ignore_case: bool = False


class AnswerMatches(_Strict):
    """The run's answer text matches the regular expression ``pattern`` (``re.search``)."""

    type: Literal["answer_matches"] = "answer_matches"
    pattern: str = Field(min_length=1)
    ignore_case: bool = False

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression ({exc})") from None
        return value


class AnswerIsJson(_Strict):
    """The answer is JSON (a fenced ```json block counts), valid against ``json_schema``."""

    type: Literal["answer_json"] = "answer_json"
    json_schema: dict[str, Any] | None = Field(default=None, alias="schema")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("json_schema")
    @classmethod
    def _valid_schema(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            try:
                jsonschema.validators.validator_for(value).check_schema(value)
            except SchemaError as exc:
                raise ValueError(f"the JSON Schema is itself invalid ({exc.message})") from None
        return value


class FunctionCalled(_Strict):
    """The run called function ``name``.

    ``valid_arguments``: at least one call's arguments are valid against the function's
    parameter schema (as the assistant declares it). ``arguments``: at least one call has
    these values (keys not listed may have any value).
    """

    type: Literal["function_called"] = "function_called"
    name: str = Field(min_length=1)
    valid_arguments: bool = True
    arguments: dict[str, Any] | None = None


class FunctionNotCalled(_Strict):
    """The run did not call function ``name``."""

    type: Literal["function_not_called"] = "function_not_called"
    name: str = Field(min_length=1)


class CodeImage(_Strict):
    """The code interpreter produced at least one image in this run."""

    type: Literal["code_image"] = "code_image"


class CodeFile(_Strict):
    """The run produced at least one file (a ``sandbox:/mnt/data`` link or an attachment)."""

    type: Literal["code_file"] = "code_file"


class RunCompletedCheck(_Strict):
    """The run ended ``completed`` (not failed, incomplete, expired or cancelled)."""

    type: Literal["run_completed"] = "run_completed"


class WithinSeconds(_Strict):
    """The run finished within ``seconds`` (measured by the tester, including tool outputs)."""

    type: Literal["max_seconds"] = "max_seconds"
    seconds: float = Field(gt=0)


class WithinTokens(_Strict):
    """The run used at most ``tokens`` tokens in total (the run's ``usage``)."""

    type: Literal["max_tokens"] = "max_tokens"
    tokens: int = Field(gt=0)


Check = Annotated[
    AnswerContains
    | AnswerMatches
    | AnswerIsJson
    | FunctionCalled
    | FunctionNotCalled
    | CodeImage
    | CodeFile
    | RunCompletedCheck
    | WithinSeconds
    | WithinTokens,
    Field(discriminator="type"),
]


class Turn(_Strict):
    """One user message; it starts one run, and ``checks`` are evaluated on that run."""

    user: str = Field(min_length=1)
    checks: list[Check] = Field(default_factory=list)


class CannedOutput(_Strict):
    """What to answer when the run calls ``function``.

    With ``arguments``, only calls whose arguments have these values match; the most specific
    match wins (the one listing the most arguments), then the first in the file.
    """

    function: str = Field(min_length=1)
    arguments: dict[str, Any] | None = None
    output: str


class Case(_Strict):
    """A conversation to replay: its turns run one after the other in one new thread."""

    name: str = Field(min_length=1)
    turns: list[Turn] = Field(min_length=1)
    tool_outputs: list[CannedOutput] = Field(default_factory=list)


class Suite(_Strict):
    """A named group of cases, the unit a person runs and exports."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schema_ref: str | None = Field(default=None, alias="$schema")
    version: Literal[1] = 1
    name: str = Field(min_length=1)
    description: str = ""
    #: Default targets when none are given on the command line or in the window.
    assistants: list[str] = Field(default_factory=list)
    #: How many times each case runs (to see flakiness); the command line can override it.
    repeat: int = Field(default=1, ge=1, le=100)
    cases: list[Case] = Field(min_length=1)

    @field_validator("cases")
    @classmethod
    def _unique_names(cls, cases: list[Case]) -> list[Case]:
        seen: set[str] = set()
        for case in cases:
            if case.name in seen:
                raise ValueError(f"two cases are named “{case.name}”; names must be unique")
            seen.add(case.name)
        return cases


def describe_check(check: Check) -> str:
    """A short label for reports: what the check wanted, in words."""
    match check:
        case AnswerContains(text=text, ignore_case=ic):
            return f"answer contains {text!r}" + (" (any case)" if ic else "")
        case AnswerMatches(pattern=pattern):
            return f"answer matches /{pattern}/"
        case AnswerIsJson(json_schema=schema):
            return "answer is JSON valid against the schema" if schema else "answer is JSON"
        case FunctionCalled(name=name, arguments=arguments, valid_arguments=valid):
            words = f"{name}() is called"
            if arguments:
                words += " with " + json.dumps(arguments, sort_keys=True)
            if valid:
                words += " (arguments valid)"
            return words
        case FunctionNotCalled(name=name):
            return f"{name}() is not called"
        case CodeImage():
            return "code interpreter produced an image"
        case CodeFile():
            return "a file was produced"
        case RunCompletedCheck():
            return "run completed"
        case WithinSeconds(seconds=seconds):
            return f"within {seconds:g} s"
        case WithinTokens(tokens=tokens):
            return f"within {tokens} tokens"
    raise AssertionError(f"unknown check {check!r}")  # pragma: no cover - union is closed


def _plain_errors(error: ValidationError) -> str:
    lines = []
    for item in error.errors()[:10]:
        where = " → ".join(str(p) for p in item["loc"]) or "the file"
        lines.append(f"{where}: {item['msg']}")
    more = len(error.errors()) - 10
    if more > 0:
        lines.append(f"… and {more} more problems")
    return "\n".join(lines)


def parse_suite(text: str, *, source: str = "the suite") -> Suite:
    """A suite from JSON text, or :class:`SuiteFileError` saying what is wrong and where."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise SuiteFileError(f"{source} is not valid JSON ({exc}).") from None
    try:
        return Suite.model_validate(data)
    except ValidationError as exc:
        raise SuiteFileError(f"{source} is not a valid suite:\n{_plain_errors(exc)}") from None


def load_suite(path: Path) -> Suite:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SuiteFileError(f"The suite file {path} cannot be read ({exc.strerror}).") from None
    return parse_suite(text, source=f"The suite file {path}")


def _dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True, exclude_defaults=True)


def suite_to_json(suite: Suite) -> str:
    """Stable, indented JSON (defaults left out, ``type`` first) so a saved suite diffs well."""
    data: dict[str, Any] = {k: v for k, v in _dump(suite).items() if k != "cases"}
    data["name"] = suite.name
    data["cases"] = []
    for case in suite.cases:
        turns = [
            {"user": t.user, "checks": [{"type": c.type} | _dump(c) for c in t.checks]}
            for t in case.turns
        ]
        item: dict[str, Any] = {"name": case.name, "turns": turns}
        if case.tool_outputs:
            item["tool_outputs"] = [_dump(o) for o in case.tool_outputs]
        data["cases"].append(item)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def save_suite(suite: Suite, path: Path) -> None:
    """Write atomically (a temporary file, then rename) so a crash never leaves half a suite."""
    temp = path.with_name(path.name + ".tmp")
    try:
        temp.write_text(suite_to_json(suite), encoding="utf-8")
        temp.replace(path)
    except OSError as exc:
        raise SuiteFileError(f"The suite cannot be saved to {path} ({exc.strerror}).") from None


def suite_json_schema() -> dict[str, Any]:
    """The JSON Schema of a suite file, as published in ``docs/suite.schema.json``."""
    schema = Suite.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Assistants Playground test suite"
    return schema


def suite_json_schema_text() -> str:
    return json.dumps(suite_json_schema(), indent=2, sort_keys=True) + "\n"
