"""Helpers behind the requires_action prompt: check arguments, check outputs, compute
outputs automatically (canned text, or a local Python function in a separate process).

Every problem comes back as a plain-language sentence the prompt shows next to the call;
nothing here raises on bad input except :func:`run_local_python`, whose
:class:`~.errors.LocalFunctionError` carries such a sentence in ``message``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import SchemaError, ValidationError
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource, Unresolvable

from .constants import LOCAL_PYTHON_TIMEOUT_S, OUTPUT_WARN_CHARS
from .errors import LocalFunctionError
from .limited import LimitedWorkError, run_limited

_WORKER = Path(__file__).with_name("_local_call.py")

_JSON_TYPES = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "true/false",
    int: "a number",
    float: "a number",
    type(None): "null",
}


def _json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _where(error: ValidationError) -> str:
    path = ".".join(str(p) for p in error.absolute_path)
    return f"“{path}”" if path else "The arguments"


def _describe(error: ValidationError) -> str:
    """One validation error in plain words (common cases spelled out, the rest as given)."""
    where = _where(error)
    keyword, expected = error.validator, error.validator_value
    if keyword == "required":
        missing = [
            name
            for name in expected or []
            if isinstance(error.instance, dict) and name not in error.instance
        ]
        if missing:
            names = ", ".join(f"“{n}”" for n in missing)
            return f"{where}: missing required argument {names}."
    if keyword == "type":
        wanted = expected if isinstance(expected, str) else " or ".join(map(str, expected))
        return f"{where} should be {wanted}, not {_json_type(error.instance)}."
    if keyword == "enum":
        options = ", ".join(json.dumps(o) for o in expected or [])
        return f"{where} must be one of: {options} (got {json.dumps(error.instance)})."
    if keyword == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set((error.schema or {}).get("properties", {}))
        extra = sorted(set(error.instance) - allowed)
        if extra:
            return f"{where}: unexpected argument " + ", ".join(f"“{n}”" for n in extra) + "."
    return f"{where}: {error.message}."


def check_arguments(raw: str, schema: Mapping[str, Any] | None) -> list[str]:
    """Problems with a call's ``arguments`` JSON against the function's parameter schema.

    An empty list means the arguments look right. ``schema`` None (unknown function)
    checks only that the arguments are a JSON object.
    """
    text = (raw or "").strip()
    if not text:
        return ["The model sent no arguments (an empty string instead of a JSON object)."]
    try:
        arguments = json.loads(text)
    except ValueError as exc:
        return [f"The arguments are not valid JSON ({exc})."]
    if not isinstance(arguments, dict):
        return [f"The arguments should be a JSON object, not {_json_type(arguments)}."]
    if not schema:
        return []
    try:
        validator_class = jsonschema.validators.validator_for(
            schema, default=jsonschema.Draft202012Validator
        )
        validator_class.check_schema(schema)
    except SchemaError as exc:
        return [
            f"The function's parameter schema is itself invalid, so nothing was checked: {exc.message}."
        ]
    validator = validator_class(schema, registry=_LOCAL_ONLY)
    try:
        errors = sorted(validator.iter_errors(arguments), key=lambda e: list(e.absolute_path))
    except Unresolvable as exc:
        return [
            "The function's parameter schema refers to another document "
            f"({exc.ref if hasattr(exc, 'ref') else exc}), which is never fetched, so the "
            "arguments were not checked."
        ]
    return [_describe(e) for e in errors]


def _refuse(uri: str) -> Resource[Any]:
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]  # attrs field, mypy misses it


#: Resolves ``$ref`` only inside the schema itself: never a URL, never a ``file://`` path
#: (jsonschema would otherwise fetch ``http://…`` refs, on the UI thread).
_LOCAL_ONLY: Registry[Any] = Registry(retrieve=_refuse)  # type: ignore[call-arg]

#: Schemas with these keywords can hang ``re`` (``^(a+)+$``): checked in a child process.
_REGEX_KEYWORDS = ('"pattern"', '"patternProperties"')
#: Limits of that child.
CHECK_TIME_S = 5.0
CHECK_MEMORY_BYTES = 512 * 1024 * 1024


async def check_arguments_bounded(
    raw: str, schema: Mapping[str, Any] | None, *, time_s: float = CHECK_TIME_S
) -> list[str]:
    """:func:`check_arguments`, in a time- and memory-limited child when the schema
    has regular expressions (which Python cannot interrupt), in-process otherwise."""
    text = json.dumps(schema) if schema else ""
    if not any(keyword in text for keyword in _REGEX_KEYWORDS):
        return check_arguments(raw, schema)
    payload = json.dumps({"raw": raw, "schema": schema}).encode()
    try:
        out = await run_limited(
            "playground.runs.schema_child",
            payload,
            time_s=time_s,
            memory_bytes=CHECK_MEMORY_BYTES,
        )
    except LimitedWorkError as exc:
        return [f"The arguments could not be checked against the schema: {exc.message}."]
    problems = json.loads(out)
    return [str(p) for p in problems] if isinstance(problems, list) else []


def check_output(text: str) -> list[str]:
    """Warnings about an output before it is sent; plain text is fine, so these never block."""
    warnings: list[str] = []
    stripped = (text or "").strip()
    if not stripped:
        warnings.append("The output is empty; the model will receive an empty result.")
        return warnings
    if stripped[0] in '{["' or stripped in ("true", "false", "null"):
        try:
            json.loads(stripped)
        except ValueError as exc:
            warnings.append(
                f"The output looks like JSON but is not valid JSON ({exc}); "
                "it will be sent as plain text."
            )
    if len(text) > OUTPUT_WARN_CHARS:
        warnings.append(
            f"The output is very long ({len(text):,} characters); the server may reject or cut it."
        )
    return warnings


def parse_arguments(raw: str) -> dict[str, Any]:
    """A call's arguments as keyword arguments, or :class:`LocalFunctionError`."""
    text = (raw or "").strip() or "{}"
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise LocalFunctionError(f"The arguments are not valid JSON ({exc}).") from None
    if not isinstance(value, dict):
        raise LocalFunctionError(f"The arguments should be a JSON object, not {_json_type(value)}.")
    return value


