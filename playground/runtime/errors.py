"""The one error type the routes raise, and its OpenAI-shaped JSON body.

Every failure a client can see goes through ``ApiError`` so the body is always
``{"error": {"message", "type", "param", "code"}}`` — the shape every Assistants SDK
parses — instead of Starlette's plain-text or HTML defaults.
"""

from __future__ import annotations

import re
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
    ) -> None:
        super().__init__(message)
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
        return JSONResponse(self.body(), status_code=self.status)


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
_ABSOLUTE_PATH = re.compile(r"(?:[A-Za-z]:)?[/\\][^\s'\"]*[/\\][^\s'\"]*")


def public_reason(exc: BaseException) -> str:
    """``exc`` in words a client may see: no absolute server paths, never empty.

    An ``OSError`` shows its reason and the last part of the file name; any other message
    has absolute paths cut down to their last component.
    """
    if isinstance(exc, OSError) and exc.strerror:
        name = PurePath(str(exc.filename)).name if exc.filename else ""
        return f"{exc.strerror} ({name!r})" if name else exc.strerror
    text = _ABSOLUTE_PATH.sub(lambda m: m.group().replace("\\", "/").rsplit("/", 1)[-1], str(exc))
    return text.strip() or type(exc).__name__
