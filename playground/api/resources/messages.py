"""``/threads/{id}/messages``, with at-most-once posting.

Every post carries an ``Idempotency-Key`` (the client-made id). A server that honours it
(the embedded runtime; it says so in a response header, or the dialect knows) returns the
first message when the same key comes again, so after an ambiguous failure we simply post
again with the same key, and the user's 16 metadata pairs stay theirs.

Elsewhere the id also goes into ``metadata``
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
from ..constants import (
    CLIENT_ID_METADATA_KEY,
    IDEMPOTENCY_HONOURED_HEADER,
    IDEMPOTENCY_KEY_HEADER,
    METADATA_MAX_PAIRS,
    RECOVERY_LIST_LIMIT,
)
from ..errors import APIConnectionError, AssistantsError, InternalServerError
from ..http_errors import parse
from ..pagination import AsyncPager, list_params
from ..transport import Call
from .base import Resource, request_body, seg


def _ambiguous(error: AssistantsError) -> bool:
    if isinstance(error, InternalServerError):
        return True
    return isinstance(error, APIConnectionError) and error.request_may_have_succeeded


class Messages(Resource):
    #: Learned from the server's answer (None: not known yet, ask the dialect).
    _honours_key: bool | None = None

    @property
    def honours_idempotency_key(self) -> bool:
        """Whether the server deduplicates message posts by ``Idempotency-Key``."""
        if self._honours_key is not None:
            return self._honours_key
        return bool(getattr(self._t.dialect, "honours_idempotency_key", False))

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
        key = client_id or uuid.uuid4().hex
        keyed = self.honours_idempotency_key
        metadata = dict(body.get("metadata") or {})
        if (
            not keyed
            and CLIENT_ID_METADATA_KEY not in metadata
            and len(metadata) < METADATA_MAX_PAIRS
        ):
            metadata[CLIENT_ID_METADATA_KEY] = key
        marker = metadata.get(CLIENT_ID_METADATA_KEY)
        if metadata:
            body["metadata"] = metadata
        # The transport may retry it as it would any idempotent call when the key is honoured.
        call = Call(
            "POST",
            path,
            json=body,
            idempotent=keyed,
            headers=((IDEMPOTENCY_KEY_HEADER, key),),
        )
        attempt = 0
        while True:
            try:
                response = await self._t.send(call)
                self._honours_key = response.headers.get(IDEMPOTENCY_HONOURED_HEADER) == "true"
                return parse(response, Message, "message")
            except (APIConnectionError, InternalServerError) as error:
                if not _ambiguous(error) or (marker is None and not keyed):
                    raise
                if keyed:
                    if attempt >= self._t.max_retries:
                        raise
                    await self._t.sleep(self._t.backoff(attempt))
                    attempt += 1
                    continue
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
