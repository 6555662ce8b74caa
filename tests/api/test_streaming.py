"""SSE framing and run streams: the spec's examples, done, errors and interruptions."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from functools import cache
from typing import Any

import httpx
import pytest
import yaml

from playground.api import (
    AzureDialect,
    MalformedResponseError,
    StreamDecodeFailed,
    StreamEventError,
    StreamInterrupted,
    UnsupportedFeatureError,
)
from playground.protocol import (
    MessageDeltaEvent,
    RunEvent,
    RunStepEvent,
    TextDeltaPart,
    ThreadEvent,
    UnknownEvent,
)
from playground.protocol.sse import DEFAULT_MAX_LINE_CHARS, SSEDecoder
from tests.helpers.specs import OPENAI_SPEC

SPEC = OPENAI_SPEC


@cache
def spec_streams() -> list[tuple[str, str]]:
    """(where, text) of every example response in the spec that is an event stream."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    spec: dict[str, Any] = yaml.load(SPEC.read_text(encoding="utf-8"), Loader=loader)
    found = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            examples = (
                (operation.get("x-oaiMeta") or {}).get("examples")
                if isinstance(operation, dict)
                else None
            )
            if isinstance(examples, dict):
                examples = [examples]
            for example in examples or []:
                response = example.get("response") if isinstance(example, dict) else None
                if (
                    isinstance(response, str)
                    and response.lstrip().startswith("event:")
                    and path.startswith("/threads")
                ):
                    found.append((f"{method} {path} {example.get('title', '')}", response))
    return found


def repair_doc_typos(text: str) -> str:
    """Fix the hand-written spec examples' known slips, so they read like a real server.

    Run objects there end with one ``}`` too many, one ``thread.run.completed`` lacks its
    ``data:`` prefix, and ``...`` lines stand for elided events.
    """
    lines = []
    for line in text.splitlines():
        if line.strip() == "...":
            continue
        if line.startswith("{"):
            line = "data: " + line
        if line.startswith("data: {"):
            payload = line[6:]
            try:
                json.loads(payload)
            except ValueError:
                json.loads(payload[:-1])  # fails loudly if the slip is a different one
                line = "data: " + payload[:-1]
        lines.append(line)
    return "\n".join(lines) + "\n"


def sse_response(text: str | bytes, status: int = 200) -> httpx.Response:
    content = text.encode() if isinstance(text, str) else text
    return httpx.Response(status, content=content, headers={"content-type": "text/event-stream"})


def serve(response: httpx.Response):
    async def handler(request: httpx.Request) -> httpx.Response:
        return response

    return handler


RUN = '{"id":"run_9","object":"thread.run","thread_id":"thread_9","assistant_id":"a","status":"in_progress"}'


# --- framing -----------------------------------------------------------------------


def test_decoder_follows_whatwg_rules() -> None:
    decoder = SSEDecoder()
    lines = [
        ": keep-alive",
        "event: x",
        "data: a",
        "data:b",
        "id: 7",
        "retry: 50",
        "bogus: 1",
        "",
        "data: y",
        "",
    ]
    events = [e for line in lines if (e := decoder.feed_line(line)) is not None]
    assert [(e.event, e.data, e.id, e.retry) for e in events] == [
        ("x", "a\nb", "7", 50),
        ("", "y", "7", None),
    ]
    assert decoder.feed_line("event: only-a-name") is None
    assert decoder.pending
    assert decoder.feed_line("") is None  # no data: nothing dispatched


def test_decoder_splits_bytes_on_any_line_end() -> None:
    decoder = SSEDecoder()
    pieces = [b"event: done\r", b"\ndata: [DO", b"NE]\r\n", b"\r\n"]
    events = [e for piece in pieces for e in decoder.feed(piece)]
    assert [(e.event, e.data) for e in events] == [("done", "[DONE]")]


def test_spec_has_stream_examples() -> None:
    assert len(spec_streams()) >= 4


@pytest.mark.parametrize("index", range(5))
async def test_spec_stream_examples_parse(make, index: int) -> None:
    streams = spec_streams()
    if index >= len(streams):
        pytest.skip("the spec has fewer stream examples")
    where, text = streams[index]
    h = make(serve(sse_response(repair_doc_typos(text))))
    events = [e async for e in h.client.runs.stream("thread_123", {"assistant_id": "asst_123"})]
    assert events, where
    assert not any(isinstance(e, UnknownEvent) for e in events), where
    assert any(isinstance(e, RunEvent) for e in events), where


