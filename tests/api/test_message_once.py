"""A message is posted at most once, even when the POST times out after reaching the server."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from playground.api import CLIENT_ID_METADATA_KEY, APITimeoutError, InternalServerError

from .conftest import ok


@dataclass
class MessageServer:
    """Stores messages; can fail a POST *after* storing it (or before) to simulate a drop."""

    fail_after_store: list[type[httpx.TransportError] | int] = field(default_factory=list)
    fail_before_store: list[type[httpx.TransportError]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    posts: int = 0
    list_fails: bool = False

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            if self.list_fails:
                raise httpx.ConnectError("down", request=request)
            data = list(reversed(self.messages))
            return ok({"object": "list", "data": data, "has_more": False})
        self.posts += 1
        if self.fail_before_store:
            raise self.fail_before_store.pop(0)("dropped", request=request)
        body = json.loads(await request.aread())
        message = {
            "id": f"msg_{len(self.messages) + 1}",
            "object": "thread.message",
            "thread_id": "thread_1",
            "role": body["role"],
            "content": [{"type": "text", "text": {"value": body["content"], "annotations": []}}],
            "metadata": body.get("metadata", {}),
        }
        self.messages.append(message)
        if self.fail_after_store:
            failure = self.fail_after_store.pop(0)
            if isinstance(failure, int):
                return httpx.Response(
                    failure, json={"error": {"message": "oops", "type": "server_error"}}
                )
            raise failure("lost the answer", request=request)
        return ok(message)


async def test_timeout_after_the_server_stored_it_returns_the_stored_message(make) -> None:
    server = MessageServer(fail_after_store=[httpx.ReadTimeout])
    h = make(server)
    message = await h.client.messages.create("thread_1", {"role": "user", "content": "hello"})
    assert server.posts == 1
    assert len(server.messages) == 1
    assert message.id == "msg_1"
    assert message.metadata is not None
    assert (
        message.metadata[CLIENT_ID_METADATA_KEY]
        == server.messages[0]["metadata"][CLIENT_ID_METADATA_KEY]
    )


async def test_5xx_after_storing_does_not_duplicate(make) -> None:
    server = MessageServer(fail_after_store=[502])
    h = make(server)
    message = await h.client.messages.create(
        "thread_1", {"role": "user", "content": "hi"}, client_id="c-1"
    )
    assert len(server.messages) == 1
    assert message.metadata == {CLIENT_ID_METADATA_KEY: "c-1"}


async def test_drop_before_storing_posts_again_exactly_once(make) -> None:
    server = MessageServer(fail_before_store=[httpx.ReadError])
    h = make(server)
    message = await h.client.messages.create("thread_1", {"role": "user", "content": "hi"})
    assert server.posts == 2
    assert len(server.messages) == 1
    assert message.id == "msg_1"


async def test_caller_metadata_is_kept(make) -> None:
    server = MessageServer()
    h = make(server)
    await h.client.messages.create(
        "thread_1", {"role": "user", "content": "hi", "metadata": {"topic": "x"}}, client_id="abc"
    )
    sent = h.server.seen[0].json()
    assert sent["metadata"] == {"topic": "x", CLIENT_ID_METADATA_KEY: "abc"}


async def test_if_the_lookup_fails_the_original_error_is_raised(make) -> None:
    server = MessageServer(fail_after_store=[httpx.ReadTimeout], list_fails=True)
    h = make(server)
    with pytest.raises(APITimeoutError):
        await h.client.messages.create("thread_1", {"role": "user", "content": "hi"})
    assert server.posts == 1


async def test_repeated_ambiguous_failures_give_up(make) -> None:
    server = MessageServer(fail_before_store=[httpx.ReadTimeout] * 5)
    h = make(server)
    with pytest.raises(APITimeoutError):
        await h.client.messages.create("thread_1", {"role": "user", "content": "hi"})
    assert server.posts == 3
    assert server.messages == []


async def test_lookup_happens_even_after_the_last_attempt(make) -> None:
    # Two drops before storing, then the third POST is stored but answered with 500.
    server = MessageServer(fail_before_store=[httpx.ReadTimeout] * 2, fail_after_store=[500])
    h = make(server)
    message = await h.client.messages.create("thread_1", {"role": "user", "content": "hi"})
    assert server.posts == 3
    assert len(server.messages) == 1
    assert message.id == "msg_1"


async def test_5xx_without_stored_message_is_raised_after_retries(make) -> None:
    server = MessageServer(fail_before_store=[httpx.ReadTimeout] * 2)
    server.fail_after_store = []
    h = make(server)

    async def failing(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            server.posts += 1
            return httpx.Response(503, json={"error": {"message": "down", "type": "server_error"}})
        return await server(request)

    h.server.handler = failing
    with pytest.raises(InternalServerError, match="down"):
        await h.client.messages.create("thread_1", {"role": "user", "content": "hi"})
    assert server.posts == 3
    assert server.messages == []
