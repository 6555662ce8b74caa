"""The client against the real embedded runtime (a subprocess on 127.0.0.1) whose model
is the scripted Chat Completions server: one pass over the main resource groups."""

from __future__ import annotations

import asyncio
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


async def test_vector_store_search_and_attributes_through_the_client(runtime) -> None:
    rt, _ = runtime
    async with httpx.AsyncClient(timeout=30) as http:
        client = AssistantsClient(http, OpenAIDialect(rt.api_base, rt.token))
        store = await client.vector_stores.create({"name": "docs"})
        handbook = await client.files.upload(
            b"Refunds are possible within thirty days.", filename="handbook.txt"
        )
        menu = await client.files.upload(b"Soup of the day: tomato.", filename="menu.txt")
        for uploaded, year in ((handbook, 2024), (menu, 2020)):
            await client.vector_store_files.create(store.id, uploaded.id)
            await client.vector_store_files.update(store.id, uploaded.id, {"year": year})
        for _ in range(200):
            files = [f async for f in client.vector_store_files.list(store.id)]
            if all(f.status == "completed" for f in files):
                break
            await asyncio.sleep(0.05)
        page = await client.vector_stores.search(store.id, "refunds within thirty")
        assert [hit.filename for hit in page.data] == ["handbook.txt"]
        assert "thirty days" in page.data[0].text and page.data[0].attributes == {"year": 2024}
        filtered = await client.vector_stores.search(
            store.id,
            {"query": "refunds soup", "filters": {"type": "lt", "key": "year", "value": 2022}},
        )
        assert [hit.filename for hit in filtered.data] == ["menu.txt"]
        with pytest.raises(ValueError, match="max_num_results"):
            await client.vector_stores.search(store.id, {"query": "x", "max_num_results": 0})
