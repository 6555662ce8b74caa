"""Turning bad HTTP answers into the exceptions of :mod:`.errors`, in plain words."""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from .constants import REQUEST_ID_HEADERS
from .errors import (
    APIResponseValidationError,
    APIStatusError,
    MalformedResponseError,
    status_error_class,
)

M = TypeVar("M", bound=BaseModel)

_PHRASES = {
    400: "The server rejected the request",
    401: "The API key or sign-in was not accepted",
    403: "This key or account is not allowed to do that",
    404: "Not found",
    408: "The server gave up waiting for the request",
    409: "The object is busy or in a conflicting state",
    422: "The server could not process the request",
    429: "Too many requests, or the quota is used up",
}
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def request_id(response: httpx.Response) -> str | None:
    for name in REQUEST_ID_HEADERS:
        if value := response.headers.get(name):
            return value
    return None


def looks_like_html(response: httpx.Response, text: str) -> bool:
    content_type = response.headers.get("content-type", "").lower()
    start = text.lstrip()[:15].lower()
    return "html" in content_type or start.startswith(("<!doctype", "<html"))


def _html_summary(text: str) -> str:
    match = _TITLE.search(text)
    title = " ".join(match.group(1).split()) if match else ""
    return f' ("{title[:120]}")' if title else ""


def _preview(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _as_str(value: Any) -> str | None:
    return None if value is None else str(value)


def status_error(response: httpx.Response) -> APIStatusError:
    """The exception for a 4xx/5xx answer (the body must already be read)."""
    status = response.status_code
    phrase = _PHRASES.get(status) or (
        "The server had an internal error" if status >= 500 else "The request failed"
    )
    text = response.text
    body: Any = None
    detail: dict[str, Any] = {}
    server_message = ""
    try:
        body = json.loads(text) if text.strip() else None
    except ValueError:
        body = text
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            detail = inner
            server_message = str(inner.get("message") or "")
        elif isinstance(inner, str):
            server_message = inner
    elif isinstance(body, str) and body:
        if looks_like_html(response, body):
            server_message = (
                f"the answer was an HTML page{_html_summary(body)} instead of JSON, "
                "which usually means a proxy or gateway between you and the server failed"
            )
        else:
            server_message = _preview(body)
    message = f"{phrase} ({status})" + (f": {server_message}" if server_message else ".")
    cls = status_error_class(status)
    return cls(
        message,
        status=status,
        type=_as_str(detail.get("type")),
        param=_as_str(detail.get("param")),
        code=_as_str(detail.get("code")),
        request_id=request_id(response),
        body=body,
    )


def decode_json(response: httpx.Response) -> Any:
    """The JSON of a success answer, or :class:`MalformedResponseError` in words."""
    text = response.text
    try:
        return json.loads(text)
    except ValueError:
        pass
    if looks_like_html(response, text):
        raise MalformedResponseError(
            f"The server answered with a web page{_html_summary(text)} instead of JSON. "
            "Check the address: it may point at a proxy, a sign-in page or the wrong service.",
            body_preview=_preview(text),
        )
    if not text.strip():
        raise MalformedResponseError("The server sent an empty answer where JSON was expected.")
    raise MalformedResponseError(
        f"The server's answer is not valid JSON: {_preview(text, 120)!r}",
        body_preview=_preview(text),
    )


def validate(data: Any, model: type[M], what: str) -> M:
    """Validate JSON into ``model`` or raise :class:`APIResponseValidationError`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "the top level"
        raise APIResponseValidationError(
            f"The server's answer is not a valid {what} ({first['msg']} at {where}).",
            body=data,
        ) from exc


def parse(response: httpx.Response, model: type[M], what: str) -> M:
    return validate(decode_json(response), model, what)
