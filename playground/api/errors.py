"""The client's one exception tree.

::

    AssistantsError                      anything this package raises
    ├── APIConnectionError               no usable answer reached us
    │   └── APITimeoutError
    ├── APIStatusError                   the server answered 4xx/5xx
    │   ├── BadRequestError (400)    ├── AuthenticationError (401)
    │   ├── PermissionDeniedError (403)  ├── NotFoundError (404)
    │   ├── ConflictError (409)      ├── UnprocessableEntityError (422)
    │   ├── RateLimitError (429)     └── InternalServerError (>= 500)
    ├── APIResponseValidationError       200, but not the object we asked for
    ├── MalformedResponseError           200, but not JSON (e.g. a proxy's HTML page)
    ├── ResponseTooLargeError            an answer larger than the client reads
    ├── UnsupportedFeatureError          this server/dialect cannot do that
    ├── ConfigurationError               a connection setting is unusable (also ValueError)
    ├── InvalidRequestError              arguments rejected before sending (also ValueError)
    └── StreamError                      a run stream went wrong after it started
        ├── StreamInterrupted            ended or dropped without ``done``
        ├── StreamEventError             the server sent ``event: error``
        └── StreamDecodeFailed           an event could not be read

Every exception has ``message``: one plain-words sentence the UI can show as is. The UI
catches the few base classes; the run driver catches :class:`StreamError` subclasses
(they carry the last run id seen) to fall back to polling.
"""

from __future__ import annotations

from typing import Any

from ..protocol import ErrorDetail


class AssistantsError(Exception):
    """Base of everything this client raises; ``message`` is fit to show a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class APIConnectionError(AssistantsError):
    """The request failed without an HTTP answer (DNS, refused, reset, TLS...).

    ``request_may_have_succeeded`` is true when the request had been sent before the
    failure, so a create may have happened on the server.
    """

    def __init__(self, message: str, *, request_may_have_succeeded: bool = False) -> None:
        super().__init__(message)
        self.request_may_have_succeeded = request_may_have_succeeded


class APITimeoutError(APIConnectionError):
    """The server did not answer in time."""


class APIStatusError(AssistantsError):
    """The server answered with an error status; fields come from its error body."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        type: str | None = None,
        param: str | None = None,
        code: str | None = None,
        request_id: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.type = type
        self.param = param
        self.code = code
        self.request_id = request_id
        self.body = body


class BadRequestError(APIStatusError):
    """400: the server rejected the request as written."""


class AuthenticationError(APIStatusError):
    """401: the key or token is missing, wrong or expired."""


class PermissionDeniedError(APIStatusError):
    """403: the credentials are valid but not allowed to do this."""


class NotFoundError(APIStatusError):
    """404: no such object (or no such endpoint on this server)."""


class ConflictError(APIStatusError):
    """409: the object is busy or in the wrong state."""


class UnprocessableEntityError(APIStatusError):
    """422: the request was well-formed but could not be processed."""


class RateLimitError(APIStatusError):
    """429: too many requests, or the quota is used up."""


class InternalServerError(APIStatusError):
    """500 and above: the server (or a gateway in front of it) failed."""


class APIResponseValidationError(AssistantsError):
    """A success status with JSON that is not the object that endpoint returns."""

    def __init__(self, message: str, *, body: Any = None) -> None:
        super().__init__(message)
        self.body = body


class MalformedResponseError(AssistantsError):
    """A success status whose body is not JSON at all."""

    def __init__(self, message: str, *, body_preview: str = "") -> None:
        super().__init__(message)
        self.body_preview = body_preview


class ResponseTooLargeError(AssistantsError):
    """The server's answer was larger than the client reads (see ``MAX_RESPONSE_BYTES``)."""

    def __init__(self, message: str, *, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


class UnsupportedFeatureError(AssistantsError):
    """The chosen server or API version does not offer this operation."""


class StreamError(AssistantsError):
    """A run stream failed after it started; ``run_id``/``thread_id`` are the last seen."""

    def __init__(
        self, message: str, *, run_id: str | None = None, thread_id: str | None = None
    ) -> None:
        super().__init__(message)
        self.run_id = run_id
        self.thread_id = thread_id


class StreamInterrupted(StreamError):
    """The stream ended or dropped before ``done``; poll the run to learn how it ended."""


class StreamEventError(StreamError):
    """The server reported an error inside the stream (``event: error``)."""

    def __init__(
        self,
        message: str,
        *,
        detail: ErrorDetail,
        run_id: str | None = None,
        thread_id: str | None = None,
    ) -> None:
        super().__init__(message, run_id=run_id, thread_id=thread_id)
        self.detail = detail


class StreamDecodeFailed(StreamError):
    """An event in the stream could not be read as the object its name promises."""


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status: int) -> type[APIStatusError]:
    """The exception class for an HTTP status (``APIStatusError`` for unlisted ones)."""
    if status >= 500:
        return InternalServerError
    return _STATUS_CLASSES.get(status, APIStatusError)


class ConfigurationError(AssistantsError, ValueError):
    """A connection setting is unusable (bad URL, unknown api-version, no credentials)."""


class InvalidRequestError(AssistantsError, ValueError):
    """Arguments that cannot make a valid request; caught before anything is sent."""
