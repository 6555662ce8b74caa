"""Every endpoint of wire reference §2: method, path, query and body on the wire, and
the protocol model that comes back. Also version gating (v1-only / v2-only) and the
poll-after header."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from playground.api import (
    FILE_SEARCH_CONTENT,
    AssistantFile,
    AssistantsClient,
    AuthenticationError,
    AzureDialect,
    MessageFile,
    OpenAIDialect,
    UnsupportedFeatureError,
)
from playground.protocol import (
    Assistant,
    DeletedObject,
    FileObject,
    Message,
    Run,
    RunStep,
    Thread,
    VectorStore,
    VectorStoreFile,
    VectorStoreFileBatch,
)

from .conftest import KEY, ok

A = {"id": "asst_1", "object": "assistant", "model": "m"}
T = {"id": "t1", "object": "thread"}
M = {"id": "m1", "object": "thread.message", "thread_id": "t1", "role": "user", "content": []}
R = {"id": "r1", "object": "thread.run", "thread_id": "t1", "status": "queued"}
S = {
    "id": "s1",
    "object": "thread.run.step",
    "run_id": "r1",
    "thread_id": "t1",
    "type": "message_creation",
    "status": "completed",
    "step_details": {"type": "message_creation", "message_creation": {"message_id": "m1"}},
}
F = {"id": "file-1", "object": "file", "filename": "a", "purpose": "assistants"}
VS = {"id": "vs_1", "object": "vector_store"}
VSF = {"id": "file-1", "object": "vector_store.file", "vector_store_id": "vs_1"}
VSB = {"id": "vsfb_1", "object": "vector_store.files_batch", "vector_store_id": "vs_1"}
AF = {"id": "file-1", "object": "assistant.file", "assistant_id": "asst_1"}
MF = {"id": "file-1", "object": "thread.message.file", "message_id": "m1"}


def deleted(kind: str) -> dict[str, Any]:
    return {"id": "x", "object": kind, "deleted": True}


def listing(*items: dict[str, Any]) -> dict[str, Any]:
    return {"object": "list", "data": list(items), "has_more": False}


Call = Callable[[AssistantsClient], Awaitable[Any]]


async def first(pager: Any) -> Any:
    page = await pager.page()
    return page.data[0]


# (name, call, method, path, query, body, response, expected type)
V2: list[tuple[str, Call, str, str, dict[str, str], Any, Any, type]] = [
    (
        "assistant create",
        lambda c: c.assistants.create({"model": "m", "tools": [{"type": "file_search"}]}),
        "POST",
        "/assistants",
        {},
        {"model": "m", "tools": [{"type": "file_search"}]},
        A,
        Assistant,
    ),
    (
        "assistant list",
        lambda c: first(c.assistants.list(limit=2)),
        "GET",
        "/assistants",
        {"limit": "2"},
        None,
        listing(A),
        Assistant,
    ),
    (
        "assistant get",
        lambda c: c.assistants.retrieve("asst_1"),
        "GET",
        "/assistants/asst_1",
        {},
        None,
        A,
        Assistant,
    ),
    (
        "assistant modify",
        lambda c: c.assistants.update("asst_1", {"tool_resources": None}),
        "POST",
        "/assistants/asst_1",
        {},
        {"tool_resources": None},
        A,
        Assistant,
    ),
    (
        "assistant delete",
        lambda c: c.assistants.delete("asst_1"),
        "DELETE",
        "/assistants/asst_1",
        {},
        None,
        deleted("assistant.deleted"),
        DeletedObject,
    ),
    ("thread create", lambda c: c.threads.create(), "POST", "/threads", {}, {}, T, Thread),
    ("thread get", lambda c: c.threads.retrieve("t1"), "GET", "/threads/t1", {}, None, T, Thread),
    (
        "thread modify",
        lambda c: c.threads.update("t1", {"metadata": {"k": "v"}}),
        "POST",
        "/threads/t1",
        {},
        {"metadata": {"k": "v"}},
        T,
        Thread,
    ),
    (
        "thread delete",
        lambda c: c.threads.delete("t1"),
        "DELETE",
        "/threads/t1",
        {},
        None,
        deleted("thread.deleted"),
        DeletedObject,
    ),
    (
        "message get",
        lambda c: c.messages.retrieve("t1", "m1"),
        "GET",
        "/threads/t1/messages/m1",
        {},
        None,
        M,
        Message,
    ),
    (
        "message modify",
        lambda c: c.messages.update("t1", "m1", {"metadata": {"a": "b"}}),
        "POST",
        "/threads/t1/messages/m1",
        {},
        {"metadata": {"a": "b"}},
        M,
        Message,
    ),
    (
        "message delete",
        lambda c: c.messages.delete("t1", "m1"),
        "DELETE",
        "/threads/t1/messages/m1",
        {},
        None,
        deleted("thread.message.deleted"),
        DeletedObject,
    ),
    (
        "message list",
        lambda c: first(c.messages.list("t1", order="asc")),
        "GET",
        "/threads/t1/messages",
        {"order": "asc"},
        None,
        listing(M),
        Message,
    ),
    (
        "run create",
        lambda c: c.runs.create(
            "t1", {"assistant_id": "asst_1", "stream": True}, include=[FILE_SEARCH_CONTENT]
        ),
        "POST",
        "/threads/t1/runs",
        {"include[]": FILE_SEARCH_CONTENT},
        {"assistant_id": "asst_1"},
        R,
        Run,
    ),
    (
        "thread and run",
        lambda c: c.runs.create_thread_and_run(
            {"assistant_id": "asst_1", "thread": {"messages": [{"role": "user", "content": "hi"}]}}
        ),
        "POST",
        "/threads/runs",
        {},
        {"assistant_id": "asst_1", "thread": {"messages": [{"role": "user", "content": "hi"}]}},
        R,
        Run,
    ),
    (
        "run list",
        lambda c: first(c.runs.list("t1")),
        "GET",
        "/threads/t1/runs",
        {},
        None,
        listing(R),
        Run,
    ),
    (
        "run get",
        lambda c: c.runs.retrieve("t1", "r1"),
        "GET",
        "/threads/t1/runs/r1",
        {},
        None,
        R,
        Run,
    ),
    (
        "run modify",
        lambda c: c.runs.update("t1", "r1", {"metadata": {"a": "b"}}),
        "POST",
        "/threads/t1/runs/r1",
        {},
        {"metadata": {"a": "b"}},
        R,
        Run,
    ),
    (
        "run cancel",
        lambda c: c.runs.cancel("t1", "r1"),
        "POST",
        "/threads/t1/runs/r1/cancel",
        {},
        {},
        R,
        Run,
    ),
    (
        "submit outputs",
        lambda c: c.runs.submit_tool_outputs(
            "t1", "r1", {"tool_outputs": [{"tool_call_id": "call_1", "output": "42"}]}
        ),
        "POST",
        "/threads/t1/runs/r1/submit_tool_outputs",
        {},
        {"tool_outputs": [{"tool_call_id": "call_1", "output": "42"}]},
        R,
        Run,
    ),
    (
        "step list",
        lambda c: first(c.steps.list("t1", "r1", include=[FILE_SEARCH_CONTENT])),
        "GET",
        "/threads/t1/runs/r1/steps",
        {"include[]": FILE_SEARCH_CONTENT},
        None,
        listing(S),
        RunStep,
    ),
    (
        "step get",
        lambda c: c.steps.retrieve("t1", "r1", "s1"),
        "GET",
        "/threads/t1/runs/r1/steps/s1",
        {},
        None,
        S,
        RunStep,
    ),
    (
        "file get",
        lambda c: c.files.retrieve("file-1"),
        "GET",
        "/files/file-1",
        {},
        None,
        F,
        FileObject,
    ),
    (
        "file delete",
        lambda c: c.files.delete("file-1"),
        "DELETE",
        "/files/file-1",
        {},
        None,
        {"id": "file-1", "object": "file", "deleted": True},
        DeletedObject,
    ),
    (
        "file list",
        lambda c: first(c.files.list(purpose="assistants", limit=100)),
        "GET",
        "/files",
        {"purpose": "assistants", "limit": "100"},
        None,
        listing(F),
        FileObject,
    ),
    (
        "vs create",
        lambda c: c.vector_stores.create({"name": "docs", "file_ids": ["file-1"]}),
        "POST",
        "/vector_stores",
        {},
        {"name": "docs", "file_ids": ["file-1"]},
        VS,
        VectorStore,
    ),
    (
        "vs list",
        lambda c: first(c.vector_stores.list()),
        "GET",
        "/vector_stores",
        {},
        None,
        listing(VS),
        VectorStore,
    ),
    (
        "vs get",
        lambda c: c.vector_stores.retrieve("vs_1"),
        "GET",
        "/vector_stores/vs_1",
        {},
        None,
        VS,
        VectorStore,
    ),
    (
        "vs modify",
        lambda c: c.vector_stores.update("vs_1", {"name": "n"}),
        "POST",
        "/vector_stores/vs_1",
        {},
        {"name": "n"},
        VS,
        VectorStore,
    ),
    (
        "vs delete",
        lambda c: c.vector_stores.delete("vs_1"),
        "DELETE",
        "/vector_stores/vs_1",
        {},
        None,
        deleted("vector_store.deleted"),
        DeletedObject,
    ),
    (
        "vs file add",
        lambda c: c.vector_store_files.create("vs_1", "file-1"),
        "POST",
        "/vector_stores/vs_1/files",
        {},
        {"file_id": "file-1"},
        VSF,
        VectorStoreFile,
    ),
    (
        "vs file list",
        lambda c: first(c.vector_store_files.list("vs_1", filter="completed")),
        "GET",
        "/vector_stores/vs_1/files",
        {"filter": "completed"},
        None,
        listing(VSF),
        VectorStoreFile,
    ),
    (
        "vs file get",
        lambda c: c.vector_store_files.retrieve("vs_1", "file-1"),
        "GET",
        "/vector_stores/vs_1/files/file-1",
        {},
        None,
        VSF,
        VectorStoreFile,
    ),
    (
        "vs file delete",
        lambda c: c.vector_store_files.delete("vs_1", "file-1"),
        "DELETE",
        "/vector_stores/vs_1/files/file-1",
        {},
        None,
        deleted("vector_store.file.deleted"),
        DeletedObject,
    ),
    (
        "batch create",
        lambda c: c.file_batches.create("vs_1", {"file_ids": ["file-1", "file-2"]}),
        "POST",
        "/vector_stores/vs_1/file_batches",
        {},
        {"file_ids": ["file-1", "file-2"]},
        VSB,
        VectorStoreFileBatch,
    ),
    (
        "batch get",
        lambda c: c.file_batches.retrieve("vs_1", "vsfb_1"),
        "GET",
        "/vector_stores/vs_1/file_batches/vsfb_1",
        {},
        None,
        VSB,
        VectorStoreFileBatch,
    ),
    (
        "batch cancel",
        lambda c: c.file_batches.cancel("vs_1", "vsfb_1"),
        "POST",
        "/vector_stores/vs_1/file_batches/vsfb_1/cancel",
        {},
        {},
        VSB,
        VectorStoreFileBatch,
    ),
    (
        "batch files",
        lambda c: first(c.file_batches.list_files("vs_1", "vsfb_1", filter="failed")),
        "GET",
        "/vector_stores/vs_1/file_batches/vsfb_1/files",
        {"filter": "failed"},
        None,
        listing(VSF),
        VectorStoreFile,
    ),
]

V1: list[tuple[str, Call, str, str, dict[str, str], Any, Any, type]] = [
    (
        "assistant file add",
        lambda c: c.assistant_files.create("asst_1", "file-1"),
        "POST",
        "/assistants/asst_1/files",
        {},
        {"file_id": "file-1"},
        AF,
        AssistantFile,
    ),
    (
        "assistant file list",
        lambda c: first(c.assistant_files.list("asst_1")),
        "GET",
        "/assistants/asst_1/files",
        {},
        None,
        listing(AF),
        AssistantFile,
    ),
    (
        "assistant file get",
        lambda c: c.assistant_files.retrieve("asst_1", "file-1"),
        "GET",
        "/assistants/asst_1/files/file-1",
        {},
        None,
        AF,
        AssistantFile,
    ),
    (
        "assistant file delete",
        lambda c: c.assistant_files.delete("asst_1", "file-1"),
        "DELETE",
        "/assistants/asst_1/files/file-1",
        {},
        None,
        deleted("assistant.file.deleted"),
        DeletedObject,
    ),
    (
        "message file list",
        lambda c: first(c.message_files.list("t1", "m1")),
        "GET",
        "/threads/t1/messages/m1/files",
        {},
        None,
        listing(MF),
        MessageFile,
    ),
    (
        "message file get",
        lambda c: c.message_files.retrieve("t1", "m1", "file-1"),
        "GET",
        "/threads/t1/messages/m1/files/file-1",
        {},
        None,
        MF,
        MessageFile,
    ),
    (
        "v1 assistant with file_ids",
        lambda c: c.assistants.create(
            {"model": "m", "tools": [{"type": "retrieval"}], "file_ids": ["file-1"]}
        ),
        "POST",
        "/assistants",
        {},
        {"model": "m", "tools": [{"type": "retrieval"}], "file_ids": ["file-1"]},
        A,
        Assistant,
    ),
]


def responder(response: Any):
    async def handler(request: httpx.Request) -> httpx.Response:
        return ok(response)

    return handler


async def check(make, dialect, prefix: str, row) -> None:
    _, call, method, path, query, body, response, expected = row
    h = make(responder(response), dialect)
    result = await call(h.client)
    assert isinstance(result, expected)
    (seen,) = h.server.seen
    assert seen.method == method
    assert seen.path == prefix + path
    params = dict(seen.url.params)
    params.pop("api-version", None)
    assert params == query
    if body is None:
        assert seen.body == b""
    else:
        sent = json.loads(seen.body)
        assert sent == body


@pytest.mark.parametrize("row", V2, ids=[r[0] for r in V2])
async def test_v2_endpoint_openai(make, row) -> None:
    await check(make, OpenAIDialect("http://127.0.0.1:9999/v1", KEY), "/v1", row)


@pytest.mark.parametrize("row", V2, ids=[r[0] for r in V2])
async def test_v2_endpoint_azure(make, row) -> None:
    await check(
        make,
        AzureDialect("https://r.openai.azure.com", "2024-05-01-preview", api_key=KEY),
        "/openai",
        row,
    )


@pytest.mark.parametrize("row", V1, ids=[r[0] for r in V1])
async def test_v1_endpoint_openai(make, row) -> None:
    await check(make, OpenAIDialect("http://127.0.0.1:9999/v1", KEY, family="v1"), "/v1", row)


@pytest.mark.parametrize("row", V1, ids=[r[0] for r in V1])
async def test_v1_endpoint_azure(make, row) -> None:
    await check(
        make,
        AzureDialect("https://r.openai.azure.com", "2024-04-01-preview", api_key=KEY),
        "/openai",
        row,
    )


async def test_message_create_body(make) -> None:
    h = make(responder(M))
    await h.client.messages.create(
        "t1",
        {
            "role": "user",
            "content": [{"type": "text", "text": "hi"}],
            "attachments": [{"file_id": "file-1", "tools": [{"type": "file_search"}]}],
        },
        client_id="cid",
    )
    sent = h.server.seen[0].json()
    assert sent == {
        "role": "user",
        "content": [{"type": "text", "text": "hi"}],
        "attachments": [{"file_id": "file-1", "tools": [{"type": "file_search"}]}],
        "metadata": {"playground_client_id": "cid"},
    }


async def test_version_gating(make) -> None:
    v1 = make(responder(A), OpenAIDialect("http://h/v1", family="v1")).client
    v2 = make(responder(A)).client
    with pytest.raises(UnsupportedFeatureError, match="only in Assistants v2"):
        await v1.vector_stores.create({"name": "x"})
    with pytest.raises(UnsupportedFeatureError, match="only in Assistants v2"):
        await v1.messages.delete("t1", "m1")
    with pytest.raises(UnsupportedFeatureError, match="only in Assistants v1"):
        await v2.assistant_files.create("asst_1", "file-1")
    with pytest.raises(UnsupportedFeatureError, match="only in Assistants v1"):
        v2.message_files.list("t1", "m1")


async def test_poll_after_header_is_exposed(make) -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return ok(R, headers={"openai-poll-after-ms": "750", "x-request-id": "req_3"})

    h = make(handler)
    fetched = await h.client.runs.retrieve_with_meta("t1", "r1")
    assert (
        fetched.value.id == "r1" and fetched.poll_after_ms == 750 and fetched.request_id == "req_3"
    )
    vsf = await make(responder(VSF)).client.vector_store_files.retrieve_with_meta("vs_1", "file-1")
    assert vsf.poll_after_ms is None and vsf.value.id == "file-1"


@pytest.mark.parametrize("status", [404, 405])
async def test_models_tolerates_servers_without_it(make, status: int) -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"error": {"message": "no route", "type": "x"}})

    assert await make(handler).client.models.list() == []


async def test_models_lists_and_still_reports_bad_keys(make) -> None:
    h = make(
        responder(
            listing(
                {"id": "gpt-4o", "object": "model", "owned_by": "me"},
                {"id": "local", "object": "model"},
            )
        )
    )
    models = await h.client.models.list()
    assert [m.id for m in models] == ["gpt-4o", "local"]
    assert h.server.seen[0].path == "/v1/models" and "openai-beta" not in h.server.seen[0].headers

    async def denied(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": {"message": "Incorrect API key", "type": "x"}})

    with pytest.raises(AuthenticationError):
        await make(denied).client.models.list()
