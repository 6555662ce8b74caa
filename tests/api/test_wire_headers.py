"""Headers the official SDKs send and the playground now sends too: a client request id
(shown in the request log, the same on every retry), a User-Agent naming the app, and
``Accept: application/json``; and ``Idempotency-Key`` on message posts, which the
embedded runtime honours so the at-most-once marker no longer costs a metadata pair."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from playground.api import (
    CLIENT_ID_METADATA_KEY,
    AssistantsClient,
    AzureDialect,
    OpenAIDialect,
    RequestLogEntry,
)
from tests.helpers.runtime_process import RuntimeServer, start_runtime

from .conftest import KEY, error, ok

LIST = {"object": "list", "data": [], "has_more": False}


async def test_openai_requests_carry_id_agent_and_accept(make) -> None:  # type: ignore[no-untyped-def]
    attempts = iter([error(500), ok(LIST)])

    async def handler(request: httpx.Request) -> httpx.Response:
        return next(attempts)

    h = make(handler)
    await h.client.assistants.list().page()
    first, retry = h.server.seen
    assert first.headers["accept"] == "application/json"
    assert first.headers["user-agent"].startswith("assistants-playground/")
    request_id = first.headers["x-client-request-id"]
    assert request_id and retry.headers["x-client-request-id"] == request_id
    assert [entry.client_request_id for entry in h.log] == [request_id, request_id]


async def test_azure_uses_x_ms_client_request_id(make) -> None:  # type: ignore[no-untyped-def]
    async def handler(request: httpx.Request) -> httpx.Response:
        return ok(LIST)

    h = make(handler, AzureDialect("https://example.openai.azure.com", api_key=KEY))
    await h.client.assistants.list().page()
    await h.client.assistants.list().page()
    ids = [seen.headers["x-ms-client-request-id"] for seen in h.server.seen]
    assert ids[0] != ids[1]  # one id per call, not per client
    assert "x-client-request-id" not in h.server.seen[0].headers


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[RuntimeServer]:
    with start_runtime(tmp_path / "data", extra_args=["--no-local-model"]) as rt:
        yield rt


async def test_the_runtime_honours_idempotency_keys(runtime: RuntimeServer) -> None:
    log: list[RequestLogEntry] = []
    async with httpx.AsyncClient(timeout=30) as http:
        dialect = OpenAIDialect(runtime.api_base, runtime.token, honours_idempotency_key=True)
        client = AssistantsClient(http, dialect, on_request=log.append)
        thread = await client.threads.create({})
        body = {"role": "user", "content": "hello", "metadata": {"k": "v"}}
        first = await client.messages.create(thread.id, body, client_id="c1")
        again = await client.messages.create(thread.id, body, client_id="c1")
        assert again.id == first.id
        assert first.metadata == {"k": "v"}  # no marker spent on the user's metadata
        assert [m.id async for m in client.messages.list(thread.id)] == [first.id]
        assert log[-2].request_headers["idempotency-key"] == "c1"

        headers = {**runtime.headers, "Idempotency-Key": "c1"}
        other = await http.post(
            f"{runtime.api_base}/threads/{thread.id}/messages",
            json={"role": "user", "content": "something else"},
            headers=headers,
        )
        assert other.status_code == 409
        assert other.json()["error"]["code"] == "idempotency_key_reused"


async def test_a_plain_server_learns_it_from_the_answer(runtime: RuntimeServer) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        client = AssistantsClient(http, OpenAIDialect(runtime.api_base, runtime.token))
        thread = await client.threads.create({})
        first = await client.messages.create(thread.id, {"role": "user", "content": "a"})
        # Not known before the first answer: the marker goes into metadata that once.
        assert CLIENT_ID_METADATA_KEY in (first.metadata or {})
        second = await client.messages.create(thread.id, {"role": "user", "content": "b"})
        assert second.metadata == {}
