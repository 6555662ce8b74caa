"""``/threads/{id}/messages``, with at-most-once posting.

Each posted message carries a client-made id in ``metadata``
(:data:`~playground.api.constants.CLIENT_ID_METADATA_KEY`). If posting fails in a way
that leaves us unsure whether the server stored it (timeout or connection lost after
sending, or a 5xx), we look for that id among the thread's newest messages and return
the stored message instead of posting a second copy. Only if it is not there do we
post again.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from ...protocol import CreateMessage, DeletedObject, Message, ModifyMessage
from ..constants import CLIENT_ID_METADATA_KEY, METADATA_MAX_PAIRS, RECOVERY_LIST_LIMIT
from ..errors import APIConnectionError, AssistantsError, InternalServerError
from ..pagination import AsyncPager, list_params
from ..transport import Call
from .base import Resource, request_body, seg


def _ambiguous(error: AssistantsError) -> bool:
    if isinstance(error, InternalServerError):
        return True
    return isinstance(error, APIConnectionError) and error.request_may_have_succeeded


class Messages(Resource):
    async def create(
        self,
        thread_id: str,
        request: CreateMessage | Mapping[str, Any],
        *,
        client_id: str | None = None,
    ) -> Message:
        """Post a message at most once (see the module docstring).

        ``client_id`` defaults to a fresh UUID; pass your own to recognise the message
        later (the chat view keys its optimistic bubble on it).
        """
        path = f"/threads/{seg(thread_id, 'thread id')}/messages"
        body = request_body(request, CreateMessage)
        metadata = dict(body.get("metadata") or {})
        if CLIENT_ID_METADATA_KEY not in metadata and len(metadata) < METADATA_MAX_PAIRS:
            metadata[CLIENT_ID_METADATA_KEY] = client_id or uuid.uuid4().hex
        marker = metadata.get(CLIENT_ID_METADATA_KEY)
        if metadata:
            body["metadata"] = metadata
        call = Call("POST", path, json=body, idempotent=False)
        attempt = 0
        while True:
            try:
                return await self._call(call, Message, "message")
            except (APIConnectionError, InternalServerError) as error:
                if not _ambiguous(error) or marker is None:
                    raise
                try:
                    existing = await self._find(thread_id, str(marker))
                except AssistantsError:
                    raise error from None  # the original failure is the one to report
                if existing is not None:
                    return existing
                if attempt >= self._t.max_retries:
                    raise
                await self._t.sleep(self._t.backoff(attempt))
                attempt += 1

    async def _find(self, thread_id: str, marker: str) -> Message | None:
        page = await self.list(thread_id, limit=RECOVERY_LIST_LIMIT, order="desc").page()
        for message in page.data:
            if (message.metadata or {}).get(CLIENT_ID_METADATA_KEY) == marker:
                return message
        return None

    async def retrieve(self, thread_id: str, message_id: str) -> Message:
        return await self._get(self._path(thread_id, message_id), Message, "message")

    async def update(
        self, thread_id: str, message_id: str, request: ModifyMessage | Mapping[str, Any]
    ) -> Message:
        body = request_body(request, ModifyMessage)
        return await self._post(self._path(thread_id, message_id), body, Message, "message")

    async def delete(self, thread_id: str, message_id: str) -> DeletedObject:
        self._require("v2", "Message deletion")
        return await self._delete(self._path(thread_id, message_id), "message")

    def list(
        self,
        thread_id: str,
        *,
        run_id: str | None = None,
        limit: int | None = None,
        order: str | None = None,
        after: str | None = None,
        before: str | None = None,
    ) -> AsyncPager[Message]:
        path = f"/threads/{seg(thread_id, 'thread id')}/messages"
        params = list_params(limit=limit, order=order, after=after, before=before, run_id=run_id)
        return self._pager(path, Message, "messages", params)

    @staticmethod
    def _path(thread_id: str, message_id: str) -> str:
        return f"/threads/{seg(thread_id, 'thread id')}/messages/{seg(message_id, 'message id')}"
