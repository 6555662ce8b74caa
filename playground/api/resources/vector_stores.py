"""``/vector_stores`` (v2): stores, their files, and file batches."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...protocol import (
    CreateVectorStore,
    CreateVectorStoreFile,
    CreateVectorStoreFileBatch,
    DeletedObject,
    ModifyVectorStore,
    ModifyVectorStoreFile,
    SearchVectorStore,
    VectorStore,
    VectorStoreFile,
    VectorStoreFileBatch,
    VectorStoreSearchPage,
)
from ..pagination import AsyncPager, list_params
from ..transport import Call
from ..wire_extras import Fetched
from .base import Resource, request_body, seg

_FILTERS = ("in_progress", "completed", "failed", "cancelled")


def _store(vector_store_id: str) -> str:
    return f"/vector_stores/{seg(vector_store_id, 'vector store id')}"


def _filter(value: str | None) -> str | None:
    if value is not None and value not in _FILTERS:
        raise ValueError(f"filter must be one of {', '.join(_FILTERS)}, not {value!r}")
    return value


class VectorStores(Resource):
    async def create(
        self, request: CreateVectorStore | Mapping[str, Any] | None = None
    ) -> VectorStore:
        self._require("v2", "Vector stores")
        body = request_body(request, CreateVectorStore)
        return await self._post(
            "/vector_stores", body, VectorStore, "vector store", idempotent=False
        )

    async def retrieve(self, vector_store_id: str) -> VectorStore:
        self._require("v2", "Vector stores")
        return await self._get(_store(vector_store_id), VectorStore, "vector store")

    async def update(
        self, vector_store_id: str, request: ModifyVectorStore | Mapping[str, Any]
    ) -> VectorStore:
        self._require("v2", "Vector stores")
        body = request_body(request, ModifyVectorStore)
        return await self._post(_store(vector_store_id), body, VectorStore, "vector store")

    async def delete(self, vector_store_id: str) -> DeletedObject:
        self._require("v2", "Vector stores")
        return await self._delete(_store(vector_store_id), "vector store")

    async def search(
        self, vector_store_id: str, request: SearchVectorStore | Mapping[str, Any] | str
    ) -> VectorStoreSearchPage:
        """What file search finds in one store for a query (give the text, or a full request
        with ``filters`` and ``max_num_results``). Reading, so it may be retried."""
        self._require("v2", "Vector stores")
        if isinstance(request, str):
            request = SearchVectorStore(query=request)
        body = request_body(request, SearchVectorStore)
        path = _store(vector_store_id) + "/search"
        return await self._post(path, body, VectorStoreSearchPage, "vector store search")

    def list(
        self,
        *,
        limit: int | None = None,
        order: str | None = None,
        after: str | None = None,
        before: str | None = None,
    ) -> AsyncPager[VectorStore]:
        self._require("v2", "Vector stores")
        params = list_params(limit=limit, order=order, after=after, before=before)
        return self._pager("/vector_stores", VectorStore, "vector stores", params)


class VectorStoreFiles(Resource):
    async def create(
        self, vector_store_id: str, request: CreateVectorStoreFile | Mapping[str, Any] | str
    ) -> VectorStoreFile:
        """Attach an uploaded file (give its id, or a full request)."""
        self._require("v2", "Vector stores")
        if isinstance(request, str):
            request = CreateVectorStoreFile(file_id=request)
        body = request_body(request, CreateVectorStoreFile)
        # Attaching the same file twice is harmless: the server keeps one link.
        path = _store(vector_store_id) + "/files"
        return await self._post(path, body, VectorStoreFile, "vector store file")

    async def retrieve(self, vector_store_id: str, file_id: str) -> VectorStoreFile:
        self._require("v2", "Vector stores")
        return await self._get(
            self._file(vector_store_id, file_id), VectorStoreFile, "vector store file"
        )

    async def retrieve_with_meta(
        self, vector_store_id: str, file_id: str
    ) -> Fetched[VectorStoreFile]:
        """The file link plus the server's poll hint, for waiting on indexing."""
        self._require("v2", "Vector stores")
        call = Call("GET", self._file(vector_store_id, file_id))
        return await self._fetch(call, VectorStoreFile, "vector store file")

    async def update(
        self, vector_store_id: str, file_id: str, attributes: Mapping[str, str | float | bool]
    ) -> VectorStoreFile:
        """Replace the file's attributes (what search filters select on)."""
        self._require("v2", "Vector stores")
        body = request_body({"attributes": dict(attributes)}, ModifyVectorStoreFile)
        path = self._file(vector_store_id, file_id)
        return await self._post(path, body, VectorStoreFile, "vector store file")

    async def delete(self, vector_store_id: str, file_id: str) -> DeletedObject:
        """Detach the file from the store; the uploaded file itself stays."""
        self._require("v2", "Vector stores")
        return await self._delete(self._file(vector_store_id, file_id), "vector store file")

    def list(
        self,
        vector_store_id: str,
        *,
        filter: str | None = None,
        limit: int | None = None,
        order: str | None = None,
        after: str | None = None,
        before: str | None = None,
    ) -> AsyncPager[VectorStoreFile]:
        self._require("v2", "Vector stores")
        params = list_params(
            limit=limit, order=order, after=after, before=before, filter=_filter(filter)
        )
        return self._pager(
            _store(vector_store_id) + "/files", VectorStoreFile, "vector store files", params
        )

    @staticmethod
    def _file(vector_store_id: str, file_id: str) -> str:
        return f"{_store(vector_store_id)}/files/{seg(file_id, 'file id')}"


class FileBatches(Resource):
    async def create(
        self, vector_store_id: str, request: CreateVectorStoreFileBatch | Mapping[str, Any]
    ) -> VectorStoreFileBatch:
        self._require("v2", "Vector stores")
        body = request_body(request, CreateVectorStoreFileBatch)
        path = _store(vector_store_id) + "/file_batches"
        return await self._post(path, body, VectorStoreFileBatch, "file batch", idempotent=False)

    async def retrieve(self, vector_store_id: str, batch_id: str) -> VectorStoreFileBatch:
        self._require("v2", "Vector stores")
        return await self._get(
            self._batch(vector_store_id, batch_id), VectorStoreFileBatch, "file batch"
        )

    async def retrieve_with_meta(
        self, vector_store_id: str, batch_id: str
    ) -> Fetched[VectorStoreFileBatch]:
        self._require("v2", "Vector stores")
        call = Call("GET", self._batch(vector_store_id, batch_id))
        return await self._fetch(call, VectorStoreFileBatch, "file batch")

    async def cancel(self, vector_store_id: str, batch_id: str) -> VectorStoreFileBatch:
        self._require("v2", "Vector stores")
        path = self._batch(vector_store_id, batch_id) + "/cancel"
        return await self._post(path, None, VectorStoreFileBatch, "file batch")

    def list_files(
        self,
        vector_store_id: str,
        batch_id: str,
        *,
        filter: str | None = None,
        limit: int | None = None,
        order: str | None = None,
        after: str | None = None,
        before: str | None = None,
    ) -> AsyncPager[VectorStoreFile]:
        self._require("v2", "Vector stores")
        params = list_params(
            limit=limit, order=order, after=after, before=before, filter=_filter(filter)
        )
        path = self._batch(vector_store_id, batch_id) + "/files"
        return self._pager(path, VectorStoreFile, "batch files", params)

    @staticmethod
    def _batch(vector_store_id: str, batch_id: str) -> str:
        return f"{_store(vector_store_id)}/file_batches/{seg(batch_id, 'batch id')}"
