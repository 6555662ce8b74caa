"""Runs: create (plain or streamed), create-thread-and-run, list, retrieve, modify,
cancel, submit_tool_outputs; and their steps.

Routes validate and store; the run engine (``context.engine``) executes. For streamed
requests the route subscribes to the run's events *before* asking the engine to act,
so the first event cannot be missed.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..errors import bad_request, not_found
from ..objects import new_run
from ..pagination import parse_page_query
from ..sse import Event, sse_response
from ..store import ACTIVE_RUN_STATUSES, Obj
from . import validate
from .common import load, ok, page, path
from .context import Context, ctx
from .dialect import dialect, render_event
from .messages import add_message
from .resources import tool_resources
from .threads import build_thread

SEARCH_CONTENT = "step_details.tool_calls[*].file_search.results[*].content"
POLL_AFTER_MS = "100"


def includes(request: Request) -> set[str]:
    """``include[]`` values (the SDK's bracket form; a plain ``include`` is accepted too)."""
    values = set(request.query_params.getlist("include[]")) | set(
        request.query_params.getlist("include")
    )
    unknown = values - {SEARCH_CONTENT}
    if unknown:
        raise bad_request(
            f"Invalid value for 'include[]': '{sorted(unknown)[0]}'. Supported value: '{SEARCH_CONTENT}'.",
            param="include[]",
            code="invalid_value",
        )
    return values


def strip_search_content(step: Obj, include: set[str]) -> Obj:
    """Drop file-search chunk text from a step unless the client asked for it."""
    details = step.get("step_details") or {}
    if SEARCH_CONTENT in include or details.get("type") != "tool_calls":
        return step
    calls = []
    for call in details.get("tool_calls") or []:
        search = call.get("file_search")
        if call.get("type") == "file_search" and isinstance(search, dict) and search.get("results"):
            results = [{k: v for k, v in r.items() if k != "content"} for r in search["results"]]
            call = {**call, "file_search": {**search, "results": results}}
        calls.append(call)
    return {**step, "step_details": {**details, "tool_calls": calls}}


def _event_renderer(version: str, include: set[str]) -> Any:
    def render(name: str, payload: Obj) -> Obj:
        if name.startswith("thread.run.step.") and name != "thread.run.step.delta":
            payload = strip_search_content(payload, include)
        return render_event(name, payload, version)

    return render


async def _run_settings(
    context: Context, body: dict[str, Any], version: str, assistant: Obj, *, additional: bool
) -> Obj:
    """Validated overrides from a CreateRun / CreateThreadAndRun body."""
    settings: Obj = {}
    model = validate.string(body, "model")
    if model:
        settings["model"] = model
    instructions = validate.string(body, "instructions", max_len=256000)
    if instructions is not None:
        settings["instructions"] = instructions
    if additional:
        extra = validate.string(body, "additional_instructions", max_len=256000)
        if extra:
            base = settings.get("instructions", assistant.get("instructions") or "")
            settings["instructions"] = f"{base}\n\n{extra}" if base else extra
    tools = validate.tools(body, dialect=version, max_items=20)
    if tools is not None:
        settings["tools"] = tools
    settings["metadata"] = validate.metadata(body) or {}
    for key, high in (("temperature", 2.0), ("top_p", 1.0)):
        value = validate.number(body, key, 0, high)
        if value is not None:
            settings[key] = value
    for key in ("max_prompt_tokens", "max_completion_tokens"):
        settings[key] = validate.token_budget(body, key)
    truncation = validate.truncation_strategy(body)
    if truncation is not None:
        settings["truncation_strategy"] = truncation
    choice = validate.tool_choice(body)
    if choice is not None:
        settings["tool_choice"] = choice
    parallel = validate.boolean(body, "parallel_tool_calls")
    if parallel is not None:
        settings["parallel_tool_calls"] = parallel
    response_format = validate.response_format(body)
    if response_format is not None:
        settings["response_format"] = response_format
    run_tools: list[dict[str, Any]] = (
        settings["tools"] if "tools" in settings else assistant.get("tools") or []
    )
    validate.tool_choice_matches(settings.get("tool_choice"), run_tools)
    effort = validate.string(body, "reasoning_effort")
    if effort is not None:
        settings["_reasoning_effort"] = effort
    return settings


async def _assistant_for(context: Context, body: dict[str, Any]) -> Obj:
    assistant_id = validate.string(body, "assistant_id", required=True, nullable=False)
    assert assistant_id is not None
    assistant = await context.store.get_assistant(assistant_id)
    if assistant is None:
        raise not_found("assistant", assistant_id, param="assistant_id")
    return assistant


def _wants_stream(body: dict[str, Any]) -> bool:
    return bool(validate.boolean(body, "stream"))


async def _launch(
    request: Request,
    context: Context,
    run: Obj,
    version: str,
    *,
    stream: bool,
    prelude: list[Event] | None = None,
    include: set[str] | None = None,
) -> Response:
    """Hand a stored queued run to the engine; answer JSON or SSE."""
    if stream:
        events = context.engine.subscribe(run["id"])
        await context.engine.start(run["id"])
        return sse_response(
            events, prelude=prelude or [], render=_event_renderer(version, include or set())
        )
    await context.engine.start(run["id"])
    return ok("run", run, version)


async def _store_run(context: Context, run: Obj) -> None:
    blocking = await context.store.insert_run_if_idle(run)
    if blocking is not None:
        raise bad_request(f"Thread {run['thread_id']} already has an active run {blocking['id']}.")


async def create_run(request: Request) -> Response:
    version = dialect(request)
    context = ctx(request)
    include = includes(request)
    thread = await load(request, "thread", path(request, "thread_id"))
    body = await validate.json_body(request)
    assistant = await _assistant_for(context, body)
    settings = await _run_settings(context, body, version, assistant, additional=True)
    stream = _wants_stream(body)
    extra_messages = body.get("additional_messages")
    if extra_messages is not None and not isinstance(extra_messages, list):
        raise bad_request(
            "Invalid type for 'additional_messages': expected an array.",
            param="additional_messages",
        )
    active = await context.store.active_run(thread["id"])
    if active is not None:
        raise bad_request(f"Thread {thread['id']} already has an active run {active['id']}.")
    for index, spec in enumerate(extra_messages or []):
        await add_message(context, thread, spec, version, param=f"additional_messages[{index}]")
    run = new_run(
        thread["id"], assistant, settings, expiry_seconds=context.config.run_expiry_seconds
    )
    await _store_run(context, run)
    return await _launch(request, context, run, version, stream=stream, include=include)


async def create_thread_and_run(request: Request) -> Response:
    version = dialect(request)
    context = ctx(request)
    body = await validate.json_body(request)
    assistant = await _assistant_for(context, body)
    settings = await _run_settings(context, body, version, assistant, additional=False)
    stream = _wants_stream(body)
    thread_body = body.get("thread") or {}
    if not isinstance(thread_body, dict):
        raise bad_request("Invalid type for 'thread': expected an object.", param="thread")
    resources = None
    if body.get("tool_resources") is not None:
        resources = await tool_resources(context, body, create_form=False)
    thread = await build_thread(context, thread_body, version, param="thread")
    if resources is not None:
        merged = {**(thread.get("tool_resources") or {}), **resources}
        thread = (
            await context.store.update("thread", thread["id"], {"tool_resources": merged}) or thread
        )
    run = new_run(
        thread["id"], assistant, settings, expiry_seconds=context.config.run_expiry_seconds
    )
    await _store_run(context, run)
    return await _launch(
        request, context, run, version, stream=stream, prelude=[("thread.created", thread)]
    )


async def list_runs(request: Request) -> Response:
    version = dialect(request)
    thread = await load(request, "thread", path(request, "thread_id"))
    query = parse_page_query(request.query_params)
    items, has_more = await ctx(request).store.list_page("run", query, parent=thread["id"])
    return page("run", items, has_more, version)


async def _thread_run(request: Request) -> Obj:
    thread = await load(request, "thread", path(request, "thread_id"))
    return await load(request, "run", path(request, "run_id"), parent=thread["id"])


async def get_run(request: Request) -> Response:
    version = dialect(request)
    run = await _thread_run(request)
    headers = (
        {"openai-poll-after-ms": POLL_AFTER_MS} if run["status"] in ACTIVE_RUN_STATUSES else {}
    )
    return ok("run", run, version, headers=headers)


async def modify_run(request: Request) -> Response:
    version = dialect(request)
    run = await _thread_run(request)
    body = await validate.json_body(request, required=False)
    changes = {"metadata": validate.metadata(body) or {}} if "metadata" in body else {}
    updated = await ctx(request).store.update_run(run["id"], changes)
    return ok("run", updated or run, version)


async def cancel_run(request: Request) -> Response:
    version = dialect(request)
    context = ctx(request)
    run = await _thread_run(request)
    if run["status"] not in ACTIVE_RUN_STATUSES:
        raise bad_request(f"Cannot cancel run with status '{run['status']}'.")
    if run["status"] != "cancelling":
        await context.engine.cancel(run["id"])
    return ok("run", await context.store.get_run(run["id"]) or run, version)


def _tool_outputs(body: dict[str, Any], run: Obj) -> list[dict[str, str]]:
    """Exactly one string output per pending call of this run, or a 400 saying what is off."""
    outputs = body.get("tool_outputs")
    if not isinstance(outputs, list) or not outputs:
        raise bad_request(
            "Missing required parameter: 'tool_outputs' (a non-empty array).", param="tool_outputs"
        )
    pending = [c["id"] for c in run["required_action"]["submit_tool_outputs"]["tool_calls"]]
    seen: list[str] = []
    clean: list[dict[str, str]] = []
    for index, item in enumerate(outputs):
        param = f"tool_outputs[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("tool_call_id"), str):
            raise bad_request(
                f"Missing required parameter: '{param}.tool_call_id'.",
                param=f"{param}.tool_call_id",
            )
        call_id = item["tool_call_id"]
        output = item.get("output", "")
        if not isinstance(output, str):
            raise bad_request(
                f"Invalid type for '{param}.output': expected a string (serialize JSON yourself).",
                param=f"{param}.output",
            )
        if call_id not in pending:
            raise bad_request(
                f"No tool call with id '{call_id}' is waiting for output in run {run['id']}.",
                param=f"{param}.tool_call_id",
            )
        if call_id in seen:
            raise bad_request(
                f"Tool call '{call_id}' was given more than one output.",
                param=f"{param}.tool_call_id",
            )
        seen.append(call_id)
        clean.append({"tool_call_id": call_id, "output": output})
    missing = [c for c in pending if c not in seen]
    if missing:
        raise bad_request(
            f"Expected tool outputs for call_ids {pending}, got values for {seen}. "
            f"Missing: {missing}.",
            param="tool_outputs",
        )
    return clean


async def submit_tool_outputs(request: Request) -> Response:
    version = dialect(request)
    context = ctx(request)
    run = await _thread_run(request)
    if run["status"] != "requires_action" or not run.get("required_action"):
        raise bad_request(f'Runs in status "{run["status"]}" do not accept tool outputs.')
    body = await validate.json_body(request)
    outputs = _tool_outputs(body, run)
    if _wants_stream(body):
        events = context.engine.subscribe(run["id"])
        await context.engine.submit_tool_outputs(run["id"], outputs)
        return sse_response(events, render=_event_renderer(version, includes(request)))
    await context.engine.submit_tool_outputs(run["id"], outputs)
    return ok("run", await context.store.get_run(run["id"]) or run, version)


async def list_steps(request: Request) -> Response:
    version = dialect(request)
    include = includes(request)
    run = await _thread_run(request)
    query = parse_page_query(request.query_params)
    items, has_more = await ctx(request).store.list_page("step", query, parent=run["id"])
    return page("step", [strip_search_content(s, include) for s in items], has_more, version)


async def get_step(request: Request) -> Response:
    version = dialect(request)
    include = includes(request)
    run = await _thread_run(request)
    step = await load(request, "step", path(request, "step_id"), parent=run["id"])
    return ok("step", strip_search_content(step, include), version)


routes = [
    Route("/threads/runs", create_thread_and_run, methods=["POST"]),
    Route("/threads/{thread_id}/runs", create_run, methods=["POST"]),
    Route("/threads/{thread_id}/runs", list_runs, methods=["GET"]),
    Route("/threads/{thread_id}/runs/{run_id}", get_run, methods=["GET"]),
    Route("/threads/{thread_id}/runs/{run_id}", modify_run, methods=["POST"]),
    Route("/threads/{thread_id}/runs/{run_id}/cancel", cancel_run, methods=["POST"]),
    Route(
        "/threads/{thread_id}/runs/{run_id}/submit_tool_outputs",
        submit_tool_outputs,
        methods=["POST"],
    ),
    Route("/threads/{thread_id}/runs/{run_id}/steps", list_steps, methods=["GET"]),
    Route("/threads/{thread_id}/runs/{run_id}/steps/{step_id}", get_step, methods=["GET"]),
]
