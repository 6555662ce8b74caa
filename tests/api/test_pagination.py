"""Cursor pagination: auto-paging with ``after``, single pages, the old /files envelope."""

from __future__ import annotations

import httpx
import pytest

from playground.api import APIResponseValidationError

from .conftest import ok

ITEMS = [{"id": f"asst_{i:02d}", "object": "assistant", "model": "m"} for i in range(7)]


async def paged(request: httpx.Request) -> httpx.Response:
    """Serves ITEMS three at a time, honouring ``after`` like a real server."""
    params = request.url.params
    limit = int(params.get("limit", "20"))
    start = 0
    if "after" in params:
        start = next(i for i, item in enumerate(ITEMS) if item["id"] == params["after"]) + 1
    chunk = ITEMS[start : start + limit]
    return ok(
        {
            "object": "list",
            "data": chunk,
            "first_id": chunk[0]["id"] if chunk else None,
            "last_id": chunk[-1]["id"] if chunk else None,
            "has_more": start + limit < len(ITEMS),
        }
    )


async def test_async_for_walks_every_page(make) -> None:
    h = make(paged)
    ids = [a.id async for a in h.client.assistants.list(limit=3, order="asc")]
    assert ids == [item["id"] for item in ITEMS]
    afters = [seen.url.params.get("after") for seen in h.server.seen]
    assert afters == [None, "asst_02", "asst_05"]
    assert all(seen.url.params["order"] == "asc" for seen in h.server.seen)


async def test_page_returns_one_page_and_cursor_overrides(make) -> None:
    h = make(paged)
    pager = h.client.assistants.list(limit=3)
    first = await pager.page()
    assert [a.id for a in first.data] == ["asst_00", "asst_01", "asst_02"]
    assert first.has_more and first.last_id == "asst_02"
    second = await pager.page(after=first.last_id)
    assert second.data[0].id == "asst_03"
    assert len(h.server.seen) == 2


async def test_to_list_stops_early(make) -> None:
    h = make(paged)
    items = await h.client.assistants.list(limit=3).to_list(max_items=4)
    assert len(items) == 4
    assert len(h.server.seen) == 2


async def test_old_files_envelope_without_cursors(make) -> None:
    async def old(request: httpx.Request) -> httpx.Response:
        data = [
            {
                "id": "file-1",
                "object": "file",
                "filename": "a.pdf",
                "purpose": "assistants",
                "bytes": 10,
                "status": "processed",
            }
        ]
        return ok({"object": "list", "data": data})

    h = make(old)
    files = [f async for f in h.client.files.list(purpose="assistants")]
    assert [f.id for f in files] == ["file-1"]
    assert h.server.seen[0].url.params["purpose"] == "assistants"
    assert len(h.server.seen) == 1


async def test_server_ignoring_after_does_not_loop_forever(make) -> None:
    async def stuck(request: httpx.Request) -> httpx.Response:
        return ok({"object": "list", "data": ITEMS[:2], "has_more": True})

    h = make(stuck)
    with pytest.raises(APIResponseValidationError, match="ignore"):
        _ = [a async for a in h.client.assistants.list()]
    assert len(h.server.seen) == 2


async def test_has_more_with_empty_page_stops(make) -> None:
    async def empty(request: httpx.Request) -> httpx.Response:
        return ok({"object": "list", "data": [], "has_more": True})

    h = make(empty)
    assert [a async for a in h.client.assistants.list()] == []
    assert len(h.server.seen) == 1


async def test_messages_list_filters(make) -> None:
    async def msgs(request: httpx.Request) -> httpx.Response:
        return ok({"object": "list", "data": [], "has_more": False})

    h = make(msgs)
    await h.client.messages.list("thread_1", run_id="run_1", limit=5, before="msg_9").page()
    params = h.server.seen[0].url.params
    assert h.server.seen[0].path == "/v1/threads/thread_1/messages"
    assert dict(params) == {"limit": "5", "before": "msg_9", "run_id": "run_1"}
