"""``/assistants`` (v2) and the v1 ``/assistants/{id}/files`` sub-resource."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..errors import bad_request, not_found
from ..ids import new_id
from ..pagination import list_envelope, paginate_in_memory, parse_page_query
from ..store import Obj, now
from . import validate
from .common import deleted, load, ok, page, path
from .context import Context, ctx
from .dialect import dialect
from .ingest import attach_file, chunking_strategy, create_vector_store, require_file
from .resources import tool_resources, v1_file_ids


async def _settings(context: Context, body: dict[str, Any], version: str, *, create: bool) -> Obj:
    """The validated, stored form of the assistant fields present in ``body``."""
    fields: Obj = {}
    model = validate.string(body, "model", required=create, nullable=False)
    if model is not None:
        fields["model"] = model
    for key, limit in (("name", 256), ("description", 512), ("instructions", 256000)):
        if key in body:
            fields[key] = validate.string(body, key, max_len=limit)
    tools = validate.tools(body, dialect=version)
    if tools is not None:
        fields["tools"] = tools
    if "metadata" in body:
        fields["metadata"] = validate.metadata(body) or {}
    for key, high in (("temperature", 2.0), ("top_p", 1.0)):
        if key in body:
            fields[key] = validate.number(body, key, 0, high)
    if "response_format" in body:
        fields["response_format"] = validate.response_format(body) or "auto"
    if "reasoning_effort" in body:
        fields["_reasoning_effort"] = validate.string(body, "reasoning_effort")
    if version == "v1":
        if "tool_resources" in body:
            raise bad_request(
                "'tool_resources' is not available in Assistants v1; use 'file_ids'.",
                param="tool_resources",
            )
        resources = await v1_file_ids(context, body, fields.get("tools") or [])
    else:
        resources = await tool_resources(context, body, create_form=create)
    if resources is not None:
        fields["tool_resources"] = resources
    return fields


async def create_assistant(request: Request) -> Response:
    version = dialect(request)
    context = ctx(request)
    body = await validate.json_body(request)
    fields = await _settings(context, body, version, create=True)
    assistant: Obj = {
        "id": new_id("assistant"),
        "object": "assistant",
        "created_at": now(),
        "name": None,
        "description": None,
        "model": fields["model"],
        "instructions": None,
        "tools": [],
        "tool_resources": {},
        "metadata": {},
        "temperature": 1.0,
        "top_p": 1.0,
        "response_format": "auto",
    }
    assistant.update(
        {
            k: v
            for k, v in fields.items()
            if v is not None or k in ("name", "description", "instructions")
        }
    )
    for key, default in (("temperature", 1.0), ("top_p", 1.0)):
        if assistant.get(key) is None:
            assistant[key] = default
    await context.store.insert("assistant", assistant)
    return ok("assistant", assistant, version)


async def list_assistants(request: Request) -> Response:
    version = dialect(request)
    query = parse_page_query(request.query_params)
    items, has_more = await ctx(request).store.list_page("assistant", query)
    return page("assistant", items, has_more, version)


async def get_assistant(request: Request) -> Response:
    version = dialect(request)
    return ok("assistant", await load(request, "assistant", path(request, "assistant_id")), version)


async def modify_assistant(request: Request) -> Response:
    version = dialect(request)
    context = ctx(request)
    assistant_id = path(request, "assistant_id")
    await load(request, "assistant", assistant_id)
    body = await validate.json_body(request, required=False)
    fields = await _settings(context, body, version, create=False)
    for key, default in (("temperature", 1.0), ("top_p", 1.0)):
        if key in fields and fields[key] is None:
            fields[key] = default
    updated = await context.store.update("assistant", assistant_id, fields)
    if updated is None:
        raise not_found("assistant", assistant_id)
    return ok("assistant", updated, version)


async def delete_assistant(request: Request) -> Response:
    dialect(request)
    assistant_id = path(request, "assistant_id")
    if not await ctx(request).store.delete("assistant", assistant_id):
        raise not_found("assistant", assistant_id)
    return deleted(assistant_id, "assistant.deleted")


# ---------------------------------------------------------------- v1 assistant files


def _assistant_file(assistant: Obj, file_id: str, created_at: int) -> Obj:
    return {
        "id": file_id,
        "object": "assistant.file",
        "created_at": created_at,
        "assistant_id": assistant["id"],
    }


def _code_files(assistant: Obj) -> list[str]:
    return list(
        ((assistant.get("tool_resources") or {}).get("code_interpreter") or {}).get("file_ids")
        or []
    )


async def create_assistant_file(request: Request) -> Response:
    dialect(request)
    context = ctx(request)
    assistant = await load(request, "assistant", path(request, "assistant_id"))
    body = await validate.json_body(request)
    file_id = validate.string(body, "file_id", required=True, nullable=False)
    assert file_id is not None
    await require_file(context, file_id, "file_id")
    files = _code_files(assistant)
    if file_id not in files:
        if len(files) >= 20:
            raise bad_request("An assistant can have at most 20 files.", param="file_id")
        files.append(file_id)
    resources = dict(assistant.get("tool_resources") or {})
    resources["code_interpreter"] = {"file_ids": files}
    if any(t.get("type") == "file_search" for t in assistant.get("tools") or []):
        store_ids = (resources.get("file_search") or {}).get("vector_store_ids") or []
        if store_ids:
            await attach_file(context, store_ids[0], file_id, chunking_strategy(None))
        else:
            store = await create_vector_store(
                context, name="v1 retrieval files", file_ids=[file_id]
            )
            resources["file_search"] = {"vector_store_ids": [store["id"]]}
    attached = {**assistant.get("_file_attached_at", {}), file_id: now()}
    await context.store.update(
        "assistant", assistant["id"], {"tool_resources": resources, "_file_attached_at": attached}
    )
    return JSONResponse(_assistant_file(assistant, file_id, attached[file_id]))


def _files_of(assistant: Obj) -> list[Obj]:
    attached = assistant.get("_file_attached_at", {})
    return [
        _assistant_file(assistant, file_id, attached.get(file_id, assistant["created_at"]))
        for file_id in _code_files(assistant)
    ]


async def list_assistant_files(request: Request) -> Response:
    dialect(request)
    assistant = await load(request, "assistant", path(request, "assistant_id"))
    query = parse_page_query(request.query_params)
    items, has_more = paginate_in_memory(_files_of(assistant), query)
    return JSONResponse(list_envelope(items, has_more))


async def get_assistant_file(request: Request) -> Response:
    dialect(request)
    assistant = await load(request, "assistant", path(request, "assistant_id"))
    file_id = path(request, "file_id")
    for item in _files_of(assistant):
        if item["id"] == file_id:
            return JSONResponse(item)
    raise not_found("file", file_id)


async def delete_assistant_file(request: Request) -> Response:
    dialect(request)
    context = ctx(request)
    assistant = await load(request, "assistant", path(request, "assistant_id"))
    file_id = path(request, "file_id")
    files = _code_files(assistant)
    if file_id not in files:
        raise not_found("file", file_id)
    files.remove(file_id)
    resources = dict(assistant.get("tool_resources") or {})
    resources["code_interpreter"] = {"file_ids": files}
    await context.store.update("assistant", assistant["id"], {"tool_resources": resources})
    return deleted(file_id, "assistant.file.deleted")


routes = [
    Route("/assistants", create_assistant, methods=["POST"]),
    Route("/assistants", list_assistants, methods=["GET"]),
    Route("/assistants/{assistant_id}", get_assistant, methods=["GET"]),
    Route("/assistants/{assistant_id}", modify_assistant, methods=["POST"]),
    Route("/assistants/{assistant_id}", delete_assistant, methods=["DELETE"]),
    Route("/assistants/{assistant_id}/files", create_assistant_file, methods=["POST"]),
    Route("/assistants/{assistant_id}/files", list_assistant_files, methods=["GET"]),
    Route("/assistants/{assistant_id}/files/{file_id}", get_assistant_file, methods=["GET"]),
    Route("/assistants/{assistant_id}/files/{file_id}", delete_assistant_file, methods=["DELETE"]),
]
