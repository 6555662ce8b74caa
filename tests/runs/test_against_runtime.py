"""The driver against the real embedded runtime (subprocess on 127.0.0.1, scripted model).

One runtime per module keeps this fast; each test makes its own assistant and thread.
Real time here, so the checks are about outcomes, not timing.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from playground.api import AssistantsClient, OpenAIDialect, RequestLogEntry
from playground.protocol import ToolOutput
from playground.runs import (
    MessageCompleted,
    MessageDelta,
    RequiresAction,
    RunCompleted,
    RunDriver,
    RunSession,
)
from tests.helpers.runtime_process import RuntimeServer, start_runtime
from tests.helpers.scripted_llm import ScriptedLLM, text, tool_calls

from .conftest import collect, names

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


@pytest.fixture(scope="module")
def runtime(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[RuntimeServer, ScriptedLLM]]:
    data: Path = tmp_path_factory.mktemp("runtime") / "data"
    with ScriptedLLM() as llm, start_runtime(data, model_base_url=llm.base_url) as rt:
        yield rt, llm


@pytest.fixture
async def client(runtime: tuple[RuntimeServer, ScriptedLLM]) -> AsyncIterator[AssistantsClient]:
    rt, _ = runtime
    async with httpx.AsyncClient(timeout=30) as http:
        yield AssistantsClient(http, OpenAIDialect(rt.api_base, rt.token))


async def _thread(client: AssistantsClient) -> tuple[str, str]:
    assistant = await client.assistants.create(
        {"model": "scripted-model", "name": "Weather", "tools": [WEATHER_TOOL]}
    )
    thread = await client.threads.create()
    await client.messages.create(
        thread.id, {"role": "user", "content": "Weather in Oslo and Rome?"}
    )
    return thread.id, assistant.id


async def _answer(session: RunSession, event: RequiresAction) -> None:
    outputs = [
        ToolOutput(
            tool_call_id=c.id,
            output=json.dumps({"city": json.loads(c.function.arguments)["city"], "temp": 5}),
        )
        for c in event.tool_calls
    ]
    await session.submit_tool_outputs(outputs)


@pytest.mark.parametrize("prefer_stream", [True, False], ids=["stream", "poll"])
async def test_parallel_function_calls_then_answer(
    runtime: tuple[RuntimeServer, ScriptedLLM], client: AssistantsClient, prefer_stream: bool
) -> None:
    _, llm = runtime
    thread_id, assistant_id = await _thread(client)
    llm.queue(
        tool_calls(("get_weather", {"city": "Oslo"}), ("get_weather", {"city": "Rome"})),
        text("Both are at 5 degrees."),
    )
    driver = RunDriver(client, prefer_stream=prefer_stream)
    session = await driver.create_run(thread_id, assistant_id)
    events = await collect(session, _answer)

    actions = [e for e in events if isinstance(e, RequiresAction)]
    assert len(actions) == 1 and len(actions[0].tool_calls) == 2
    assert isinstance(events[-1], RunCompleted)
    assert names(events).count("RunCompleted") == 1
    assert (session.stream_error is None) is True
    text_seen = "".join(e.text_delta for e in events if isinstance(e, MessageDelta))
    assert text_seen == "Both are at 5 degrees."
    finished = [e.message.text() for e in events if isinstance(e, MessageCompleted)]
    assert finished == ["Both are at 5 degrees."]
    # What the events said matches what the server stored.
    stored = await client.messages.list(thread_id, run_id=session.run_id).to_list()
    assert [m.text() for m in stored] == ["Both are at 5 degrees."]


@pytest.mark.parametrize("prefer_stream", [True, False], ids=["stream", "poll"])
async def test_cancel_while_the_model_thinks(
    runtime: tuple[RuntimeServer, ScriptedLLM], client: AssistantsClient, prefer_stream: bool
) -> None:
    _, llm = runtime
    thread_id, assistant_id = await _thread(client)
    llm.queue(text("too late", delay=5.0))
    asked = len(llm.requests) + 1
    session = await RunDriver(client, prefer_stream=prefer_stream).create_run(
        thread_id, assistant_id
    )
    events = []
    async for event in session.events():
        events.append(event)
        if len(events) == 1:
            # Cancel once the model is really "thinking" (it has taken the reply).
            await asyncio.to_thread(llm.wait_for_requests, asked)
            await session.cancel()
    assert type(events[-1]).__name__ == "RunCancelled"
    assert names(events).count("RunCancelled") == 1
    assert (await client.runs.retrieve(thread_id, session.run_id or "")).status == "cancelled"


@pytest.mark.parametrize("prefer_stream", [True, False], ids=["stream", "poll"])
async def test_create_thread_and_run(
    runtime: tuple[RuntimeServer, ScriptedLLM], client: AssistantsClient, prefer_stream: bool
) -> None:
    _, llm = runtime
    assistant = await client.assistants.create({"model": "scripted-model", "name": "Plain"})
    llm.queue(text("A fresh thread."))
    session = await RunDriver(client, prefer_stream=prefer_stream).create_thread_and_run(
        assistant.id, thread={"messages": [{"role": "user", "content": "hello"}]}
    )
    assert session.thread_id.startswith("thread")
    events = await collect(session)
    assert isinstance(events[-1], RunCompleted)
    assert [e.message.text() for e in events if isinstance(e, MessageCompleted)] == [
        "A fresh thread."
    ]


async def test_polling_a_real_run_reads_mostly_the_run(
    runtime: tuple[RuntimeServer, ScriptedLLM],
) -> None:
    """Against the runtime's real ``openai-poll-after-ms``: a 1.5 s run is followed with
    run-only polls plus a handful of step/message reads, not three requests per poll."""
    rt, llm = runtime
    log: list[RequestLogEntry] = []
    async with httpx.AsyncClient(timeout=30) as http:
        client = AssistantsClient(http, OpenAIDialect(rt.api_base, rt.token), on_request=log.append)
        thread_id, assistant_id = await _thread(client)
        llm.queue(text("Thought about it.", delay=1.5))
        log.clear()
        session = await RunDriver(client, prefer_stream=False).create_run(thread_id, assistant_id)
        events = await collect(session)

    assert isinstance(events[-1], RunCompleted)
    assert [e.message.text() for e in events if isinstance(e, MessageCompleted)] == [
        "Thought about it."
    ]
    paths = [entry.url.split("?")[0] for entry in log]
    run_reads = [p for p in paths if p.endswith(f"/runs/{session.run_id}")]
    details = [p for p in paths if p.endswith(("/steps", "/messages"))]
    # 1.5 s at the runtime's 200 ms hint: about eight reads of the run...
    assert len(run_reads) >= 6
    # ...and only: steps at the change to in_progress, one or two live reads, then steps
    # and messages at the end. (Before, every poll read all three.)
    assert 2 <= len(details) <= 5
    assert len(paths) == 1 + len(run_reads) + len(details)
