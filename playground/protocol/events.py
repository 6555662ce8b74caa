"""Server-sent stream events: names, their data types, and a tolerant parser.

``parse_stream_event`` turns one SSE record (``event`` name + joined ``data``) into a
typed event. Unknown event names become :class:`UnknownEvent` (the spec reserves the
right to add events); data that is not JSON or does not fit its event's type raises
:class:`~playground.protocol.errors.StreamDecodeError`. Known data types are validated
straight from the JSON text, which is pydantic's fastest path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeAlias

from pydantic import BaseModel, ValidationError

from .deltas import MessageDelta, RunStepDelta
from .errors import ErrorDetail, StreamDecodeError
from .message import Message
from .run import Run
from .run_step import RunStep
from .sse import encode_event
from .thread import Thread

RUN_EVENTS: Final = tuple(
    f"thread.run.{s}"
    for s in (
        "created",
        "queued",
        "in_progress",
        "requires_action",
        "completed",
        "incomplete",
        "failed",
        "cancelling",
        "cancelled",
        "expired",
    )
)
RUN_STEP_EVENTS: Final = tuple(
    f"thread.run.step.{s}"
    for s in ("created", "in_progress", "completed", "failed", "cancelled", "expired")
)
MESSAGE_EVENTS: Final = tuple(
    f"thread.message.{s}" for s in ("created", "in_progress", "completed", "incomplete")
)

KnownEventName = Literal[
    "thread.created",
    "thread.run.created",
    "thread.run.queued",
    "thread.run.in_progress",
    "thread.run.requires_action",
    "thread.run.completed",
    "thread.run.incomplete",
    "thread.run.failed",
    "thread.run.cancelling",
    "thread.run.cancelled",
    "thread.run.expired",
    "thread.run.step.created",
    "thread.run.step.in_progress",
    "thread.run.step.delta",
    "thread.run.step.completed",
    "thread.run.step.failed",
    "thread.run.step.cancelled",
    "thread.run.step.expired",
    "thread.message.created",
    "thread.message.in_progress",
    "thread.message.delta",
    "thread.message.completed",
    "thread.message.incomplete",
    "error",
    "done",
]

#: Which model each event's ``data`` is (``error`` and ``done`` are handled apart).
EVENT_DATA_TYPES: Final[dict[str, type[BaseModel]]] = {
    "thread.created": Thread,
    **{name: Run for name in RUN_EVENTS},
    **{name: RunStep for name in RUN_STEP_EVENTS},
    "thread.run.step.delta": RunStepDelta,
    **{name: Message for name in MESSAGE_EVENTS},
    "thread.message.delta": MessageDelta,
}


@dataclass(frozen=True, slots=True)
class ThreadEvent:
    event: str
    data: Thread


@dataclass(frozen=True, slots=True)
class RunEvent:
    """Any ``thread.run.*`` event; the status is in ``data.status``."""

    event: str
    data: Run


@dataclass(frozen=True, slots=True)
class RunStepEvent:
    event: str
    data: RunStep


@dataclass(frozen=True, slots=True)
class RunStepDeltaEvent:
    event: str
    data: RunStepDelta


@dataclass(frozen=True, slots=True)
class MessageEvent:
    event: str
    data: Message


@dataclass(frozen=True, slots=True)
class MessageDeltaEvent:
    event: str
    data: MessageDelta


@dataclass(frozen=True, slots=True)
class ErrorEvent:
    """``event: error``; ``data`` may be ``{"error": {...}}`` or a bare error object."""

    event: str
    data: ErrorDetail


@dataclass(frozen=True, slots=True)
class DoneEvent:
    """``event: done`` / ``data: [DONE]``: the stream is over."""

    event: str = "done"
    data: str = "[DONE]"


@dataclass(frozen=True, slots=True)
class UnknownEvent:
    """An event name this version does not know; ``data`` is the parsed JSON or raw text."""

    event: str
    data: Any
    raw: str


StreamEvent: TypeAlias = (
    ThreadEvent
    | RunEvent
    | RunStepEvent
    | RunStepDeltaEvent
    | MessageEvent
    | MessageDeltaEvent
    | ErrorEvent
    | DoneEvent
    | UnknownEvent
)

_WRAPPERS: Final[dict[type[BaseModel], type[Any]]] = {
    Thread: ThreadEvent,
    Run: RunEvent,
    RunStep: RunStepEvent,
    RunStepDelta: RunStepDeltaEvent,
    Message: MessageEvent,
    MessageDelta: MessageDeltaEvent,
}


def _describe(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    where = ".".join(str(p) for p in first["loc"]) or "the top level"
    return f"{first['msg']} at {where}"


def _parse_error(event: str, data: str) -> ErrorEvent:
    try:
        payload = json.loads(data)
    except ValueError:
        # Some servers send a plain-text reason; keep it readable rather than fail.
        return ErrorEvent(event, ErrorDetail(message=data.strip() or "Unknown stream error"))
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        payload = payload["error"]
    elif isinstance(payload, dict) and isinstance(payload.get("error"), str):
        payload = {**payload, "message": payload["error"]}
        del payload["error"]
    if not isinstance(payload, dict):
        return ErrorEvent(event, ErrorDetail(message=str(payload)))
    try:
        return ErrorEvent(event, ErrorDetail.model_validate(payload))
    except ValidationError as exc:
        raise StreamDecodeError(event, data, _describe(exc)) from exc


def parse_stream_event(event: str, data: str) -> StreamEvent:
    """Turn one SSE record into a typed event.

    Raises :class:`StreamDecodeError` when the data of a known event is not JSON or not
    the promised object; never raises for unknown event names or unknown fields.
    """
    if event == "done" or (not event and data.startswith("[DONE]")):
        return DoneEvent(event or "done", data)
    if event == "error":
        return _parse_error(event, data)
    model = EVENT_DATA_TYPES.get(event)
    if model is None:
        try:
            parsed: Any = json.loads(data)
        except ValueError:
            parsed = data
        return UnknownEvent(event, parsed, data)
    try:
        obj = model.model_validate_json(data)
    except ValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors(include_url=False)):
            raise StreamDecodeError(event, data, "the data is not valid JSON") from exc
        raise StreamDecodeError(event, data, _describe(exc)) from exc
    wrapper: Any = _WRAPPERS[model]
    result: StreamEvent = wrapper(event, obj)
    return result


#: The one SSE encoder (kept under its old name for servers and tests).
encode_stream_event = encode_event
