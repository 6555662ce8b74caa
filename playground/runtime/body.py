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
from collections.abc import Iterator
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
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{},:]', re.S)
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
#: Tokens :func:`_deep_path` reads before giving up on naming the field.
_PATH_SCAN_TOKENS = 1_000_000
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
# A \uD800-\uDBFF escape not followed by a low one, or a \uDC00-\uDFFF escape not preceded
# by a high one. Only a prefilter (an escaped backslash can fake a match): a hit makes the
# parsed value be walked for the real answer.
_LONE_SURROGATE_ESCAPE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


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
    """Parse a JSON document that must be valid UTF-8, at most :data:`MAX_DEPTH` deep.

    Both checks look at the raw bytes first, at C speed, so a large ordinary body costs
    little more than ``json.loads``; only a body that may break a rule is walked in Python
    to find the ``param`` to name.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad_request(
            f"The request body is not valid UTF-8 (invalid byte at position {exc.start})."
        ) from None
    if _deeper_than(raw, MAX_DEPTH):
        raise _too_deep(_deep_path(raw))
    try:
        value = json.loads(text)
    except RecursionError:  # cannot happen below MAX_DEPTH; kept as a guard
        raise _too_deep(None) from None
    except ValueError:
        raise bad_request(
            "We could not parse the JSON body of your request. Send valid JSON "
            "with 'Content-Type: application/json'."
        ) from None
    if _LONE_SURROGATE_ESCAPE.search(raw):
        _check(value)
    return value


def _deeper_than(raw: bytes, limit: int) -> bool:
    """Whether the brackets outside strings nest deeper than ``limit``.

    Each pass removes the innermost pairs, exactly one level;
    a body still holding brackets after ``limit`` passes is too deep.
    """
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    for _ in range(limit):
        # The placeholder keeps "{[]}" from losing two levels in one pass.
        brackets = brackets.replace(b"[]", b"x").replace(b"{}", b"x").replace(b"x", b"")
        if not brackets:
            return False
    return True


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


def _children(item: dict[str, object] | list[object]) -> Iterator[tuple[str | int, object]]:
    return iter(item.items()) if isinstance(item, dict) else enumerate(item)


def _format(steps: list[str | int]) -> str:
    path = ""
    for step in steps:
        path = _join(path, step)
    return path


def _check(value: object) -> None:
    """Walk the parsed body for depth and unpaired surrogates.

    Depth-first with one iterator per open container, so the walk needs memory for the
    nesting depth only (at most :data:`MAX_DEPTH`), however many items the body holds.
    """
    if isinstance(value, str):
        if _SURROGATE.search(value):
            raise _bad_text("")
        return
    if not isinstance(value, dict | list):
        return
    path: list[str | int] = []
    stack = [_children(value)]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            if path:
                path.pop()
            continue
        key, child = entry
        if isinstance(key, str) and _SURROGATE.search(key):
            # Name the object, not the key: the key itself cannot be written as UTF-8.
            raise _bad_text(_format([*path, "<key>"]))
        if isinstance(child, str):
            if _SURROGATE.search(child):
                raise _bad_text(_format([*path, key]))
        elif isinstance(child, dict | list):
            if len(stack) >= MAX_DEPTH:
                raise _too_deep(_short(_format([*path, key])))
            path.append(key)
            stack.append(_children(child))


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
    for count, match in enumerate(_TOKEN.finditer(raw)):
        if count > _PATH_SCAN_TOKENS:
            return None
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
            try:
                key = str(json.loads(token))
            except ValueError:
                key = "?"
            expecting_key = False
    steps = stack[1:5]
    path = ""
    for step in steps:
        path = _join(path, step)
    return (path + ("..." if len(stack) > 5 else "")) or None
