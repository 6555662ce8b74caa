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

from ..sandbox.limited import LimitedWorkError, run_limited
from ..sandbox.schema_check import _json_type, check_arguments
from .constants import LOCAL_PYTHON_TIMEOUT_S, OUTPUT_WARN_CHARS
from .errors import LocalFunctionError

_WORKER = Path(__file__).with_name("_local_call.py")

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
            "playground.sandbox.schema_check",
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
