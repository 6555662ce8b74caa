"""The message bridge: the one place user-visible errors and notices go.

View models and the task runner post here; the main window shows what arrives (status bar for
notices, a dialog or banner for errors). ``describe_exception`` turns the exception tree of
``playground.api.errors`` (and a few standard ones) into plain words. It matches on class
NAMES along the MRO, because ``ui`` must not import httpx and should not break if the api
package reorganises its modules; other packages can add entries with ``register_title``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

# Class name -> headline. The detail comes from the exception itself (api errors carry a
# plain-language ``message``). First match walking the MRO wins, so subclasses come first
# naturally.
_TITLES: dict[str, str] = {
    # playground.api.errors
    "APITimeoutError": "The server took too long to answer",
    "APIConnectionError": "Could not reach the server",
    "AuthenticationError": "The server did not accept the key or token",
    "PermissionDeniedError": "Not allowed",
    "NotFoundError": "Not found on the server",
    "ConflictError": "The server reported a conflict",
    "UnprocessableEntityError": "The server could not process the request",
    "BadRequestError": "The server refused the request",
    "RateLimitError": "Too many requests",
    "InternalServerError": "The server had a problem",
    "APIStatusError": "The server returned an error",
    "APIResponseValidationError": "The server's answer had an unexpected shape",
    "MalformedResponseError": "The server's answer could not be read",
    "StreamInterrupted": "The live stream stopped",
    "StreamError": "The live stream failed",
    "ResponseTooLargeError": "The server's answer was too large",
    # playground.runs.errors
    "CancelNotConfirmed": "The run did not confirm the cancel",
    "AssistantsError": "The request failed",
    # playground.store.errors
    "UnsafePathError": "Unsafe file name",
    "InvalidInputError": "Please check the input",
    "MissingRecordError": "Not found in the local data",
    "StoreError": "Could not use the local data",
    # standard library
    "PermissionError": "Permission denied",
    "FileNotFoundError": "File not found",
    "TimeoutError": "Timed out",
    "ConnectionError": "Connection problem",
    "OSError": "A file or system operation failed",
    "MemoryError": "Out of memory",
}
_FALLBACK_TITLE = "Something went wrong"


def register_title(class_name: str, title: str) -> None:
    """Give an exception class (by name) its own headline."""
    _TITLES[class_name] = title


@dataclass(frozen=True)
class UserMessage:
    """What a person sees for an exception: a headline and a sentence or two."""

    title: str
    detail: str


def describe_exception(exc: BaseException) -> UserMessage:
    """Plain-language text for any exception; never raises."""
    title = _FALLBACK_TITLE
    for cls in type(exc).__mro__:
        if cls.__name__ in _TITLES:
            title = _TITLES[cls.__name__]
            break
    try:
        detail = _detail(exc)
    except Exception:  # a broken __str__ must not turn one error into two
        detail = type(exc).__name__
    return UserMessage(title, detail)


def _detail(exc: BaseException) -> str:
    message = getattr(exc, "message", None)
    text = message if isinstance(message, str) and message.strip() else str(exc)
    text = text.strip() or f"{type(exc).__name__} (no further detail)."
    extras: list[str] = []
    status = getattr(exc, "status", None) or getattr(exc, "status_code", None)
    if isinstance(status, int) and str(status) not in text:
        extras.append(f"HTTP {status}")
    request_id = getattr(exc, "request_id", None)
    if isinstance(request_id, str) and request_id:
        extras.append(f"request id {request_id}")
    if extras:
        text = f"{text} ({', '.join(extras)})"
    return text


class MessageBridge(QObject):
    """Signals the window listens to; anything may post, from the Qt thread."""

    notice_posted = Signal(str)
    error_posted = Signal(str, str)  # title, detail

    def post_notice(self, text: str) -> None:
        log.info("notice: %s", text)
        self.notice_posted.emit(text)

    def post_error(self, title: str, detail: str = "") -> None:
        log.warning("error: %s — %s", title, detail)
        self.error_posted.emit(title, detail)

    def report_exception(self, exc: BaseException, *, context: str | None = None) -> UserMessage:
        """Post an exception as plain words. ``context`` names what was being done
        (e.g. "Sending the message") and leads the detail."""
        message = describe_exception(exc)
        detail = f"{context}: {message.detail}" if context else message.detail
        log.debug("reported exception", exc_info=exc)
        self.post_error(message.title, detail)
        return UserMessage(message.title, detail)
