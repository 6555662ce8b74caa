"""Reading a JSON request body within limits: size, nesting depth, valid Unicode.

Without these, a 500 MB body sent chunked grew the server by 1.5 GB, 100 000 nested arrays
ended in ``RecursionError`` (a 500), and a lone surrogate (``"\\ud800"``) was accepted and
then broke the SQLite write. Each is now refused before any route sees the body:

* 413 once the body passes the cap, decided from ``Content-Length`` up front or, for a
  chunked body, as soon as the bytes read pass it (the rest is never read);
* 400 with ``param`` for nesting deeper than :data:`MAX_DEPTH` and for text that is not
  valid Unicode.
"""

from __future__ import annotations

import json
import re
from typing import Final

from starlette.requests import Request

from .errors import ApiError, bad_request

DEFAULT_MAX_BODY_BYTES: Final = 32 * 1024 * 1024
#: Deeper than any real request (tool schemas nest perhaps 20 levels), far below the
#: recursion limit that used to turn deep bodies into 500s.
MAX_DEPTH: Final = 64


class _NoBody:
    """The type of :data:`NO_BODY`."""

    def __repr__(self) -> str:
        return "NO_BODY"


#: What :func:`read_json_body` returns for an empty (or all-whitespace) body.
NO_BODY: Final = _NoBody()

_SURROGATE = re.compile("[\ud800-\udfff]")
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{},:]', re.S)


def max_body_bytes(request: Request) -> int:
    """The configured cap (``app.state.max_body_bytes``, set from ``--max-body-bytes``)."""
    value = getattr(request.app.state, "max_body_bytes", None)
    return value if isinstance(value, int) and value > 0 else DEFAULT_MAX_BODY_BYTES


def too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        f"The request body is too large: this server accepts JSON bodies up to {limit} bytes.",
        code="request_too_large",
    )


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refusing (413) as soon as it is known to pass ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    received = bytearray()
    async for piece in request.stream():
        received += piece
        if len(received) > limit:
            raise too_large(limit)
    return bytes(received)


async def read_json_body(request: Request) -> object:
    """The parsed JSON body, or :data:`NO_BODY` when it is empty; 400/413 when unacceptable."""
    raw = await read_body(request, max_body_bytes(request))
    if not raw.strip():
        return NO_BODY
    return parse_json(raw)


def parse_json(raw: bytes) -> object:
    """Parse a JSON document that must be valid UTF-8, at most :data:`MAX_DEPTH` deep."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad_request(
            f"The request body is not valid UTF-8 (invalid byte at position {exc.start})."
        ) from None
    try:
        value = json.loads(text)
    except RecursionError:
        raise _too_deep(_deep_path(raw)) from None
    except ValueError:
        raise bad_request(
            "We could not parse the JSON body of your request. Send valid JSON "
            "with 'Content-Type: application/json'."
        ) from None
    _check(value)
    return value


def _too_deep(param: str | None) -> ApiError:
    return bad_request(
        f"The JSON body is nested more than {MAX_DEPTH} levels deep.",
        param=param,
        code="invalid_value",
    )


def _join(path: str, step: str | int) -> str:
    if isinstance(step, int):
        return f"{path}[{step}]"
    return f"{path}.{step}" if path else step


def _check(value: object) -> None:
    """Walk the parsed body (iteratively) for depth and for unpaired surrogates."""
    pending: list[tuple[object, str, int]] = [(value, "", 0)]
    while pending:
        item, path, depth = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise _bad_text(path)
            continue
        if not isinstance(item, dict | list):
            continue
        if depth >= MAX_DEPTH:
            raise _too_deep(_short(path))
        if isinstance(item, dict):
            for key, child in item.items():
                if _SURROGATE.search(key):
                    raise _bad_text(_join(path, "<key>"))
                pending.append((child, _join(path, key), depth + 1))
        else:
            pending.extend((child, _join(path, i), depth + 1) for i, child in enumerate(item))


def _bad_text(path: str) -> ApiError:
    return bad_request(
        f"Invalid text in '{path or 'body'}': it contains an unpaired UTF-16 surrogate "
        "(such as \\ud800), which is not valid Unicode.",
        param=path or None,
        code="invalid_value",
    )


def _short(path: str) -> str:
    """The first few steps of a very deep path: enough to find the field."""
    steps = re.findall(r"\[\d+\]|[^.\[]+", path)
    shown = ""
    for step in steps[:4]:
        shown = shown + step if step.startswith("[") else _join(shown, step)
    return shown + ("..." if len(steps) > 4 else "")


def _deep_path(raw: bytes) -> str | None:
    """Where a body too deep for the parser first passes :data:`MAX_DEPTH` (its first steps)."""
    stack: list[str | int] = []
    key: str | int = 0
    expecting_key = False
    for match in _TOKEN.finditer(raw):
        token = match.group()
        if token in (b"[", b"{"):
            stack.append(key)
            if len(stack) > MAX_DEPTH:
                break
            key, expecting_key = 0, token == b"{"
        elif token in (b"]", b"}"):
            key = stack.pop() if stack else 0
            expecting_key = False
        elif token == b",":
            if isinstance(key, int):
                key += 1
            else:
                expecting_key = True
        elif token != b":" and expecting_key:
            key, expecting_key = json.loads(token), False
    steps = stack[1:5]
    path = ""
    for step in steps:
        path = _join(path, step)
    return (path + ("..." if len(stack) > 5 else "")) or None
