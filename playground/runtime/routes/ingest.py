"""Vector stores and their files: creation and background ingestion into file search.

Attaching a file creates a ``vector_store.file`` in ``in_progress`` and schedules a task
that reads the bytes, extracts text, and indexes chunks with the file-search
``SearchIndex``. The task settles the file ``completed`` or ``failed`` (with a
``last_error`` a person can read), then recounts the store and any batches it belongs to.
"""

from __future__ import annotations

import logging
from typing import Any

from ..errors import bad_request, public_reason
from ..file_search.errors import ExtractionError, InvalidChunking, UnsupportedFileType
from ..ids import new_id
from ..store import Obj, now
from .context import Context

log = logging.getLogger(__name__)

AUTO_CHUNKING = {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400}


def chunking_strategy(value: Any, param: str = "chunking_strategy") -> Obj:
    """Validate a request chunking strategy; returns the stored ``static`` form."""
    if value is None or (isinstance(value, dict) and value.get("type") == "auto"):
        return {"type": "static", "static": dict(AUTO_CHUNKING)}
    if not isinstance(value, dict) or value.get("type") != "static":
        raise bad_request(
            "Invalid 'chunking_strategy': 'type' must be 'auto' or 'static'.",
            param=f"{param}.type",
            code="invalid_value",
        )
    static = value.get("static")
    if not isinstance(static, dict):
        raise bad_request(
            "Missing required parameter: 'chunking_strategy.static'.", param=f"{param}.static"
        )
    size = static.get("max_chunk_size_tokens")
    overlap = static.get("chunk_overlap_tokens")
    if isinstance(size, bool) or not isinstance(size, int) or not 100 <= size <= 4096:
        raise bad_request(
            "'chunking_strategy.static.max_chunk_size_tokens' must be an integer from 100 to 4096.",
            param=f"{param}.static.max_chunk_size_tokens",
        )
    if (
        isinstance(overlap, bool)
        or not isinstance(overlap, int)
        or overlap < 0
        or overlap > size // 2
    ):
        raise bad_request(
            "'chunking_strategy.static.chunk_overlap_tokens' must be an integer from 0 to "
            "half of max_chunk_size_tokens.",
            param=f"{param}.static.chunk_overlap_tokens",
        )
    return {
        "type": "static",
        "static": {"max_chunk_size_tokens": size, "chunk_overlap_tokens": overlap},
    }


async def require_files(context: Context, file_ids: list[str], param: str) -> None:
    """400 naming the first id that is not an uploaded file."""
    for index, file_id in enumerate(file_ids):
        if await context.store.get_file(file_id) is None:
            raise bad_request(f"No file found with id '{file_id}'.", param=f"{param}[{index}]")


async def require_file(context: Context, file_id: str, param: str) -> None:
    """400 naming ``param`` when ``file_id`` is not an uploaded file."""
    if await context.store.get_file(file_id) is None:
        raise bad_request(f"No file found with id '{file_id}'.", param=param)


async def create_vector_store(
    context: Context,
    *,
    name: str | None = None,
    file_ids: list[str] | None = None,
    chunking: Obj | None = None,
    metadata: dict[str, str] | None = None,
    expires_after: Obj | None = None,
) -> Obj:
    """Store a new vector store and start ingesting ``file_ids`` (already validated)."""
    created = now()
    store_obj: Obj = {
        "id": new_id("vector_store"),
        "object": "vector_store",
        "created_at": created,
        "name": name or "",
        "usage_bytes": 0,
        "file_counts": {"in_progress": 0, "completed": 0, "failed": 0, "cancelled": 0, "total": 0},
        "status": "completed",
        "expires_at": created + expires_after["days"] * 86400 if expires_after else None,
        "last_active_at": created,
        "metadata": metadata or {},
    }
    if expires_after is not None:
        # Optional but not nullable in the spec: absent when unset.
        store_obj["expires_after"] = expires_after
    await context.store.insert("vector_store", store_obj)
    for file_id in file_ids or []:
        await attach_file(context, store_obj["id"], file_id, chunking or chunking_strategy(None))
    return await context.store.refresh_vector_store(store_obj["id"]) or store_obj


