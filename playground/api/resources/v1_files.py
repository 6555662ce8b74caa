"""v1-only file links: ``/assistants/{id}/files`` and ``/threads/{id}/messages/{id}/files``."""

from __future__ import annotations

from ...protocol import DeletedObject
from ..pagination import AsyncPager, list_params
from ..wire_extras import AssistantFile, MessageFile
from .base import Resource, seg


class AssistantFiles(Resource):
    async def create(self, assistant_id: str, file_id: str) -> AssistantFile:
        self._require("v1", "Assistant files")
        body = {"file_id": seg(file_id, "file id")}
        # Linking a file twice keeps one link, so a retry cannot duplicate anything.
        return await self._post(self._files(assistant_id), body, AssistantFile, "assistant file")

    async def retrieve(self, assistant_id: str, file_id: str) -> AssistantFile:
        self._require("v1", "Assistant files")
        path = f"{self._files(assistant_id)}/{seg(file_id, 'file id')}"
        return await self._get(path, AssistantFile, "assistant file")

    async def delete(self, assistant_id: str, file_id: str) -> DeletedObject:
        self._require("v1", "Assistant files")
        return await self._delete(
            f"{self._files(assistant_id)}/{seg(file_id, 'file id')}", "assistant file"
        )

    def list(
        self,
        assistant_id: str,
        *,
        limit: int | None = None,
        order: str | None = None,
        after: str | None = None,
        before: str | None = None,
    ) -> AsyncPager[AssistantFile]:
        self._require("v1", "Assistant files")
        params = list_params(limit=limit, order=order, after=after, before=before)
        return self._pager(self._files(assistant_id), AssistantFile, "assistant files", params)

    @staticmethod
    def _files(assistant_id: str) -> str:
        return f"/assistants/{seg(assistant_id, 'assistant id')}/files"


class MessageFiles(Resource):
    async def retrieve(self, thread_id: str, message_id: str, file_id: str) -> MessageFile:
        self._require("v1", "Message files")
        path = f"{self._files(thread_id, message_id)}/{seg(file_id, 'file id')}"
        return await self._get(path, MessageFile, "message file")

    def list(
        self,
        thread_id: str,
        message_id: str,
        *,
        limit: int | None = None,
        order: str | None = None,
        after: str | None = None,
        before: str | None = None,
    ) -> AsyncPager[MessageFile]:
        self._require("v1", "Message files")
        params = list_params(limit=limit, order=order, after=after, before=before)
        return self._pager(self._files(thread_id, message_id), MessageFile, "message files", params)

    @staticmethod
    def _files(thread_id: str, message_id: str) -> str:
        return (
            f"/threads/{seg(thread_id, 'thread id')}/messages/{seg(message_id, 'message id')}/files"
        )
