"""``/assistants`` (v2) and the v1 ``/assistants/{id}/files`` sub-resource."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ...protocol.limits import MAX_CODE_INTERPRETER_FILES
from ...protocol.requests import CreateAssistant, CreateAssistantFile, ModifyAssistant
from ..errors import bad_request, not_found
from ..ids import new_id
from ..pagination import list_envelope, paginate_in_memory, parse_page_query
from ..store import Obj, now
from .common import deleted, dump, load, ok, page, parse_request, path
from .context import Context, ctx
from .dialect import dialect
from .ingest import attach_file, chunking_strategy, create_vector_store, require_file
from .resources import tool_resources, v1_file_ids


def stored_tools(tools: list[Any]) -> list[Obj]:
    """Parsed tools in the stored v2 form: v1 ``retrieval`` is stored as ``file_search``."""
    out: list[Obj] = []
    for tool in tools:
        data = dump(tool)
        if data["type"] == "retrieval":
            data = {"type": "file_search"}
        elif data["type"] == "function":
            data["function"].setdefault("strict", False)
        elif data["type"] == "file_search":
            ranking = (data.get("file_search") or {}).get("ranking_options")
            if ranking is not None:
                ranking.setdefault("ranker", "auto")
                ranking.setdefault("score_threshold", 0.0)
        out.append(data)
    return out


async def _settings(
    context: Context, body: CreateAssistant | ModifyAssistant, version: str, *, create: bool
) -> Obj:
    """The stored form of the assistant fields the request set."""
    sent = body.model_fields_set
    fields: Obj = {}
    if body.model is not None:
        fields["model"] = body.model
    for key in ("name", "description", "instructions"):
        if key in sent:
            fields[key] = getattr(body, key)
    if body.tools is not None:
        fields["tools"] = stored_tools(body.tools)
    if "metadata" in sent:
        fields["metadata"] = body.metadata or {}
    for key in ("temperature", "top_p"):
        if key in sent:
            fields[key] = getattr(body, key)
    if "response_format" in sent:
        fields["response_format"] = dump(body.response_format) or "auto"
    if "reasoning_effort" in sent:
        fields["_reasoning_effort"] = body.reasoning_effort
    if version == "v1":
        resources = await v1_file_ids(context, body.file_ids, fields.get("tools") or [])
    else:
        resources = await tool_resources(context, dump(body.tool_resources), create_form=create)
    if resources is not None:
        fields["tool_resources"] = resources
    return fields


async def create_assistant(request: Request) -> Response:
    version = dialect(request)
    context = ctx(request)
    body = await parse_request(request, CreateAssistant, version)
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
    body = await parse_request(request, ModifyAssistant, version, required=False)
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
    version = dialect(request)
    context = ctx(request)
    assistant = await load(request, "assistant", path(request, "assistant_id"))
    file_id = (await parse_request(request, CreateAssistantFile, version)).file_id
    await require_file(context, file_id, "file_id")
    files = _code_files(assistant)
    if file_id not in files:
        if len(files) >= MAX_CODE_INTERPRETER_FILES:
            raise bad_request(
                f"An assistant can have at most {MAX_CODE_INTERPRETER_FILES} files.",
                param="file_id",
            )
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
