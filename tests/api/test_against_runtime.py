"""The client against the real embedded runtime (a subprocess on 127.0.0.1) whose model
is the scripted Chat Completions server: one pass over the main resource groups."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from playground.api import (
    CLIENT_ID_METADATA_KEY,
    FILE_SEARCH_CONTENT,
    AssistantsClient,
    NotFoundError,
    OpenAIDialect,
    RequestLogEntry,
    as_curl,
)
from playground.protocol import MessageDeltaEvent, RunEvent, TextContent
from tests.helpers.runtime_process import RuntimeServer, start_runtime
from tests.helpers.scripted_llm import ScriptedLLM, text


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[tuple[RuntimeServer, ScriptedLLM]]:
    with ScriptedLLM() as llm, start_runtime(tmp_path / "data", model_base_url=llm.base_url) as rt:
        yield rt, llm


async def test_client_round_trip_against_the_runtime(runtime) -> None:
    rt, llm = runtime
    log: list[RequestLogEntry] = []
    async with httpx.AsyncClient(timeout=30) as http:
        client = AssistantsClient(http, OpenAIDialect(rt.api_base, rt.token), on_request=log.append)
        assert "scripted-model" in [m.id for m in await client.models.list()]

        assistant = await client.assistants.create({"model": "scripted-model", "name": "Helper"})
        assert [a.id async for a in client.assistants.list(limit=1)] == [assistant.id]
        thread = await client.threads.create()
        message = await client.messages.create(
            thread.id, {"role": "user", "content": "hi"}, client_id="c1"
        )
        assert message.metadata == {CLIENT_ID_METADATA_KEY: "c1"}

        uploaded = await client.files.upload(b"hello world", filename="h.txt")
        assert await client.files.download(uploaded.id) == b"hello world"

        llm.queue(text("Hello there friend"))
        async with client.runs.stream(thread.id, {"assistant_id": assistant.id}) as stream:
            events = [event async for event in stream]
        assert isinstance(events[-1], RunEvent) and events[-1].event == "thread.run.completed"
        assert any(isinstance(e, MessageDeltaEvent) for e in events)
        assert stream.run_id is not None

        run = await client.runs.retrieve_with_meta(thread.id, stream.run_id)
        assert run.value.status == "completed"
        steps = await client.steps.list(
            thread.id, stream.run_id, include=[FILE_SEARCH_CONTENT]
        ).page()
        assert [s.type for s in steps.data] == ["message_creation"]
        texts = [
            part.text.value
            for m in await client.messages.list(thread.id, order="asc").to_list()
            for part in m.content
            if isinstance(part, TextContent)
        ]
        assert texts == ["hi", "Hello there friend"]

        with pytest.raises(NotFoundError, match="asst_nope"):
            await client.assistants.retrieve("asst_nope")
        assert (await client.threads.delete(thread.id)).deleted

    assert all(rt.token not in str(entry) for entry in log)
    assert rt.token not in as_curl(log[1])
