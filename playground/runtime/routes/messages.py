"""``/threads/{thread_id}/messages`` and the v1 message-files sub-resource."""

from __future__ import annotations

import asyncio
import json

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ...protocol.requests import (
    AttachmentInput,
    CreateMessage,
    ImageFileInput,
    ImageUrlInput,
    MessageContentInput,
    ModifyMessage,
    TextInput,
)
from ..errors import ApiError, bad_request, not_found
from ..objects import new_message, text_part
from ..pagination import list_envelope, paginate_in_memory, parse_page_query
from ..store import Obj
from .common import deleted, dump, load, ok, page, parse_request, path
from .context import Context, ctx
from .dialect import dialect
from .ingest import (
    attach_file,
    chunking_strategy,
    create_vector_store,
    require_file,
    require_files,
)

ATTACHMENT_TOOLS = ("code_interpreter", "file_search")


async def parse_message(
    context: Context, spec: CreateMessage, version: str, *, param: str = ""
) -> tuple[str, list[Obj], list[Obj], dict[str, str]]:
    """Check a parsed CreateMessage against the store; returns (role, response-form
    content, attachments, metadata)."""
    prefix = f"{param}." if param else ""
    content = await _content(context, spec.content, f"{prefix}content", version)
    if version == "v1":
        file_ids = list(spec.file_ids or [])
        await require_files(context, file_ids, f"{prefix}file_ids")
        attachments = [
            {"file_id": f, "tools": [{"type": t} for t in ATTACHMENT_TOOLS]} for f in file_ids
        ]
    else:
        attachments = await _attachments(context, spec.attachments, f"{prefix}attachments")
    return spec.role, content, attachments, dict(spec.metadata or {})


async def _content(
    context: Context, value: str | list[MessageContentInput], param: str, version: str
) -> list[Obj]:
    if isinstance(value, str):
        return [text_part(value)]
    if version == "v1":
        raise bad_request(f"Invalid type for '{param}': expected a string.", param=param)
    parts: list[Obj] = []
    for index, part in enumerate(value):
        match part:
            case TextInput():
                parts.append(text_part(part.text))
            case ImageFileInput():
                file_param = f"{param}[{index}].image_file.file_id"
                await require_file(context, part.image_file.file_id, file_param)
                parts.append({"type": "image_file", "image_file": dump(part.image_file)})
            case ImageUrlInput():
                parts.append({"type": "image_url", "image_url": dump(part.image_url)})
            case _:  # UnknownInput was refused by the request parser
                raise bad_request(f"Invalid '{param}[{index}]'.", param=f"{param}[{index}]")
    return parts


async def _attachments(
    context: Context, value: list[AttachmentInput] | None, param: str
) -> list[Obj]:
    out = []
    for index, item in enumerate(value or []):
        await require_file(context, item.file_id, f"{param}[{index}].file_id")
        out.append({"file_id": item.file_id, "tools": [{"type": t.type} for t in item.tools or []]})
    return out


async def index_attachments(context: Context, thread: Obj, attachments: list[Obj]) -> None:
    """Files attached for file_search go into the thread's vector store (created on demand)."""
    file_ids = [
        a["file_id"]
        for a in attachments
        if any(t.get("type") == "file_search" for t in a.get("tools") or [])
    ]
    if not file_ids:
        return
    resources = dict(thread.get("tool_resources") or {})
    store_ids = (resources.get("file_search") or {}).get("vector_store_ids") or []
    if store_ids:
        for file_id in file_ids:
            await attach_file(context, store_ids[0], file_id, chunking_strategy(None))
        return
    store = await create_vector_store(context, name=f"Files for {thread['id']}", file_ids=file_ids)
    resources["file_search"] = {"vector_store_ids": [store["id"]]}
    thread["tool_resources"] = resources
    await context.store.update("thread", thread["id"], {"tool_resources": resources})


async def add_message(
    context: Context,
    thread: Obj,
    spec: CreateMessage,
    version: str,
    param: str = "",
    *,
    private: Obj | None = None,
) -> Obj:
    """Validate and store a user/assistant message on ``thread`` (no lock check here)."""
    role, content, attachments, metadata = await parse_message(context, spec, version, param=param)
    message = new_message(thread["id"], role, content, attachments=attachments, metadata=metadata)
    message.update(private or {})
    await context.store.create_message(message)
    await index_attachments(context, thread, attachments)
    return message


#: Creates with an ``Idempotency-Key`` are serialised so two copies of one request cannot
#: both miss the lookup and both store a message.
_IDEMPOTENT_CREATES = asyncio.Lock()
IDEMPOTENCY_KEY = "idempotency-key"
#: Tells the client its key was honoured, so it need not spend a metadata pair on a marker.
HONOURED = {"x-idempotency-key-honoured": "true"}


async def _by_key(context: Context, thread_id: str, key: str) -> Obj | None:
    items, _ = await context.store.list_page(
        "message",
        parse_page_query(QueryParams()),
        parent=thread_id,
        where="json_extract(data, '$._idempotency_key') = ?",
        where_args=(key,),
    )
    return items[0] if items else None


