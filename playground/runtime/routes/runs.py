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

from ...protocol.requests import (
    CreateRun,
    CreateThread,
    CreateThreadAndRun,
    ModifyRun,
    SubmitToolOutputs,
)
from ...protocol.shapes import Shape
from ..errors import bad_request, not_found
from ..objects import new_run
from ..pagination import parse_page_query
from ..sse import Event, sse_response
from ..store import ACTIVE_RUN_STATUSES, Obj
from .assistants import stored_tools
from .common import dump, load, ok, page, parse_request, path
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


def _event_renderer(version: Shape, include: set[str]) -> Any:
    def render(name: str, payload: Obj) -> Obj:
        if name.startswith("thread.run.step.") and name != "thread.run.step.delta":
            payload = strip_search_content(payload, include)
        return render_event(name, payload, version)

    return render


def _tool_choice_matches(choice: Any, run_tools: list[Obj]) -> None:
    """A forced tool must be one the run can call; otherwise the model would be asked
    for a tool it was never given (and Chat Completions servers reject that mid-run)."""
    if not isinstance(choice, dict):
        return
    kind = choice.get("type")
    if kind == "function":
        name = (choice.get("function") or {}).get("name")
        names = [
            (tool.get("function") or {}).get("name")
            for tool in run_tools
            if tool.get("type") == "function"
        ]
        if name not in names:
            listed = ", ".join(f"'{n}'" for n in names) if names else "none"
            raise bad_request(
                f"Invalid 'tool_choice': the function '{name}' is not among this run's "
                f"tools (functions available: {listed}).",
                param="tool_choice",
                code="invalid_value",
            )
    elif kind in ("code_interpreter", "file_search"):
        if not any(tool.get("type") == kind for tool in run_tools):
            raise bad_request(
                f"Invalid 'tool_choice': this run has no '{kind}' tool; add it to the "
                "run's or the assistant's tools first.",
                param="tool_choice",
                code="invalid_value",
            )
    else:
        raise bad_request(
            'Invalid \'tool_choice\': use "none", "auto", "required", or '
            '{"type": "function", "function": {"name": ...}}.',
            param="tool_choice.type",
            code="invalid_value",
        )


def _run_settings(body: CreateRun | CreateThreadAndRun, assistant: Obj) -> Obj:
    """The stored overrides of a parsed CreateRun / CreateThreadAndRun."""
    settings: Obj = {}
    if body.model:
        settings["model"] = body.model
    if body.instructions is not None:
        settings["instructions"] = body.instructions
    if isinstance(body, CreateRun) and body.additional_instructions:
        extra = body.additional_instructions
        base = settings.get("instructions", assistant.get("instructions") or "")
        settings["instructions"] = f"{base}\n\n{extra}" if base else extra
    if body.tools is not None:
        settings["tools"] = stored_tools(body.tools)
    settings["metadata"] = dict(body.metadata or {})
    for key in ("temperature", "top_p"):
        value = getattr(body, key)
        if value is not None:
            settings[key] = value
    settings["max_prompt_tokens"] = body.max_prompt_tokens
    settings["max_completion_tokens"] = body.max_completion_tokens
    if body.truncation_strategy is not None:
        settings["truncation_strategy"] = {
            "type": body.truncation_strategy.type,
            "last_messages": body.truncation_strategy.last_messages,
        }
    if body.tool_choice is not None:
        choice = dump(body.tool_choice)
        if isinstance(choice, dict) and choice.get("type") != "function":
            choice = {"type": choice.get("type")}
        settings["tool_choice"] = choice
    if body.parallel_tool_calls is not None:
        settings["parallel_tool_calls"] = body.parallel_tool_calls
    if body.response_format is not None:
        settings["response_format"] = dump(body.response_format)
    run_tools: list[Obj] = (
        settings["tools"] if "tools" in settings else assistant.get("tools") or []
    )
    _tool_choice_matches(settings.get("tool_choice"), run_tools)
    if isinstance(body, CreateRun) and body.reasoning_effort is not None:
        settings["_reasoning_effort"] = body.reasoning_effort
    return settings


async def _assistant_for(context: Context, assistant_id: str) -> Obj:
    assistant = await context.store.get_assistant(assistant_id)
    if assistant is None:
        raise not_found("assistant", assistant_id, param="assistant_id")
    return assistant


async def _launch(
    request: Request,
    context: Context,
    run: Obj,
    version: Shape,
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
    body = await parse_request(request, CreateRun, version)
    assistant = await _assistant_for(context, body.assistant_id)
    settings = _run_settings(body, assistant)
    stream = bool(body.stream)
    extra_messages = body.additional_messages
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
    body = await parse_request(request, CreateThreadAndRun, version)
    assistant = await _assistant_for(context, body.assistant_id)
    settings = _run_settings(body, assistant)
    stream = bool(body.stream)
    thread_body = body.thread or CreateThread()
    resources = await tool_resources(context, dump(body.tool_resources), create_form=False)
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
    body = await parse_request(request, ModifyRun, version, required=False)
    changes = {"metadata": body.metadata or {}} if "metadata" in body.model_fields_set else {}
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


def _tool_outputs(body: SubmitToolOutputs, run: Obj) -> list[dict[str, str]]:
    """Exactly one string output per pending call of this run, or a 400 saying what is off."""
    if body.tool_approvals is not None:
        raise bad_request(
            "Unrecognized request argument supplied: tool_approvals", param="tool_approvals"
        )
    outputs = body.tool_outputs
    if not outputs:
        raise bad_request(
            "Missing required parameter: 'tool_outputs' (a non-empty array).", param="tool_outputs"
        )
    pending = [c["id"] for c in run["required_action"]["submit_tool_outputs"]["tool_calls"]]
    seen: list[str] = []
    clean: list[dict[str, str]] = []
    for index, item in enumerate(outputs):
        param = f"tool_outputs[{index}]"
        call_id = item.tool_call_id
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
        clean.append({"tool_call_id": call_id, "output": item.output})
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
    body = await parse_request(request, SubmitToolOutputs, version)
    outputs = _tool_outputs(body, run)
    if body.stream:
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
