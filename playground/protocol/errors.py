"""The protocol package's exceptions and the wire error body.

Everything raised here derives from :class:`ProtocolError` (a ``ValueError``), so callers
can catch one base class and show its plain-words message.
"""

from __future__ import annotations

from pydantic import Field

from .base import WireModel


class ProtocolError(ValueError):
    """Base class for payloads that cannot be understood as Assistants wire objects."""


class StreamDecodeError(ProtocolError):
    """An SSE event's ``data`` is not JSON, or not the object its event name promises."""

    def __init__(self, event: str, data: str, reason: str) -> None:
        self.event = event
        self.data = data
        self.reason = reason
        preview = data if len(data) <= 120 else data[:117] + "..."
        super().__init__(
            f"Could not read the stream event {event!r}: {reason}. Data was: {preview!r}"
        )


class ErrorDetail(WireModel):
    """The inside of an error body: ``message`` and ``type`` plus nullable extras."""

    message: str = ""
    type: str | None = None
    param: str | None = None
    code: str | None = None


class ErrorBody(WireModel):
    """An error response: ``{"error": {message, type, param, code}}``."""

    error: ErrorDetail = Field(default_factory=ErrorDetail)


class RequestError(ProtocolError):
    """A request body the API would refuse: the plain message and OpenAI's ``param``."""

    def __init__(self, message: str, param: str | None, code: str | None) -> None:
        self.message = message
        self.param = param
        self.code = code
        super().__init__(message)
