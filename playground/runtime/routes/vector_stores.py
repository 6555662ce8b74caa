"""``/vector_stores`` with files and file batches (v2 only)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ...protocol.requests import (
    CreateVectorStore,
    CreateVectorStoreFile,
    CreateVectorStoreFileBatch,
    ModifyVectorStore,
    ModifyVectorStoreFile,
    SearchVectorStore,
)
from ...protocol.shapes import Shape, fit
from ..errors import bad_request, not_found
from ..file_search.filters import matches
from ..ids import new_id
from ..pagination import list_envelope, parse_page_query
from ..store import Obj, file_counts, now, public
from .common import deleted, dump, load, parse_request, path
from .context import ctx
from .dialect import checked, dialect
from .ingest import (
    attach_file,
    chunking_strategy,
    create_vector_store,
    delete_vector_store,
    detach_file,
    require_file,
    require_files,
)

FILE_FILTERS = ("in_progress", "completed", "failed", "cancelled")
POLL_AFTER_MS = {"openai-poll-after-ms": "200"}


def _v2_only(request: Request) -> Shape:
    version = dialect(request)
    if version == "v1":
        raise bad_request(
            "Vector stores are part of Assistants v2; use 'OpenAI-Beta: assistants=v2' "
            "or api-version 2024-05-01-preview or later."
        )
    return version


def _store_view(obj: Obj) -> Obj:
    """Public form; a store past its ``expires_at`` reads as ``expired``."""
    view = public(obj)
    expires_at = view.get("expires_at")
    if expires_at is not None and now() >= expires_at:
        view["status"] = "expired"
    return checked("vector_store", view)


def _batch_view(obj: Obj) -> Obj:
    return checked("file_batch", public(obj))


def _vs_file(obj: Obj, version: Shape) -> Obj:
    return checked("vector_store_file", fit("vector_store_file", public(obj), version))


async def create_store(request: Request) -> Response:
    _v2_only(request)
    context = ctx(request)
    body = await parse_request(request, CreateVectorStore, "v2", required=False)
    file_ids = list(body.file_ids or [])
    await require_files(context, file_ids, "file_ids")
    store = await create_vector_store(
        context,
        name=body.name,
        file_ids=file_ids,
        chunking=chunking_strategy(dump(body.chunking_strategy)),
        metadata=body.metadata,
        expires_after=dump(body.expires_after),
    )
    return JSONResponse(_store_view(store))


async def list_stores(request: Request) -> Response:
    _v2_only(request)
    query = parse_page_query(request.query_params)
    items, has_more = await ctx(request).store.list_page("vector_store", query)
    return JSONResponse(list_envelope([_store_view(i) for i in items], has_more))


async def get_store(request: Request) -> Response:
    _v2_only(request)
    store = await load(request, "vector_store", path(request, "vector_store_id"))
    headers = POLL_AFTER_MS if store["status"] == "in_progress" else None
    return JSONResponse(_store_view(store), headers=headers)


async def modify_store(request: Request) -> Response:
    _v2_only(request)
    context = ctx(request)
    store_id = path(request, "vector_store_id")
    await load(request, "vector_store", store_id)
    body = await parse_request(request, ModifyVectorStore, "v2", required=False)
    sent = body.model_fields_set
    changes: Obj = {}
    if "name" in sent:
        changes["name"] = body.name or ""
    if "metadata" in sent:
        changes["metadata"] = body.metadata or {}
    if "expires_after" in sent:
        expires = dump(body.expires_after)
        changes["expires_after"] = expires
        changes["expires_at"] = now() + expires["days"] * 86400 if expires else None

    def apply(obj: Obj) -> Obj:
        obj.update(changes)
        if obj.get("expires_after") is None:
            obj.pop("expires_after", None)
        return obj

    updated = await context.store.mutate("vector_store", store_id, apply)
    if updated is None:
        raise not_found("vector_store", store_id)
    return JSONResponse(_store_view(updated))


async def delete_store(request: Request) -> Response:
    _v2_only(request)
    store_id = path(request, "vector_store_id")
    if not await delete_vector_store(ctx(request), store_id):
        raise not_found("vector_store", store_id)
    return deleted(store_id, "vector_store.deleted")


def _status_filter(request: Request) -> str | None:
    value = request.query_params.get("filter")
    if value and value not in FILE_FILTERS:
        raise bad_request(
            f"Invalid value for 'filter': '{value}'. Supported values are: "
            + ", ".join(f"'{f}'" for f in FILE_FILTERS)
            + ".",
            param="filter",
            code="invalid_value",
        )
    return value or None


async def add_store_file(request: Request) -> Response:
    version = _v2_only(request)
    context = ctx(request)
    store = await load(request, "vector_store", path(request, "vector_store_id"))
    body = await parse_request(request, CreateVectorStoreFile, "v2")
    await require_file(context, body.file_id, "file_id")
    vs_file = await attach_file(
        context,
        store["id"],
        body.file_id,
        chunking_strategy(dump(body.chunking_strategy)),
        attributes=body.attributes,
    )
    return JSONResponse(_vs_file(vs_file, version))


async def list_store_files(request: Request) -> Response:
    version = _v2_only(request)
    store = await load(request, "vector_store", path(request, "vector_store_id"))
    query = parse_page_query(request.query_params)
    items, has_more = await ctx(request).store.list_page(
        "vector_store_file", query, parent=store["id"], status=_status_filter(request)
    )
    return JSONResponse(list_envelope([_vs_file(i, version) for i in items], has_more))


async def get_store_file(request: Request) -> Response:
    version = _v2_only(request)
    store = await load(request, "vector_store", path(request, "vector_store_id"))
    vs_file = await load(request, "vector_store_file", path(request, "file_id"), parent=store["id"])
    headers = POLL_AFTER_MS if vs_file["status"] == "in_progress" else None
    return JSONResponse(_vs_file(vs_file, version), headers=headers)


async def modify_store_file(request: Request) -> Response:
    """Replace a file's attributes (the search filters read them)."""
    version = _v2_only(request)
    store = await load(request, "vector_store", path(request, "vector_store_id"))
    file_id = path(request, "file_id")
    await load(request, "vector_store_file", file_id, parent=store["id"])
    body = await parse_request(request, ModifyVectorStoreFile, "v2")

    def apply(obj: Obj) -> Obj:
        obj["attributes"] = body.attributes or {}
        return obj

    updated = await ctx(request).store.mutate(
        "vector_store_file", file_id, apply, parent=store["id"]
    )
    if updated is None:
        raise not_found("vector_store_file", file_id)
    return JSONResponse(_vs_file(updated, version))


