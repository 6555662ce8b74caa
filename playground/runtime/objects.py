"""Builders for the stored object shapes (v2), shared by routes and the run engine.

Having one place that knows every field of a message, step or run keeps the objects
complete (the spec marks most fields required, nullable or not).
"""

from __future__ import annotations

from typing import Any

from .ids import new_id
from .store import Obj, now


def text_part(value: str, annotations: list[Obj] | None = None) -> Obj:
    """A response-form text content part."""
    return {"type": "text", "text": {"value": value, "annotations": annotations or []}}


def new_message(
    thread_id: str,
    role: str,
    content: list[Obj],
    *,
    attachments: list[Obj] | None = None,
    metadata: dict[str, str] | None = None,
    assistant_id: str | None = None,
    run_id: str | None = None,
    status: str = "completed",
    created_at: int | None = None,
) -> Obj:
    """A thread.message; assistant messages start ``in_progress`` with ``content: []``."""
    created = created_at if created_at is not None else now()
    return {
        "id": new_id("message"),
        "object": "thread.message",
        "created_at": created,
        "thread_id": thread_id,
        "status": status,
        "incomplete_details": None,
        "completed_at": created if status == "completed" else None,
        "incomplete_at": None,
        "role": role,
        "content": content,
        "assistant_id": assistant_id,
        "run_id": run_id,
        "attachments": attachments if attachments is not None else [],
        "metadata": metadata or {},
    }


def new_step(run: Obj, step_type: str, step_details: Obj, *, expires_at: int | None = None) -> Obj:
    """A thread.run.step of ``run`` in ``in_progress`` state."""
    return {
        "id": new_id("step"),
        "object": "thread.run.step",
        "created_at": now(),
        "assistant_id": run["assistant_id"],
        "thread_id": run["thread_id"],
        "run_id": run["id"],
        "type": step_type,
        "status": "in_progress",
        "step_details": step_details,
        "last_error": None,
        "expired_at": None,
        "cancelled_at": None,
        "failed_at": None,
        "completed_at": None,
        "metadata": {},
        "usage": None,
        "expires_at": expires_at if expires_at is not None else run.get("expires_at"),
    }


def new_thread(tool_resources: Obj | None, metadata: dict[str, str] | None) -> Obj:
    return {
        "id": new_id("thread"),
        "object": "thread",
        "created_at": now(),
        "tool_resources": tool_resources or {},
        "metadata": metadata or {},
    }


def new_run(
    thread_id: str, assistant: Obj, settings: dict[str, Any], *, expiry_seconds: int
) -> Obj:
    """A ``queued`` run with the assistant's settings snapshotted under ``settings``' overrides."""
    created = now()
    run: Obj = {
        "id": new_id("run"),
        "object": "thread.run",
        "created_at": created,
        "thread_id": thread_id,
        "assistant_id": assistant["id"],
        "status": "queued",
        "required_action": None,
        "last_error": None,
        "expires_at": created + expiry_seconds,
        "started_at": None,
        "cancelled_at": None,
        "failed_at": None,
        "completed_at": None,
        "incomplete_details": None,
        "model": assistant["model"],
        "instructions": assistant.get("instructions") or "",
        "tools": assistant.get("tools") or [],
        "tool_resources": {},
        "metadata": {},
        "usage": None,
        "temperature": assistant.get("temperature"),
        "top_p": assistant.get("top_p"),
        "max_prompt_tokens": None,
        "max_completion_tokens": None,
        "truncation_strategy": {"type": "auto", "last_messages": None},
        "tool_choice": "auto",
        "parallel_tool_calls": True,
        "response_format": assistant.get("response_format") or "auto",
        "_reasoning_effort": assistant.get("_reasoning_effort"),
        # v1 runs show the files their assistant had when the run started.
        "_file_ids": list(
            ((assistant.get("tool_resources") or {}).get("code_interpreter") or {}).get("file_ids")
            or []
        ),
    }
    for key, value in settings.items():
        run[key] = value
    return run
