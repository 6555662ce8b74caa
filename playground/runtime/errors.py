"""The one error type the routes raise, and its OpenAI-shaped JSON body.

Every failure a client can see goes through ``ApiError`` so the body is always
``{"error": {"message", "type", "param", "code"}}`` — the shape every Assistants SDK
parses — instead of Starlette's plain-text or HTML defaults.
"""

from __future__ import annotations

import errno
import re
import sqlite3
from pathlib import PurePath
from typing import Any

from starlette.responses import JSONResponse

_TYPE_FOR_STATUS = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    403: "invalid_request_error",
    404: "invalid_request_error",
    405: "invalid_request_error",
    409: "invalid_request_error",
    413: "invalid_request_error",
    415: "invalid_request_error",
    429: "rate_limit_exceeded",
}


class ApiError(Exception):
    """A client-visible failure with an HTTP status and the OpenAI error fields."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.headers = headers
        self.status = status
        self.message = message
        self.param = param
        self.code = code
        self.type = type or _TYPE_FOR_STATUS.get(status, "server_error")

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


_NOUNS = {
    "assistant": "assistant",
    "thread": "thread",
    "message": "message",
    "run": "run",
    "step": "run step",
    "file": "file",
    "vector_store": "vector store",
    "vector_store_file": "vector store file",
    "file_batch": "file batch",
}


def not_found(kind: str, object_id: str, *, param: str | None = None) -> ApiError:
    """404 worded like OpenAI: "No assistant found with id 'asst_x'."."""
    noun = _NOUNS.get(kind, kind)
    return ApiError(404, f"No {noun} found with id '{object_id}'.", param=param)


def bad_request(message: str, *, param: str | None = None, code: str | None = None) -> ApiError:
    """400 for a body or query the server cannot accept."""
    return ApiError(400, message, param=param, code=code)


# An absolute POSIX or Windows path inside a message, up to a quote or whitespace.
_ABSOLUTE_PATH = re.compile(r"(?<![\w.~-])(?:[A-Za-z]:)?[/\\][^\s'\"]*[/\\][^\s'\"]*")


def public_reason(exc: BaseException) -> str:
    """``exc`` in words a client may see: no absolute server paths, never empty.

    An ``OSError`` shows its reason and the last part of the file name; any other message
    has absolute paths cut down to their last component.
    """
    if isinstance(exc, OSError) and exc.strerror:
        name = PurePath(str(exc.filename)).name if exc.filename else ""
        return f"{exc.strerror} ({name!r})" if name else exc.strerror
    return public_text(str(exc)) or type(exc).__name__


def public_text(text: str) -> str:
    """``text`` with every absolute path cut down to its last component.

    For messages built from what the server found (a probe's stderr, a child's error)
    before they reach a client or the model: the folder layout of the server is not theirs.
    """
    return _ABSOLUTE_PATH.sub(
        lambda m: m.group().replace("\\", "/").rsplit("/", 1)[-1], text
    ).strip()


DISK_FULL_MESSAGE = (
    "The server's disk is full, so nothing new can be saved. Delete files, vector stores or "
    "threads you no longer need (deleting still works), or free space on the disk that "
    "holds the server's data folder, then try again."
)
_SQLITE_FULL = 13


class DiskFull(ApiError):
    """A write failed for lack of disk space: 507, and SDKs are told not to retry."""

    def __init__(self) -> None:
        super().__init__(
            507,
            DISK_FULL_MESSAGE,
            code="disk_full",
            type="server_error",
            headers={"x-should-retry": "false"},
        )


def is_disk_full(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) is ENOSPC/EDQUOT or SQLite's SQLITE_FULL."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DiskFull):
            return True
        if isinstance(current, OSError) and current.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if isinstance(current, sqlite3.Error) and (
            getattr(current, "sqlite_errorcode", None) == _SQLITE_FULL
            or "database or disk is full" in str(current)
        ):
            return True
        current = current.__cause__ or current.__context__
    return False
