"""``/assistants``: create, read, change, delete and list assistants."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...protocol import Assistant, CreateAssistant, DeletedObject, ModifyAssistant
from ..pagination import AsyncPager, list_params
from .base import Resource, request_body, seg


class Assistants(Resource):
    async def create(self, request: CreateAssistant | Mapping[str, Any]) -> Assistant:
        """Create an assistant; never re-sent after an ambiguous failure."""
        body = request_body(request, CreateAssistant)
        return await self._post("/assistants", body, Assistant, "assistant", idempotent=False)

    async def retrieve(self, assistant_id: str) -> Assistant:
        return await self._get(
            f"/assistants/{seg(assistant_id, 'assistant id')}", Assistant, "assistant"
        )

    async def update(
        self, assistant_id: str, request: ModifyAssistant | Mapping[str, Any]
    ) -> Assistant:
        """Change the fields given; sending the same change twice is harmless."""
        body = request_body(request, ModifyAssistant)
        path = f"/assistants/{seg(assistant_id, 'assistant id')}"
        return await self._post(path, body, Assistant, "assistant")

    async def delete(self, assistant_id: str) -> DeletedObject:
        return await self._delete(f"/assistants/{seg(assistant_id, 'assistant id')}", "assistant")

    def list(
        self,
        *,
        limit: int | None = None,
        order: str | None = None,
        after: str | None = None,
        before: str | None = None,
    ) -> AsyncPager[Assistant]:
        params = list_params(limit=limit, order=order, after=after, before=before)
        return self._pager("/assistants", Assistant, "assistants", params)
