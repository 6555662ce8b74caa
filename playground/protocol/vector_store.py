"""Vector stores, their files and file batches."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from .base import WireModel
from .common import LastError, Metadata
from .statuses import FileBatchStatus, VectorStoreFileStatus, VectorStoreStatus
from .tools import ChunkingStrategy


class FileCounts(WireModel):
    in_progress: int = 0
    completed: int = 0
    failed: int = 0
    cancelled: int = 0
    total: int = 0


class ExpiresAfter(WireModel):
    """Expire ``days`` after the ``anchor`` (only ``last_active_at``)."""

    anchor: str = "last_active_at"
    days: int


class VectorStore(WireModel):
    """``object: "vector_store"``."""

    id: str
    object: Literal["vector_store"] = "vector_store"
    created_at: int = 0
    name: str | None = None
    usage_bytes: int = 0
    file_counts: FileCounts = Field(default_factory=FileCounts)
    status: VectorStoreStatus | str = "completed"
    expires_after: ExpiresAfter | None = None
    expires_at: int | None = None
    last_active_at: int | None = None
    metadata: Metadata | None = None


class VectorStoreFile(WireModel):
    """``object: "vector_store.file"``; ``id`` is the file id."""

    id: str
    object: Literal["vector_store.file"] = "vector_store.file"
    usage_bytes: int = 0
    created_at: int = 0
    vector_store_id: str = ""
    status: VectorStoreFileStatus | str = "in_progress"
    last_error: LastError | None = None
    chunking_strategy: ChunkingStrategy | None = None
    attributes: dict[str, Any] | None = None


class VectorStoreFileBatch(WireModel):
    """``object: "vector_store.files_batch"``."""

    id: str
    # The OpenAI spec's own examples say "vector_store.file_batch"; accept any spelling.
    object: str = "vector_store.files_batch"
    created_at: int = 0
    vector_store_id: str = ""
    status: FileBatchStatus | str = "in_progress"
    file_counts: FileCounts = Field(default_factory=FileCounts)


class SearchResultContent(WireModel):
    type: str = "text"
    text: str = ""


class VectorStoreSearchResult(WireModel):
    """One chunk found by ``POST /vector_stores/{id}/search``, with its file and score."""

    file_id: str
    filename: str = ""
    score: float = 0.0
    attributes: dict[str, Any] | None = None
    content: list[SearchResultContent] = Field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(part.text for part in self.content)


class VectorStoreSearchPage(WireModel):
    """``object: "vector_store.search_results.page"``."""

    object: Literal["vector_store.search_results.page"] = "vector_store.search_results.page"
    search_query: list[str] | str = Field(default_factory=list)
    data: list[VectorStoreSearchResult] = Field(default_factory=list)
    has_more: bool = False
    next_page: str | None = None