async def attach_file(
    context: Context,
    vector_store_id: str,
    file_id: str,
    chunking: Obj,
    *,
    batch_id: str | None = None,
    attributes: Obj | None = None,
) -> Obj:
    """Add a file to a store (idempotent per file) and schedule its ingestion."""
    store = context.store
    existing = await store.get("vector_store_file", file_id, parent=vector_store_id)
    if existing is not None:
        if batch_id is not None:

            def join(obj: Obj) -> Obj:
                obj["_batch_ids"] = [*obj.get("_batch_ids", []), batch_id]
                return obj

            existing = (
                await store.mutate("vector_store_file", file_id, join, parent=vector_store_id)
                or existing
            )
        return existing
    vs_file: Obj = {
        "id": file_id,
        "object": "vector_store.file",
        "usage_bytes": 0,
        "created_at": now(),
        "vector_store_id": vector_store_id,
        "status": "in_progress",
        "last_error": None,
        "chunking_strategy": chunking,
        "attributes": attributes or {},
        "_batch_ids": [batch_id] if batch_id else [],
    }
    await store.insert("vector_store_file", vs_file, parent=vector_store_id)
    await store.refresh_vector_store(vector_store_id)
    context.spawn(_ingest(context, vector_store_id, file_id, chunking))
    return vs_file


async def _ingest(context: Context, vector_store_id: str, file_id: str, chunking: Obj) -> None:
    store = context.store
    error: Obj | None = None
    usage = 0
    try:
        file_obj = await store.get_file(file_id)
        if file_obj is None:
            raise FileNotFoundError(f"The file '{file_id}' no longer exists.")
        data = await store.read_file_bytes(file_id)
        text = await context.search.aextract_text(file_obj["filename"], data)
        static = chunking["static"]
        await context.search.index_file(
            vector_store_id,
            file_id,
            file_obj["filename"],
            text,
            max_chunk_tokens=static["max_chunk_size_tokens"],
            overlap_tokens=static["chunk_overlap_tokens"],
        )
        usage = len(text.encode("utf-8"))
    except UnsupportedFileType as exc:
        error = {"code": "unsupported_file", "message": str(exc)}
    except (ExtractionError, InvalidChunking) as exc:
        error = {"code": "invalid_file", "message": str(exc)}
    except FileNotFoundError as exc:
        error = {"code": "invalid_file", "message": public_reason(exc)}
    except Exception as exc:
        log.exception("indexing %s into %s failed", file_id, vector_store_id)
        error = {
            "code": "server_error",
            "message": f"Indexing the file failed: {public_reason(exc)}",
        }

    def settle(obj: Obj) -> Obj:
        # A cancel (batch cancel or detach) wins over a late finish.
        if obj["status"] == "in_progress":
            obj["status"] = "failed" if error else "completed"
            obj["last_error"] = error
            obj["usage_bytes"] = usage
        return obj

    settled = await store.mutate("vector_store_file", file_id, settle, parent=vector_store_id)
    if settled is None or settled["status"] != "completed":
        # Detached or cancelled meanwhile: make sure no chunks stay searchable.
        await _forget(context, vector_store_id, file_id)
    await store.refresh_vector_store(vector_store_id)
    for batch_id in (settled or {}).get("_batch_ids", []):
        await store.refresh_file_batch(vector_store_id, batch_id)


async def _forget(context: Context, vector_store_id: str, file_id: str) -> None:
    try:
        await context.search.remove_file(vector_store_id, file_id)
    except Exception:
        log.exception("removing %s from the index of %s failed", file_id, vector_store_id)


async def detach_file(context: Context, vector_store_id: str, file_id: str) -> bool:
    deleted = await context.store.delete("vector_store_file", file_id, parent=vector_store_id)
    if deleted:
        await _forget(context, vector_store_id, file_id)
        await context.store.refresh_vector_store(vector_store_id)
    return deleted


async def delete_vector_store(context: Context, vector_store_id: str) -> bool:
    store = context.store
    if not await store.delete("vector_store", vector_store_id):
        return False
    for kind in ("vector_store_file", "file_batch"):
        for obj in await store.list_all(kind, parent=vector_store_id):
            await store.delete(kind, obj["id"], parent=vector_store_id)
    try:
        await context.search.delete_store(vector_store_id)
    except Exception:
        log.exception("dropping the index of %s failed", vector_store_id)
    return True
