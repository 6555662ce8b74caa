"""Stream event parsing: every name maps to its type; bad data fails clearly."""

from __future__ import annotations

import json
from typing import Any, get_args

import pytest
from pydantic import BaseModel

from playground.protocol import (
    EVENT_DATA_TYPES,
    DoneEvent,
    ErrorEvent,
    KnownEventName,
    Message,
    MessageDeltaEvent,
    MessageEvent,
    Run,
    RunEvent,
    RunStepDeltaEvent,
    RunStepEvent,
    StreamDecodeError,
    Thread,
    ThreadEvent,
    UnknownEvent,
    encode_stream_event,
    parse_stream_event,
)
from tests.protocol.spec_examples import iter_sse

RUN = {"id": "run_1", "object": "thread.run", "status": "in_progress", "thread_id": "t"}
STEP = {
    "id": "step_1",
    "object": "thread.run.step",
    "type": "message_creation",
    "status": "in_progress",
    "step_details": {"type": "message_creation", "message_creation": {"message_id": "m"}},
}
MESSAGE = {"id": "msg_1", "object": "thread.message", "role": "assistant", "content": []}
SAMPLES: dict[str, tuple[dict[str, Any], type]] = {
    "thread.created": ({"id": "thread_1", "object": "thread", "enabled": True}, ThreadEvent),
    "thread.run.step.delta": (
        {"id": "step_1", "object": "thread.run.step.delta", "delta": {}},
        RunStepDeltaEvent,
    ),
    "thread.message.delta": (
        {"id": "msg_1", "object": "thread.message.delta", "delta": {"content": []}},
        MessageDeltaEvent,
    ),
}


def sample_for(name: str) -> tuple[dict[str, Any], type]:
    if name in SAMPLES:
        return SAMPLES[name]
    if name.startswith("thread.run.step."):
        return STEP, RunStepEvent
    if name.startswith("thread.run."):
        return RUN, RunEvent
    return MESSAGE, MessageEvent


DATA_EVENTS = [n for n in get_args(KnownEventName) if n not in ("error", "done")]


def test_catalogue_covers_every_documented_event() -> None:
    assert set(DATA_EVENTS) == set(EVENT_DATA_TYPES)
    assert len(DATA_EVENTS) == 23


@pytest.mark.parametrize("name", DATA_EVENTS)
def test_each_event_parses_to_its_type(name: str) -> None:
    payload, wrapper = sample_for(name)
    event = parse_stream_event(name, json.dumps(payload))
    assert type(event) is wrapper
    assert event.event == name
    assert isinstance(event.data, BaseModel)
    assert event.data.model_dump(mode="json", exclude_unset=True) == payload


def test_thread_created_keeps_the_undocumented_enabled_field() -> None:
    event = parse_stream_event(
        "thread.created", '{"id":"thread_1","object":"thread","enabled":true}'
    )
    assert isinstance(event, ThreadEvent) and isinstance(event.data, Thread)
    assert event.data.model_extra == {"enabled": True}


@pytest.mark.parametrize(
    "data",
    [
        '{"error": {"message": "Boom", "type": "server_error", "param": null, "code": "x"}}',
        '{"message": "Boom", "type": "server_error", "param": null, "code": "x"}',
    ],
)
def test_error_event_accepts_both_shapes(data: str) -> None:
    event = parse_stream_event("error", data)
    assert isinstance(event, ErrorEvent)
    assert event.data.message == "Boom"
    assert event.data.type == "server_error" and event.data.code == "x"


def test_error_event_with_plain_text_keeps_the_text() -> None:
    event = parse_stream_event("error", "upstream went away")
    assert isinstance(event, ErrorEvent) and event.data.message == "upstream went away"


def test_done() -> None:
    assert isinstance(parse_stream_event("done", "[DONE]"), DoneEvent)
    assert isinstance(parse_stream_event("", "[DONE]"), DoneEvent)


def test_unknown_event_keeps_parsed_and_raw_data() -> None:
    event = parse_stream_event("thread.run.step.thinking", '{"id": "x", "n": 1}')
    assert isinstance(event, UnknownEvent)
    assert event.data == {"id": "x", "n": 1}
    assert event.raw == '{"id": "x", "n": 1}'
    text_event = parse_stream_event("ping", "not json at all")
    assert isinstance(text_event, UnknownEvent) and text_event.data == "not json at all"


def test_malformed_json_on_a_known_event_raises_the_specific_error() -> None:
    with pytest.raises(StreamDecodeError) as info:
        parse_stream_event("thread.run.created", '{"id": "run_1", ')
    assert info.value.event == "thread.run.created"
    assert "not valid JSON" in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("thread.run.completed", "[1, 2]", "should be an object"),
        ("thread.message.created", '{"object": "thread.message"}', "id"),
        ("thread.run.queued", '{"id": "r", "object": "assistant"}', "object"),
    ],
)
def test_wrong_shape_raises_with_a_plain_reason(name: str, data: str, fragment: str) -> None:
    with pytest.raises(StreamDecodeError, match=fragment):
        parse_stream_event(name, data)


def test_encode_then_parse_round_trips() -> None:
    run = Run.model_validate({**RUN, "metadata": {"k": "v"}, "x_vendor": [1, 2]})
    message = Message.model_validate(MESSAGE)
    text = (
        encode_stream_event("thread.run.in_progress", run)
        + encode_stream_event("thread.message.created", message)
        + encode_stream_event("done", "[DONE]")
    )
    events = [parse_stream_event(n, d) for n, d in iter_sse(text)]
    assert isinstance(events[0], RunEvent) and events[0].data == run
    assert isinstance(events[1], MessageEvent) and events[1].data == message
    assert isinstance(events[2], DoneEvent)
    # Multi-line text data becomes several data lines, joined back with "\n".
    assert list(iter_sse(encode_stream_event("error", "a\nb"))) == [("error", "a\nb")]
