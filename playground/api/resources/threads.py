"""``/threads``: conversations (listing only where the server offers it, e.g. Foundry)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...protocol import CreateThread, DeletedObject, ModifyThread, Thread
from ..errors import UnsupportedFeatureError
from ..pagination import AsyncPager, list_params
from .base import Resource, request_body, seg


class Threads(Resource):
    async def create(self, request: CreateThread | Mapping[str, Any] | None = None) -> Thread:
        """Create a thread (optionally with messages); never re-sent after an ambiguous failure."""
        body = request_body(request, CreateThread)
        return await self._post("/threads", body, Thread, "thread", idempotent=False)

    async def retrieve(self, thread_id: str) -> Thread:
        return await self._get(f"/threads/{seg(thread_id, 'thread id')}", Thread, "thread")

    async def update(self, thread_id: str, request: ModifyThread | Mapping[str, Any]) -> Thread:
        body = request_body(request, ModifyThread)
        return await self._post(f"/threads/{seg(thread_id, 'thread id')}", body, Thread, "thread")

    async def delete(self, thread_id: str) -> DeletedObject:
        return await self._delete(f"/threads/{seg(thread_id, 'thread id')}", "thread")

    def list(
        self,
        *,
        limit: int | None = None,
        order: str | None = None,
        after: str | None = None,
        before: str | None = None,
    ) -> AsyncPager[Thread]:
        """``GET /threads``: only Foundry (and servers that opt in) can list threads."""
        if not self._t.dialect.can_list_threads:
            raise UnsupportedFeatureError(
                "This server cannot list threads; the playground keeps its own list instead."
            )
        params = list_params(limit=limit, order=order, after=after, before=before)
        return self._pager("/threads", Thread, "threads", params)