def _existing_file(python_path: str | Path) -> Path:
    """The absolute path of the function's file (a quick local stat, fine on the loop)."""
    path = Path(python_path).expanduser().resolve()
    if not path.is_file():
        raise LocalFunctionError(f"The file {path} does not exist.")
    return path


async def run_local_python(
    python_path: str | Path,
    callable_name: str,
    raw_arguments: str,
    *,
    timeout_s: float = LOCAL_PYTHON_TIMEOUT_S,
) -> str:
    """Call ``callable_name(**arguments)`` from the .py file in a separate process.

    A separate process because the code is the person's own: it may block, crash or
    leak, and must not take the playground (or its event loop) down with it. Returns the
    result as text (strings as is, anything else JSON, or ``str()`` if not JSON-able).
    """
    path = _existing_file(python_path)
    if not callable_name.isidentifier():
        raise LocalFunctionError(f"“{callable_name}” is not a valid Python function name.")
    kwargs = parse_arguments(raw_arguments)
    request = json.dumps({"path": str(path), "callable": callable_name, "kwargs": kwargs}).encode()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-s",
        str(_WORKER),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=str(path.parent),
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(request), timeout_s)
    except TimeoutError:
        raise LocalFunctionError(
            f"{callable_name}() did not finish within {timeout_s:g} seconds and was stopped."
        ) from None
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    try:
        answer = json.loads(stdout.decode("utf-8", "replace"))
    except ValueError:
        tail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no details"]
        raise LocalFunctionError(
            f"{callable_name}() ended the process without an answer "
            f"(exit code {process.returncode}): {tail[0]}"
        ) from None
    if not answer.get("ok"):
        raise LocalFunctionError(str(answer.get("error") or "The local function failed."))
    return str(answer.get("output", ""))
