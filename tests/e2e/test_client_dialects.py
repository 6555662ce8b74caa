"""The project's own client (playground.api + playground.runs) against the real runtime
process, in the three dialects a person can pick: OpenAI-style v2 at ``/v1``, Azure
2024-05-01-preview (v2 shapes) and Azure 2024-02-15-preview (v1 shapes) at ``/openai``.

One runtime and one scripted model serve the whole module (starting them is the slow
part); every test makes its own assistant and thread, so tests do not share state.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from playground.api import (
    AssistantsClient,
    AzureDialect,
    Dialect,
    NotFoundError,
    OpenAIDialect,
    RequestLogEntry,
)
from playground.protocol import (
    FunctionToolCall,
    MessageCreationDetails,
    RetrievalToolCall,
    ToolCallsDetails,
    ToolOutput,
)
from playground.runs import (
    MessageCompleted,
    MessageDelta,
    RequiresAction,
    RunCompleted,
    RunDriver,
    RunSession,
    StepCreated,
    StepUpdated,
)
from playground.runs.events import RunEvent
from tests.helpers.runtime_process import RuntimeServer, start_runtime
from tests.helpers.scripted_llm import ScriptedLLM, file_search, text, tool_calls

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


@dataclass(frozen=True)
class Flavour:
    """One way of talking to the runtime."""

    label: str
    family: str  # "v1" | "v2"
    azure_version: str | None  # None: OpenAI style

    def dialect(self, rt: RuntimeServer) -> Dialect:
        if self.azure_version is None:
            return OpenAIDialect(rt.api_base, rt.token)
        return AzureDialect(rt.base_url, self.azure_version, api_key=rt.token)


FLAVOURS = [
    Flavour("openai-v2", "v2", None),
    Flavour("azure-2024-05-01-preview", "v2", "2024-05-01-preview"),
    Flavour("azure-2024-02-15-preview", "v1", "2024-02-15-preview"),
]
V2 = [f for f in FLAVOURS if f.family == "v2"]
V1 = [f for f in FLAVOURS if f.family == "v1"]


@pytest.fixture(scope="module")
def runtime(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[RuntimeServer, ScriptedLLM]]:
    data: Path = tmp_path_factory.mktemp("dialects") / "data"
    with ScriptedLLM() as llm, start_runtime(data, model_base_url=llm.base_url) as rt:
        yield rt, llm


@pytest.fixture
def llm(runtime: tuple[RuntimeServer, ScriptedLLM]) -> Iterator[ScriptedLLM]:
    scripted = runtime[1]
    assert scripted.pending == 0, "an earlier test left scripted replies behind"
    yield scripted
    # A failed test may leave replies queued; they must not answer the next test's runs.
    with scripted._lock:
        scripted._replies.clear()


@dataclass
class Conn:
    flavour: Flavour
    client: AssistantsClient
    log: list[RequestLogEntry]


@pytest.fixture(params=FLAVOURS, ids=[f.label for f in FLAVOURS])
async def conn(
    request: pytest.FixtureRequest, runtime: tuple[RuntimeServer, ScriptedLLM]
) -> AsyncIterator[Conn]:
    rt, _ = runtime
    flavour: Flavour = request.param
    log: list[RequestLogEntry] = []
    async with httpx.AsyncClient(timeout=30) as http:
        client = AssistantsClient(http, flavour.dialect(rt), on_request=log.append)
        yield Conn(flavour, client, log)


def _assert_dialect_on_the_wire(conn: Conn) -> None:
    """Every request went where (and how) the chosen dialect says."""
    assert conn.log
    for entry in conn.log:
        url = str(entry.url)
        if conn.flavour.azure_version is None:
            assert "/v1/" in url and "api-version" not in url, url
        else:
            assert "/openai/" in url and f"api-version={conn.flavour.azure_version}" in url, url


async def _thread_with(conn: Conn, content: str) -> str:
    thread = await conn.client.threads.create()
    await conn.client.messages.create(thread.id, {"role": "user", "content": content})
    return thread.id


async def _follow(session: RunSession, answer: dict[str, str] | None = None) -> list[RunEvent]:
    events: list[RunEvent] = []
    async for event in session.events():
        events.append(event)
        if isinstance(event, RequiresAction):
            assert answer is not None, "the run asked for tool outputs unexpectedly"
            await session.submit_tool_outputs(
                [
                    ToolOutput(
                        tool_call_id=call.id,
                        output=answer[json.loads(call.function.arguments)["city"]],
                    )
                    for call in event.tool_calls
                ]
            )
    return events


def _replies(events: list[RunEvent]) -> list[str]:
    return [e.message.text() for e in events if isinstance(e, MessageCompleted)]


# --- the flows, in every dialect -------------------------------------------------------------


async def test_assistant_crud(conn: Conn) -> None:
    client = conn.client
    created = await client.assistants.create(
        {
            "model": "scripted-model",
            "name": f"CRUD {conn.flavour.label}",
            "instructions": "Be brief.",
            "tools": [WEATHER],
            "metadata": {"suite": "dialects"},
        }
    )
    assert created.id.startswith("asst")
    fetched = await client.assistants.retrieve(created.id)
    assert fetched.name == f"CRUD {conn.flavour.label}"
    assert fetched.instructions == "Be brief."
    assert [t.type for t in fetched.tools] == ["function"]
    assert fetched.metadata == {"suite": "dialects"}

    updated = await client.assistants.update(created.id, {"name": "Renamed"})
    assert updated.name == "Renamed" and updated.instructions == "Be brief."
    listed = [a.id async for a in client.assistants.list(limit=100)]
    assert created.id in listed

    deleted = await client.assistants.delete(created.id)
    assert deleted.deleted and deleted.id == created.id
    with pytest.raises(NotFoundError):
        await client.assistants.retrieve(created.id)
    _assert_dialect_on_the_wire(conn)


async def test_thread_and_messages(conn: Conn) -> None:
    client = conn.client
    thread = await client.threads.create({"metadata": {"topic": "greeting"}})
    assert (await client.threads.retrieve(thread.id)).metadata == {"topic": "greeting"}
    first = await client.messages.create(thread.id, {"role": "user", "content": "Hello"})
    await client.messages.create(thread.id, {"role": "user", "content": "Are you there?"})
    listed = await client.messages.list(thread.id, order="asc").to_list()
    assert [m.text() for m in listed] == ["Hello", "Are you there?"]
    assert [m.role for m in listed] == ["user", "user"]
    assert (await client.messages.retrieve(thread.id, first.id)).text() == "Hello"
    assert (await client.threads.delete(thread.id)).deleted
    with pytest.raises(NotFoundError):
        await client.threads.retrieve(thread.id)
    _assert_dialect_on_the_wire(conn)


async def test_plain_run_polled_to_completion(conn: Conn, llm: ScriptedLLM) -> None:
    client = conn.client
    assistant = await client.assistants.create({"model": "scripted-model", "name": "Plain"})
    thread_id = await _thread_with(conn, "What is the capital of France?")
    llm.queue(text("Paris is the capital of France."))
    session = await RunDriver(client, prefer_stream=False).create_run(thread_id, assistant.id)
    events = await _follow(session)

    assert isinstance(events[-1], RunCompleted)
    assert _replies(events) == ["Paris is the capital of France."]
    steps = [e.step for e in events if isinstance(e, StepCreated | StepUpdated)]
    assert steps and isinstance(steps[-1].step_details, MessageCreationDetails)
    assert steps[-1].status == "completed"
    stored = await client.messages.list(thread_id, order="asc").to_list()
    assert [m.text() for m in stored] == [
        "What is the capital of France?",
        "Paris is the capital of France.",
    ]
    assert llm.requests[-1]["messages"][-1]["content"] == "What is the capital of France?"
    _assert_dialect_on_the_wire(conn)


async def test_function_calls_with_submitted_outputs(conn: Conn, llm: ScriptedLLM) -> None:
    client = conn.client
    assistant = await client.assistants.create(
        {"model": "scripted-model", "name": "Weather", "tools": [WEATHER]}
    )
    thread_id = await _thread_with(conn, "Weather in Oslo and Rome?")
    llm.queue(
        tool_calls(("get_weather", {"city": "Oslo"}), ("get_weather", {"city": "Rome"})),
        text("Oslo is cold, Rome is warm."),
    )
    session = await RunDriver(client, prefer_stream=False).create_run(thread_id, assistant.id)
    events = await _follow(session, {"Oslo": "-3C", "Rome": "18C"})

    actions = [e for e in events if isinstance(e, RequiresAction)]
    assert len(actions) == 1
    assert sorted(c.function.name for c in actions[0].tool_calls) == ["get_weather"] * 2
    assert actions[0].expires_at is not None
    assert isinstance(events[-1], RunCompleted)
    assert _replies(events) == ["Oslo is cold, Rome is warm."]
    # The model got both outputs back, as tool messages.
    tool_messages = [m for m in llm.requests[-1]["messages"] if m["role"] == "tool"]
    assert sorted(m["content"] for m in tool_messages) == ["-3C", "18C"]
    # The step shows the calls with their outputs.
    steps = await client.steps.list(thread_id, session.run_id or "", order="asc").to_list()
    details = steps[0].step_details
    assert isinstance(details, ToolCallsDetails)
    outputs = sorted(
        c.function.output or "" for c in details.tool_calls if isinstance(c, FunctionToolCall)
    )
    assert outputs == ["-3C", "18C"]
    _assert_dialect_on_the_wire(conn)


async def test_file_upload_and_download_are_byte_exact(conn: Conn) -> None:
    client = conn.client
    payload = os.urandom(300_000) + bytes(range(256))  # binary, larger than one read chunk
    uploaded = await client.files.upload(payload, filename="blob.bin", purpose="assistants")
    assert uploaded.bytes == len(payload) and uploaded.filename == "blob.bin"
    assert (await client.files.retrieve(uploaded.id)).id == uploaded.id
    assert await client.files.download(uploaded.id) == payload
    assert (await client.files.delete(uploaded.id)).deleted
    with pytest.raises(NotFoundError):
        await client.files.retrieve(uploaded.id)
    _assert_dialect_on_the_wire(conn)


# --- v2 only: streaming ------------------------------------------------------------------------


@pytest.mark.parametrize("conn", V2, indirect=True, ids=[f.label for f in V2])
async def test_streamed_run_delivers_text_deltas(conn: Conn, llm: ScriptedLLM) -> None:
    client = conn.client
    assistant = await client.assistants.create({"model": "scripted-model", "name": "Streamer"})
    thread_id = await _thread_with(conn, "Tell me a short story.")
    story = "Once upon a time a small robot learned to paint the sea."
    llm.queue(text(story, chunk_delay=0.01))
    session = await RunDriver(client, prefer_stream=True).create_run(thread_id, assistant.id)
    assert session.streaming
    events = await _follow(session)

    assert session.stream_error is None
    assert isinstance(events[-1], RunCompleted)
    deltas = [e.text_delta for e in events if isinstance(e, MessageDelta)]
    assert len(deltas) > 3 and "".join(deltas) == story
    assert _replies(events) == [story]
    # Streamed, so the driver never polled the run.
    run_reads = [e for e in conn.log if e.method == "GET" and "/runs/" in str(e.url)]
    assert run_reads == []
    _assert_dialect_on_the_wire(conn)


# --- v1 only: retrieval and assistant files ------------------------------------------------------


@pytest.mark.parametrize("conn", V1, indirect=True, ids=[f.label for f in V1])
async def test_v1_retrieval_with_assistant_files(conn: Conn, llm: ScriptedLLM) -> None:
    client = conn.client
    notes = await client.files.upload(
        b"The secret ingredient of the house soup is smoked paprika.\n",
        filename="recipe.txt",
    )
    extra = await client.files.upload(b"Opening hours: 9 to 17.\n", filename="hours.txt")
    assistant = await client.assistants.create(
        {
            "model": "scripted-model",
            "name": "Librarian",
            "tools": [{"type": "retrieval"}],
            "file_ids": [notes.id],
        }
    )
    assert [t.type for t in assistant.tools] == ["retrieval"]
    assert assistant.file_ids == [notes.id]

    linked = await client.assistant_files.create(assistant.id, extra.id)
    assert linked.id == extra.id and linked.assistant_id == assistant.id
    listed = {f.id async for f in client.assistant_files.list(assistant.id)}
    assert listed == {notes.id, extra.id}
    assert (await client.assistant_files.delete(assistant.id, extra.id)).deleted
    assert [f.id async for f in client.assistant_files.list(assistant.id)] == [notes.id]
    assert (await client.assistants.retrieve(assistant.id)).file_ids == [notes.id]

    thread_id = await _thread_with(conn, "What is in the house soup?")
    llm.queue(file_search("secret ingredient soup"), text("Smoked paprika."))
    session = await RunDriver(client, prefer_stream=True).create_run(thread_id, assistant.id)
    assert not session.streaming  # v1 polls even when streaming is preferred
    events = await _follow(session)

    assert isinstance(events[-1], RunCompleted)
    assert _replies(events)[0].startswith("Smoked paprika.")
    steps = await client.steps.list(thread_id, session.run_id or "", order="asc").to_list()
    calls = [
        call
        for step in steps
        if isinstance(step.step_details, ToolCallsDetails)
        for call in step.step_details.tool_calls
    ]
    assert calls and all(isinstance(c, RetrievalToolCall) for c in calls)
    # The retrieval tool really searched the file: its text went back to the model.
    tool_messages = [m for m in llm.requests[-1]["messages"] if m["role"] == "tool"]
    assert any("smoked paprika" in str(m["content"]).lower() for m in tool_messages)
    _assert_dialect_on_the_wire(conn)
