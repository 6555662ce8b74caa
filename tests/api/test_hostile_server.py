"""The client against a hostile server over real loopback HTTP: every read is bounded.

Each test would hang or grow memory without the limit it checks; a guard timeout turns such
a hang into a failure (it never decides a pass).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from playground.api import (
    APITimeoutError,
    AssistantsClient,
    OpenAIDialect,
    ResponseTooLargeError,
    StreamDecodeFailed,
)
from tests.helpers.hostile_server import (
    HostileServer,
    accept_and_hang,
    endless_sse_line,
    huge_json,
    reply_json,
    trickle,
)

GUARD_S = 60  # only turns a hang into a failure


@pytest.fixture
def server() -> Any:
    with HostileServer() as hostile:
        yield hostile


def client_for(server: HostileServer, http: httpx.AsyncClient, **limits: Any) -> AssistantsClient:
    return AssistantsClient(http, OpenAIDialect(server.base_url, "key"), max_retries=0, **limits)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    # No per-read timeout at all: only the client's own deadline and limits can stop a read.
    async with httpx.AsyncClient(timeout=None) as client:
        yield client


async def test_a_server_that_accepts_and_never_answers_times_out(
    server: HostileServer, http: httpx.AsyncClient
) -> None:
    server.route("GET", "/assistants", accept_and_hang())
    client = client_for(server, http, deadline_s=1.0)
    async with asyncio.timeout(GUARD_S):
        with pytest.raises(APITimeoutError) as caught:
            await client.assistants.list(limit=1).page()
    assert "within 1 s" in caught.value.message


async def test_one_byte_a_second_hits_the_overall_deadline(
    server: HostileServer, http: httpx.AsyncClient
) -> None:
    body = json.dumps({"object": "list", "data": [], "has_more": False}).encode()
    server.route("GET", "/assistants", trickle(body, every_s=0.5))
    client = client_for(server, http, deadline_s=1.5)
    async with asyncio.timeout(GUARD_S):
        with pytest.raises(APITimeoutError):
            await client.assistants.list(limit=1).page()


@pytest.mark.parametrize("declare_length", [True, False])
async def test_a_300_mb_json_answer_is_refused_at_the_limit(
    server: HostileServer, http: httpx.AsyncClient, declare_length: bool
) -> None:
    server.route("GET", "/assistants", huge_json(300 * 1024 * 1024, declare_length=declare_length))
    client = client_for(server, http)  # the default limit, 64 MiB
    async with asyncio.timeout(GUARD_S):
        with pytest.raises(ResponseTooLargeError) as caught:
            await client.assistants.list(limit=1).page()
    assert "64 MiB" in caught.value.message


async def test_answers_under_the_limit_still_read(
    server: HostileServer, http: httpx.AsyncClient
) -> None:
    server.route(
        "GET", "/assistants", reply_json({"object": "list", "data": [], "has_more": False})
    )
    client = client_for(server, http, max_response_bytes=1024, deadline_s=5)
    page = await client.assistants.list(limit=1).page()
    assert page.data == []


async def test_an_endless_sse_line_stops_the_stream(
    server: HostileServer, http: httpx.AsyncClient
) -> None:
    server.route("POST", "/threads/thread_1/runs", endless_sse_line())
    client = client_for(server, http)
    async with asyncio.timeout(GUARD_S):
        with pytest.raises(StreamDecodeFailed) as caught:
            async for _event in client.runs.stream("thread_1", {"assistant_id": "asst_1"}):
                pass
    assert "line longer than" in caught.value.message


async def test_endless_has_more_stops_at_the_page_cap(
    server: HostileServer, http: httpx.AsyncClient
) -> None:
    counter = iter(range(10**9))

    async def endless(_request: Any, writer: asyncio.StreamWriter) -> None:
        item = {"id": f"asst_{next(counter)}", "object": "assistant", "model": "m"}
        await reply_json({"object": "list", "data": [item], "has_more": True})(_request, writer)

    server.route("GET", "/assistants", endless)
    client = client_for(server, http)
    pager = client.assistants.list(limit=1)
    pager.max_pages = 7
    async with asyncio.timeout(GUARD_S):
        items = [a async for a in pager]
    assert len(items) == 7 and pager.truncated
    assert "7 pages" in pager.notice
    assert len(server.seen("GET", "/assistants")) == 7


async def test_one_malformed_item_does_not_empty_the_list(
    server: HostileServer, http: httpx.AsyncClient
) -> None:
    items = [
        {"id": "asst_1", "object": "assistant", "model": "m"},
        {"id": "asst_bad", "object": "assistant", "model": "m", "tools": "not a list"},
        {"id": "asst_3", "object": "assistant", "model": "m"},
    ]
    server.route("GET", "/assistants", reply_json({"object": "list", "data": items}))
    pager = client_for(server, http, deadline_s=10).assistants.list(limit=20)
    assert [a.id async for a in pager] == ["asst_1", "asst_3"]
    assert len(pager.invalid) == 1 and "asst_bad" in pager.invalid[0]
    assert "tools" in pager.notice
