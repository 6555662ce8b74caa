"""``/threads`` create, retrieve, modify, delete (there is no list, as in the API)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...protocol.requests import CreateThread, ModifyThread
from ..errors import not_found
from ..objects import new_thread
from ..store import Obj
from .common import deleted, dump, load, ok, parse_request, path
from .context import Context, ctx
from .dialect import dialect
from .messages import add_message, parse_message
from .resources import tool_resources


async def build_thread(context: Context, body: CreateThread, version: str, param: str = "") -> Obj:
    """Store a parsed CreateThread: the thread and its initial messages."""
    prefix = f"{param}." if param else ""
    messages = body.messages or []
    for index, spec in enumerate(messages):
        # Check every message before storing anything, so a bad body leaves no thread.
        await parse_message(context, spec, version, param=f"{prefix}messages[{index}]")
    resources = await tool_resources(
        context, dump(body.tool_resources), create_form=True, key=f"{prefix}tool_resources"
    )
    thread = new_thread(resources, body.metadata)
    await context.store.insert("thread", thread)
    for index, spec in enumerate(messages):
        await add_message(context, thread, spec, version, param=f"{prefix}messages[{index}]")
    return await context.store.get_thread(thread["id"]) or thread


async def create_thread(request: Request) -> Response:
    version = dialect(request)
    body = await parse_request(request, CreateThread, version, required=False)
    thread = await build_thread(ctx(request), body, version)
    return ok("thread", thread, version)


async def get_thread(request: Request) -> Response:
    version = dialect(request)
    return ok("thread", await load(request, "thread", path(request, "thread_id")), version)


async def modify_thread(request: Request) -> Response:
    version = dialect(request)
    context = ctx(request)
    thread_id = path(request, "thread_id")
    await load(request, "thread", thread_id)
    body = await parse_request(request, ModifyThread, version, required=False)
    changes: Obj = {}
    if "metadata" in body.model_fields_set:
        changes["metadata"] = body.metadata or {}
    if body.tool_resources is not None:
        changes["tool_resources"] = await tool_resources(
            context, dump(body.tool_resources), create_form=False
        )
    updated = await context.store.update("thread", thread_id, changes)
    if updated is None:
        raise not_found("thread", thread_id)
    return ok("thread", updated, version)


async def delete_thread(request: Request) -> Response:
    dialect(request)
    context = ctx(request)
    thread_id = path(request, "thread_id")
    active = await context.store.active_run(thread_id)
    if active is not None and active["status"] != "cancelling":
        # Stop the engine working on a thread that is about to disappear.
        await context.engine.cancel(active["id"])
    if not await context.store.delete_thread(thread_id):
        raise not_found("thread", thread_id)
    # Issue 9: the thread's kernel stops and its /mnt/data files go with it.
    interpreter = getattr(request.app.state, "code_interpreter", None)
    if interpreter is not None:
        await interpreter.delete_session(thread_id)
    return deleted(thread_id, "thread.deleted")


routes = [
    Route("/threads", create_thread, methods=["POST"]),
    Route("/threads/{thread_id}", get_thread, methods=["GET"]),
    Route("/threads/{thread_id}", modify_thread, methods=["POST"]),
    Route("/threads/{thread_id}", delete_thread, methods=["DELETE"]),
]