async def store_file_content(request: Request) -> Response:
    """The text the index holds for a file, one item per chunk (chunks overlap as indexed)."""
    _v2_only(request)
    context = ctx(request)
    store = await load(request, "vector_store", path(request, "vector_store_id"))
    file_id = path(request, "file_id")
    await load(request, "vector_store_file", file_id, parent=store["id"])
    texts = await context.search.chunks(store["id"], file_id) if context.search else []
    return JSONResponse(
        {
            "object": "vector_store.file_content.page",
            "data": [{"type": "text", "text": text} for text in texts],
            "has_more": False,
            "next_page": None,
        }
    )


async def search_store(request: Request) -> Response:
    """Search one store directly, as ``client.vector_stores.search`` does: one result per
    chunk, best first, with its file's name and attributes; ``filters`` select files by
    attribute before ranking, so they never shorten the page."""
    _v2_only(request)
    context = ctx(request)
    store = await load(request, "vector_store", path(request, "vector_store_id"))
    body = await parse_request(request, SearchVectorStore, "v2")
    queries = [body.query] if isinstance(body.query, str) else list(body.query)
    files = await context.store.list_all("vector_store_file", parent=store["id"])
    attributes = {f["id"]: f.get("attributes") or {} for f in files}
    allowed = None
    if body.filters is not None:
        allowed = [fid for fid, attrs in attributes.items() if matches(body.filters, attrs)]
    limit = body.max_num_results or 10
    threshold = (body.ranking_options.score_threshold if body.ranking_options else None) or 0.0
    data: list[Obj] = []
    if context.search is not None:
        await context.store.touch_vector_stores([store["id"]], now())
        best: dict[tuple[str, int], Obj] = {}
        for query in queries:
            hits = await context.search.search(
                [store["id"]],
                query,
                max_results=limit,
                score_threshold=threshold,
                file_ids=allowed,
            )
            for hit in hits:
                key = (hit.file_id, hit.chunk_index)
                score = round(float(hit.score), 6)
                if key not in best or best[key]["score"] < score:
                    best[key] = {
                        "file_id": hit.file_id,
                        "filename": hit.filename,
                        "score": score,
                        "attributes": attributes.get(hit.file_id) or {},
                        "content": [{"type": "text", "text": hit.text}],
                    }
        data = sorted(best.values(), key=lambda item: -item["score"])[:limit]
    page: Obj = {
        "object": "vector_store.search_results.page",
        "search_query": queries,
        "data": data,
        "has_more": False,
        "next_page": None,
    }
    return JSONResponse(checked("vector_store_search_page", page))


async def delete_store_file(request: Request) -> Response:
    _v2_only(request)
    store = await load(request, "vector_store", path(request, "vector_store_id"))
    file_id = path(request, "file_id")
    if not await detach_file(ctx(request), store["id"], file_id):
        raise not_found("vector_store_file", file_id)
    return deleted(file_id, "vector_store.file.deleted")