async def test_spec_examples_as_printed_fail_in_words(make) -> None:
    # Unrepaired, the extra brace is invalid JSON: the client must say so, not crash.
    broken = next(t for _, t in spec_streams() if "}}}" in t or "true}}" in t)
    h = make(serve(sse_response(broken)))
    with pytest.raises(StreamDecodeFailed, match="not valid JSON"):
        async for _ in h.client.runs.stream("thread_123", {"assistant_id": "asst_123"}):
            pass


async def test_create_and_run_stream_from_spec(make) -> None:
    text = next(t for _, t in spec_streams() if "thread.created" in t)
    h = make(serve(sse_response(repair_doc_typos(text))))
    stream = h.client.runs.create_thread_and_run_stream(
        {"assistant_id": "asst_123", "thread": {"messages": [{"role": "user", "content": "Hello"}]}}
    )
    events = [e async for e in stream]
    assert isinstance(events[0], ThreadEvent)
    assert [e.event for e in events if isinstance(e, RunEvent)][:3] == [
        "thread.run.created",
        "thread.run.queued",
        "thread.run.in_progress",
    ]
    text_parts = [
        part.text.value or ""
        for e in events
        if isinstance(e, MessageDeltaEvent)
        for part in e.data.delta.content or []
        if isinstance(part, TextDeltaPart) and part.text is not None
    ]
    assert "".join(text_parts).startswith("Hello")
    assert stream.run_id == "run_123" and stream.thread_id == "thread_123"
    sent = h.server.seen[0]
    assert sent.path == "/v1/threads/runs"
    assert sent.json()["stream"] is True
    assert sent.headers["accept"] == "text/event-stream"
    assert h.log[0].streamed and "not captured" in (h.log[0].response_body or "")


async def test_stream_request_shape(make) -> None:
    h = make(
        serve(
            sse_response(f"event: thread.run.created\ndata: {RUN}\n\nevent: done\ndata: [DONE]\n\n")
        )
    )
    stream = h.client.runs.stream(
        "thread_9",
        {"assistant_id": "a", "stream": False},
        include=["step_details.tool_calls[*].file_search.results[*].content"],
    )
    events = [e async for e in stream]
    assert len(events) == 1 and isinstance(events[0], RunEvent)
    sent = h.server.seen[0]
    assert sent.path == "/v1/threads/thread_9/runs"
    assert sent.url.params.get_list("include[]") == [
        "step_details.tool_calls[*].file_search.results[*].content"
    ]
    assert sent.json() == {"assistant_id": "a", "stream": True}


async def test_submit_tool_outputs_stream(make) -> None:
    step = '{"id":"step_1","object":"thread.run.step","run_id":"run_9","thread_id":"thread_9","type":"tool_calls","status":"completed","step_details":{"type":"tool_calls","tool_calls":[]}}'
    h = make(
        serve(
            sse_response(
                f"event: thread.run.step.completed\ndata: {step}\n\nevent: done\ndata: [DONE]\n\n"
            )
        )
    )
    events = [
        e
        async for e in h.client.runs.submit_tool_outputs_stream(
            "thread_9", "run_9", [{"tool_call_id": "call_1", "output": "70F"}]
        )
    ]
    assert isinstance(events[0], RunStepEvent)
    assert h.server.seen[0].path == "/v1/threads/thread_9/runs/run_9/submit_tool_outputs"
    assert h.server.seen[0].json() == {
        "tool_outputs": [{"tool_call_id": "call_1", "output": "70F"}],
        "stream": True,
    }


# --- failures ----------------------------------------------------------------------


async def test_stream_without_done_is_interrupted_with_run_id(make) -> None:
    h = make(serve(sse_response(f"event: thread.run.created\ndata: {RUN}\n\n")))
    stream = h.client.runs.stream("thread_9", {"assistant_id": "a"})
    seen = []
    with pytest.raises(StreamInterrupted) as caught:
        async for event in stream:
            seen.append(event)
    assert len(seen) == 1
    assert caught.value.run_id == "run_9" and caught.value.thread_id == "thread_9"
    assert "without saying it was done" in caught.value.message


class DroppingStream(httpx.AsyncByteStream):
    """Sends some bytes, then fails like a reset connection."""

    def __init__(self, first: bytes) -> None:
        self.first = first

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.first
        raise httpx.ReadError("connection reset")