async def create_message(request: Request) -> Response:
    """Post a message; a repeated ``Idempotency-Key`` returns the first message instead of
    storing a second (a client retrying after a lost response must not post twice)."""
    version = dialect(request)
    context = ctx(request)
    thread = await load(request, "thread", path(request, "thread_id"))
    body = await parse_request(request, CreateMessage, version)
    key = request.headers.get(IDEMPOTENCY_KEY, "").strip()
    if not key:
        return ok("message", await _create(context, thread, body, version), version)
    fingerprint = json.dumps(dump(body), sort_keys=True)
    async with _IDEMPOTENT_CREATES:
        existing = await _by_key(context, thread["id"], key)
        if existing is not None:
            if existing.get("_idempotency_body") != fingerprint:
                raise ApiError(
                    409,
                    "This Idempotency-Key was already used with a different request body; "
                    "use a new key for a new message.",
                    code="idempotency_key_reused",
                )
            return ok("message", existing, version, headers=HONOURED)
        message = await _create(
            context,
            thread,
            body,
            version,
            private={"_idempotency_key": key, "_idempotency_body": fingerprint},
        )
    return ok("message", message, version, headers=HONOURED)


async def _create(
    context: Context,
    thread: Obj,
    body: CreateMessage,
    version: str,
    *,
    private: Obj | None = None,
) -> Obj:
    active = await context.store.active_run(thread["id"])
    if active is not None:
        raise bad_request(
            f"Can't add messages to {thread['id']} while a run {active['id']} is active."
        )
    return await add_message(context, thread, body, version, private=private)


async def list_messages(request: Request) -> Response:
    version = dialect(request)
    thread = await load(request, "thread", path(request, "thread_id"))
    query = parse_page_query(request.query_params)
    run_id = request.query_params.get("run_id")
    where, args = ("json_extract(data, '$.run_id') = ?", (run_id,)) if run_id else ("", ())
    items, has_more = await ctx(request).store.list_page(
        "message", query, parent=thread["id"], where=where, where_args=args
    )
    return page("message", items, has_more, version)


async def get_message(request: Request) -> Response:
    version = dialect(request)
    thread = await load(request, "thread", path(request, "thread_id"))
    message = await load(request, "message", path(request, "message_id"), parent=thread["id"])
    return ok("message", message, version)


async def modify_message(request: Request) -> Response:
    version = dialect(request)
    thread = await load(request, "thread", path(request, "thread_id"))
    message_id = path(request, "message_id")
    await load(request, "message", message_id, parent=thread["id"])
    body = await parse_request(request, ModifyMessage, version, required=False)
    changes = {"metadata": body.metadata or {}} if "metadata" in body.model_fields_set else {}
    updated = await ctx(request).store.update_message(thread["id"], message_id, changes)
    if updated is None:
        raise not_found("message", message_id)
    return ok("message", updated, version)


async def delete_message(request: Request) -> Response:
    dialect(request)
    thread = await load(request, "thread", path(request, "thread_id"))
    message_id = path(request, "message_id")
    if not await ctx(request).store.delete("message", message_id, parent=thread["id"]):
        raise not_found("message", message_id)
    return deleted(message_id, "thread.message.deleted")


def _message_files(message: Obj) -> list[Obj]:
    return [
        {
            "id": a["file_id"],
            "object": "thread.message.file",
            "created_at": message["created_at"],
            "message_id": message["id"],
        }
        for a in message.get("attachments") or []
    ]


async def list_message_files(request: Request) -> Response:
    dialect(request)
    thread = await load(request, "thread", path(request, "thread_id"))
    message = await load(request, "message", path(request, "message_id"), parent=thread["id"])
    items, has_more = paginate_in_memory(
        _message_files(message), parse_page_query(request.query_params)
    )
    return JSONResponse(list_envelope(items, has_more))


async def get_message_file(request: Request) -> Response:
    dialect(request)
    thread = await load(request, "thread", path(request, "thread_id"))
    message = await load(request, "message", path(request, "message_id"), parent=thread["id"])
    file_id = path(request, "file_id")
    for item in _message_files(message):
        if item["id"] == file_id:
            return JSONResponse(item)
    raise not_found("file", file_id)


routes = [
    Route("/threads/{thread_id}/messages", create_message, methods=["POST"]),
    Route("/threads/{thread_id}/messages", list_messages, methods=["GET"]),
    Route("/threads/{thread_id}/messages/{message_id}", get_message, methods=["GET"]),
    Route("/threads/{thread_id}/messages/{message_id}", modify_message, methods=["POST"]),
    Route("/threads/{thread_id}/messages/{message_id}", delete_message, methods=["DELETE"]),
    Route("/threads/{thread_id}/messages/{message_id}/files", list_message_files, methods=["GET"]),
    Route(
        "/threads/{thread_id}/messages/{message_id}/files/{file_id}",
        get_message_file,
        methods=["GET"],
    ),
]
