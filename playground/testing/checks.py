"""Evaluate one check on one observed run: passed or not, and in words why.

Pure functions of the observation (and the assistant's function schemas), so they are
tested without a server and give the same verdict in the window and on the command line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema

from playground.runs.tool_outputs import check_arguments

from .observed import FunctionCallSeen, RunObservation
from .suite import (
    AnswerContains,
    AnswerIsJson,
    AnswerMatches,
    Check,
    CodeFile,
    CodeImage,
    FunctionCalled,
    FunctionNotCalled,
    RunCompletedCheck,
    WithinSeconds,
    WithinTokens,
    describe_check,
)

_FENCE = re.compile(r"```(?:json)?\s*\n(.*?)```", re.DOTALL)
_EXCERPT = 160


@dataclass(frozen=True, slots=True)
class CheckResult:
    check: str  # the check described in words
    passed: bool
    detail: str  # why it passed or failed, in plain words


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _EXCERPT else flat[: _EXCERPT - 1] + "…"


def _answer_json(answer: str) -> tuple[Any, str]:
    """The answer's JSON value (whole text, else the first fenced block) or a problem."""
    candidates = [answer.strip()] + [m.strip() for m in _FENCE.findall(answer)]
    last = "the answer is empty"
    for candidate in candidates:
        if not candidate:
            continue
        try:
            return json.loads(candidate), ""
        except ValueError as exc:
            last = f"the answer is not JSON ({exc})"
    return None, last


def _has_values(arguments: str, wanted: Mapping[str, Any]) -> bool:
    try:
        parsed = json.loads(arguments or "{}")
    except ValueError:
        return False
    return isinstance(parsed, dict) and all(
        k in parsed and parsed[k] == v for k, v in wanted.items()
    )


def _function_called(
    check: FunctionCalled,
    calls: tuple[FunctionCallSeen, ...],
    schemas: Mapping[str, dict[str, Any] | None],
) -> tuple[bool, str]:
    named = [c for c in calls if c.name == check.name]
    if not named:
        others = sorted({c.name for c in calls})
        said = f"it called {', '.join(others)}" if others else "it called no function"
        return False, f"{check.name}() was not called ({said})."
    candidates = named
    if check.arguments:
        candidates = [c for c in named if _has_values(c.arguments, check.arguments)]
        if not candidates:
            got = "; ".join(c.arguments for c in named)
            return False, f"{check.name}() was called, but not with those values (got {got})."
    if check.valid_arguments:
        if check.name not in schemas:
            return False, (
                f"{check.name}() is not a function of this assistant, so its arguments "
                "cannot be checked against a schema."
            )
        problems: list[str] = []
        for call in candidates:
            found = check_arguments(call.arguments, schemas[check.name])
            if not found:
                return True, f"{check.name}({call.arguments}) with valid arguments."
            problems = found
        return False, f"{check.name}() arguments are not valid: {' '.join(problems)}"
    return True, f"{check.name}({candidates[0].arguments})."


def evaluate(
    check: Check,
    seen: RunObservation,
    function_schemas: Mapping[str, dict[str, Any] | None],
) -> CheckResult:
    """``function_schemas``: the assistant's function names → parameter schemas."""
    passed, detail = _verdict(check, seen, function_schemas)
    return CheckResult(describe_check(check), passed, detail)


def _verdict(
    check: Check, seen: RunObservation, schemas: Mapping[str, dict[str, Any] | None]
) -> tuple[bool, str]:
    answer = seen.answer
    match check:
        case AnswerContains(text=wanted, ignore_case=ignore_case):
            hay, needle = (answer.lower(), wanted.lower()) if ignore_case else (answer, wanted)
            ok = needle in hay
            return ok, ("Found." if ok else f"Not in the answer: “{_excerpt(answer)}”.")
        case AnswerMatches(pattern=pattern, ignore_case=ignore_case):
            found = re.search(pattern, answer, re.IGNORECASE if ignore_case else 0)
            if found:
                return True, f"Matched “{_excerpt(found.group(0))}”."
            return False, f"No match in the answer: “{_excerpt(answer)}”."
        case AnswerIsJson(json_schema=schema):
            value, problem = _answer_json(answer)
            if problem:
                return False, problem[0].upper() + problem[1:] + "."
            if schema is None:
                return True, "The answer is JSON."
            validator = jsonschema.validators.validator_for(schema)(schema)
            errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
            if errors:
                where = ".".join(str(p) for p in errors[0].absolute_path) or "the answer"
                return False, f"Not valid against the schema: {where}: {errors[0].message}."
            return True, "The answer is JSON valid against the schema."
        case FunctionCalled():
            return _function_called(check, seen.function_calls, schemas)
        case FunctionNotCalled(name=name):
            count = sum(1 for c in seen.function_calls if c.name == name)
            return count == 0, ("Not called." if not count else f"{name}() was called {count}×.")
        case CodeImage():
            n = len(seen.image_file_ids)
            return n > 0, (f"{n} image(s)." if n else "No image was produced.")
        case CodeFile():
            n = len(seen.file_ids)
            return n > 0, (f"{n} file(s)." if n else "No file was produced.")
        case RunCompletedCheck():
            ok = seen.status == "completed"
            why = f" {seen.failure}" if seen.failure else ""
            return ok, ("Completed." if ok else f"The run ended {seen.status}.{why}")
        case WithinSeconds(seconds=limit):
            ok = seen.duration_s <= limit
            return ok, f"Took {seen.duration_s:.1f} s (limit {limit:g} s)."
        case WithinTokens(tokens=limit):
            if seen.total_tokens is None:
                return False, "The server reported no token usage for this run."
            ok = seen.total_tokens <= limit
            return ok, f"Used {seen.total_tokens} tokens (limit {limit})."
    raise AssertionError(f"unknown check {check!r}")  # pragma: no cover - union is closed
