"""Wire objects the client needs that :mod:`playground.protocol` does not define (yet).

Small and lenient like the protocol models: the v1 file links and ``/models`` entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from ..protocol import WireModel

T = TypeVar("T")


class AssistantFile(WireModel):
    """v1 ``object: "assistant.file"``: a file attached to an assistant."""

    id: str
    object: Literal["assistant.file"] = "assistant.file"
    created_at: int = 0
    assistant_id: str = ""


class MessageFile(WireModel):
    """v1 ``object: "thread.message.file"``: a file attached to a message."""

    id: str
    object: Literal["thread.message.file"] = "thread.message.file"
    created_at: int = 0
    message_id: str = ""


class ModelInfo(WireModel):
    """One entry of ``GET /models`` (Azure adds capabilities and lifecycle fields)."""

    id: str
    object: str = "model"
    created: int | None = None
    created_at: int | None = None
    owned_by: str | None = None


@dataclass(frozen=True, slots=True)
class Fetched(Generic[T]):
    """An object plus the response headers a poller needs.

    ``poll_after_ms`` is the server's ``openai-poll-after-ms`` hint (``None`` if absent
    or not a number); ``request_id`` is for error reports.
    """

    value: T
    poll_after_ms: int | None
    request_id: str | None