async def test_connection_drop_mid_stream_is_interrupted(make) -> None:
    response = httpx.Response(
        200,
        stream=DroppingStream(
            f"event: thread.run.created\ndata: {RUN}\n\nevent: thread.mess".encode()
        ),
        headers={"content-type": "text/event-stream"},
    )
    h = make(serve(response))
    with pytest.raises(StreamInterrupted, match="connection dropped") as caught:
        async for _ in h.client.runs.stream("thread_9", {"assistant_id": "a"}):
            pass
    assert caught.value.run_id == "run_9"


@pytest.mark.parametrize(
    "data",
    [
        '{"error":{"message":"model overloaded","type":"server_error"}}',
        '{"message":"model overloaded","code":"server_error"}',
    ],
)
async def test_error_event_raises_with_detail(make, data: str) -> None:
    h = make(
        serve(
            sse_response(
                f"event: thread.run.created\ndata: {RUN}\n\nevent: error\ndata: {data}\n\n"
            )
        )
    )
    with pytest.raises(StreamEventError, match="model overloaded") as caught:
        async for _ in h.client.runs.stream("thread_9", {"assistant_id": "a"}):
            pass
    assert caught.value.detail.message == "model overloaded"
    assert caught.value.run_id == "run_9"


async def test_undecodable_event(make) -> None:
    h = make(serve(sse_response("event: thread.run.created\ndata: {not json\n\n")))
    with pytest.raises(StreamDecodeFailed, match="not valid JSON"):
        async for _ in h.client.runs.stream("thread_9", {"assistant_id": "a"}):
            pass


class EndlessLine(httpx.AsyncByteStream):
    """A hostile server: one ``data`` line that never ends."""

    def __init__(self) -> None:
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"event: thread.run.created\ndata: "
        while True:
            self.sent += 64 * 1024
            yield b"x" * (64 * 1024)


async def test_an_endless_line_stops_the_stream_at_the_decoders_cap(make) -> None:
    body = EndlessLine()
    h = make(serve(httpx.Response(200, stream=body, headers={"content-type": "text/event-stream"})))
    with pytest.raises(StreamDecodeFailed, match="longer than"):
        async for _ in h.client.runs.stream("thread_9", {"assistant_id": "a"}):
            pass
    assert body.sent <= DEFAULT_MAX_LINE_CHARS + 128 * 1024


async def test_unknown_events_are_passed_through(make) -> None:
    h = make(
        serve(
            sse_response('event: thread.run.future\ndata: {"x":1}\n\nevent: done\ndata: [DONE]\n\n')
        )
    )
    events = [e async for e in h.client.runs.stream("thread_9", {"assistant_id": "a"})]
    assert isinstance(events[0], UnknownEvent) and events[0].data == {"x": 1}


async def test_json_instead_of_stream(make) -> None:
    h = make(serve(httpx.Response(200, json={"id": "run_9", "object": "thread.run"})))
    with pytest.raises(MalformedResponseError, match="instead of an event stream"):
        async for _ in h.client.runs.stream("thread_9", {"assistant_id": "a"}):
            pass


async def test_error_status_before_stream_starts(make) -> None:
    from playground.api import BadRequestError

    h = make(
        serve(
            httpx.Response(
                400,
                json={
                    "error": {
                        "message": "thread has an active run",
                        "type": "invalid_request_error",
                    }
                },
            )
        )
    )
    with pytest.raises(BadRequestError, match="active run"):
        async for _ in h.client.runs.stream("thread_9", {"assistant_id": "a"}):
            pass


async def test_early_close_releases_the_stream(make) -> None:
    closed: list[bool] = []

    class Tracking(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            yield f"event: thread.run.created\ndata: {RUN}\n\n".encode()
            yield f"event: thread.run.queued\ndata: {RUN}\n\n".encode()

        async def aclose(self) -> None:
            closed.append(True)

    h = make(
        serve(httpx.Response(200, stream=Tracking(), headers={"content-type": "text/event-stream"}))
    )
    async with h.client.runs.stream("thread_9", {"assistant_id": "a"}) as stream:
        async for _ in stream:
            break
    assert closed == [True]


def test_streaming_refused_on_azure_v1() -> None:
    from playground.api import AssistantsClient

    client = AssistantsClient(
        httpx.AsyncClient(),
        AzureDialect("https://r.openai.azure.com", "2024-04-01-preview", api_key="k"),
    )
    with pytest.raises(UnsupportedFeatureError, match="cannot stream"):
        client.runs.stream("t", {"assistant_id": "a"})