async def create_batch(request: Request) -> Response:
    _v2_only(request)
    context = ctx(request)
    store = await load(request, "vector_store", path(request, "vector_store_id"))
    body = await parse_request(request, CreateVectorStoreFileBatch, "v2")
    file_ids = body.file_ids
    await require_files(context, file_ids, "file_ids")
    chunking = chunking_strategy(dump(body.chunking_strategy))
    attributes = body.attributes
    batch: Obj = {
        "id": new_id("file_batch"),
        "object": "vector_store.files_batch",
        "created_at": now(),
        "vector_store_id": store["id"],
        "status": "in_progress",
        "file_counts": {
            **file_counts([]),
            "in_progress": len(set(file_ids)),
            "total": len(set(file_ids)),
        },
    }
    await context.store.insert("file_batch", batch, parent=store["id"])
    for file_id in dict.fromkeys(file_ids):
        await attach_file(
            context, store["id"], file_id, chunking, batch_id=batch["id"], attributes=attributes
        )
    refreshed = await context.store.refresh_file_batch(store["id"], batch["id"])
    return JSONResponse(_batch_view(refreshed or batch))


async def _batch(request: Request) -> Obj:
    store = await load(request, "vector_store", path(request, "vector_store_id"))
    return await load(request, "file_batch", path(request, "batch_id"), parent=store["id"])


async def get_batch(request: Request) -> Response:
    _v2_only(request)
    batch = await _batch(request)
    headers = POLL_AFTER_MS if batch["status"] == "in_progress" else None
    return JSONResponse(_batch_view(batch), headers=headers)


async def cancel_batch(request: Request) -> Response:
    _v2_only(request)
    context = ctx(request)
    batch = await _batch(request)
    store_id = batch["vector_store_id"]
    if batch["status"] != "in_progress":
        raise bad_request(f"Cannot cancel a file batch with status '{batch['status']}'.")
    await context.store.update("file_batch", batch["id"], {"status": "cancelled"}, parent=store_id)
    for vs_file in await context.store.list_all("vector_store_file", parent=store_id):
        if batch["id"] in vs_file.get("_batch_ids", []) and vs_file["status"] == "in_progress":

            def cancel(obj: Obj) -> Obj:
                if obj["status"] == "in_progress":
                    obj["status"] = "cancelled"
                return obj

            await context.store.mutate("vector_store_file", vs_file["id"], cancel, parent=store_id)
    await context.store.refresh_vector_store(store_id)
    refreshed = await context.store.refresh_file_batch(store_id, batch["id"])
    return JSONResponse(_batch_view(refreshed or batch))


async def list_batch_files(request: Request) -> Response:
    version = _v2_only(request)
    batch = await _batch(request)
    query = parse_page_query(request.query_params)
    items, has_more = await ctx(request).store.list_page(
        "vector_store_file",
        query,
        parent=batch["vector_store_id"],
        status=_status_filter(request),
        where="EXISTS (SELECT 1 FROM json_each(objects.data, '$._batch_ids') WHERE value = ?)",
        where_args=(batch["id"],),
    )
    return JSONResponse(list_envelope([_vs_file(i, version) for i in items], has_more))


routes = [
    Route("/vector_stores", create_store, methods=["POST"]),
    Route("/vector_stores", list_stores, methods=["GET"]),
    Route("/vector_stores/{vector_store_id}", get_store, methods=["GET"]),
    Route("/vector_stores/{vector_store_id}", modify_store, methods=["POST"]),
    Route("/vector_stores/{vector_store_id}", delete_store, methods=["DELETE"]),
    Route("/vector_stores/{vector_store_id}/files", add_store_file, methods=["POST"]),
    Route("/vector_stores/{vector_store_id}/files", list_store_files, methods=["GET"]),
    Route("/vector_stores/{vector_store_id}/files/{file_id}", get_store_file, methods=["GET"]),
    Route(
        "/vector_stores/{vector_store_id}/files/{file_id}", delete_store_file, methods=["DELETE"]
    ),
    Route("/vector_stores/{vector_store_id}/files/{file_id}", modify_store_file, methods=["POST"]),
    Route(
        "/vector_stores/{vector_store_id}/files/{file_id}/content",
        store_file_content,
        methods=["GET"],
    ),
    Route("/vector_stores/{vector_store_id}/search", search_store, methods=["POST"]),
    Route("/vector_stores/{vector_store_id}/file_batches", create_batch, methods=["POST"]),
    Route("/vector_stores/{vector_store_id}/file_batches/{batch_id}", get_batch, methods=["GET"]),
    Route(
        "/vector_stores/{vector_store_id}/file_batches/{batch_id}/cancel",
        cancel_batch,
        methods=["POST"],
    ),
    Route(
        "/vector_stores/{vector_store_id}/file_batches/{batch_id}/files",
        list_batch_files,
        methods=["GET"],
    ),
]
