"""The message bridge: the one place user-visible errors and notices go.

View models and the task runner post here; the main window shows what arrives (status bar for
notices, a dialog or banner for errors). ``describe_exception`` turns the exception tree of
``playground.api.errors`` (and the run driver's, the store's and a few standard ones) into
plain words, matching on the CLASSES along the MRO, so a renamed or moved exception fails the
type check instead of silently losing its headline. Those packages are imported on the first
exception, not with this module: the window paints before they load. The composition root
adds its own classes with ``register_title``.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

#: Headlines added by the composition root (its own exception classes); checked first.
_REGISTERED: dict[type[BaseException], str] = {}
_FALLBACK_TITLE = "Something went wrong"


@functools.cache
def _titles() -> dict[type[BaseException], str]:
    """Class -> headline. The detail comes from the exception itself (api errors carry a
    plain-language ``message``). First match walking the MRO wins, so subclasses come first
    naturally."""
    from playground.api import errors as api
    from playground.runs import errors as runs
    from playground.store import errors as store

    return {
        api.APITimeoutError: "The server took too long to answer",
        api.APIConnectionError: "Could not reach the server",
        api.AuthenticationError: "The server did not accept the key or token",
        api.PermissionDeniedError: "Not allowed",
        api.NotFoundError: "Not found on the server",
        api.ConflictError: "The server reported a conflict",
        api.UnprocessableEntityError: "The server could not process the request",
        api.BadRequestError: "The server refused the request",
        api.RateLimitError: "Too many requests",
        api.InternalServerError: "The server had a problem",
        api.APIStatusError: "The server returned an error",
        api.APIResponseValidationError: "The server's answer had an unexpected shape",
        api.MalformedResponseError: "The server's answer could not be read",
        api.StreamInterrupted: "The live stream stopped",
        api.StreamError: "The live stream failed",
        api.ResponseTooLargeError: "The server's answer was too large",
        api.ConfigurationError: "The connection settings are not usable",
        api.AssistantsError: "The request failed",
        runs.CancelNotConfirmed: "The run did not confirm the cancel",
        store.UnsafePathError: "Unsafe file name",
        store.InvalidInputError: "Please check the input",
        store.MissingRecordError: "Not found in the local data",
        store.StoreError: "Could not use the local data",
        PermissionError: "Permission denied",
        FileNotFoundError: "File not found",
        TimeoutError: "Timed out",
        ConnectionError: "Connection problem",
        OSError: "A file or system operation failed",
        MemoryError: "Out of memory",
    }


def register_title(exc_type: type[BaseException], title: str) -> None:
    """Give an exception class its own headline (a class, never a name: a name silently
    stops matching when the class is renamed)."""
    _REGISTERED[exc_type] = title


def title_for(exc_type: type[BaseException]) -> str | None:
    """The headline of the nearest class along the MRO that has one (None: the fallback)."""
    titles = _titles()
    for cls in exc_type.__mro__:
        found = _REGISTERED.get(cls) or titles.get(cls)
        if found:
            return found
    return None


@dataclass(frozen=True)
class UserMessage:
    """What a person sees for an exception: a headline and a sentence or two."""

    title: str
    detail: str


def describe_exception(exc: BaseException) -> UserMessage:
    """Plain-language text for any exception; never raises."""
    try:
        title = title_for(type(exc)) or _FALLBACK_TITLE
    except Exception:  # describing must never raise, even if an import failed
        log.exception("Could not look up the headline of %s", type(exc).__name__)
        title = _FALLBACK_TITLE
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
