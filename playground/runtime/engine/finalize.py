"""Ending a run: its status fields, and whatever steps and messages it left open."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playground.runtime.engine.state import STATE_KEY, RunState
from playground.runtime.store import Obj, Store

Emit = Callable[[str, Obj], None]

STEP_STAMP = {
    "completed": "completed_at",
    "cancelled": "cancelled_at",
    "failed": "failed_at",
    "expired": "expired_at",
}
MESSAGE_REASON = {"cancelled": "run_cancelled", "failed": "run_failed", "expired": "run_expired"}


def terminal_changes(
    status: str,
    now: int,
    state: RunState,
    *,
    last_error: Obj | None = None,
    incomplete_reason: str | None = None,
) -> dict[str, Any]:
    """The run fields that change when it reaches ``status`` (a terminal status)."""
    changes: dict[str, Any] = {
        "status": status,
        "required_action": None,
        "usage": state.usage.as_dict(),
        STATE_KEY: state.dump(),
    }
    if status != "expired":
        changes["expires_at"] = None
    if status == "completed":
        changes["completed_at"] = now
    elif status == "failed":
        changes["failed_at"] = now
        changes["last_error"] = last_error
    elif status == "cancelled":
        changes["cancelled_at"] = now
    elif status == "incomplete":
        changes["incomplete_details"] = {"reason": incomplete_reason}
    return changes


async def close_open_items(store: Store, run: Obj, status: str, now: int, emit: Emit) -> None:
    """Mark the run's in-progress steps ``status`` and its unfinished messages incomplete.

    Only for cancelled, failed and expired runs; a completed or incomplete run has closed
    its own items.
    """
    if status not in MESSAGE_REASON:
        return
    for step in await store.list_run_steps(run["id"]):
        if step.get("status") != "in_progress":
            continue
        changes: Obj = {"status": status, STEP_STAMP[status]: now}
        if status == "failed":
            changes["last_error"] = run.get("last_error")
        updated = await store.update_step(run["id"], step["id"], changes)
        if updated is not None:
            emit(f"thread.run.step.{status}", updated)
    reason = MESSAGE_REASON[status]
    for message in await store.list_thread_messages(run["thread_id"]):
        if message.get("run_id") != run["id"] or message.get("status") != "in_progress":
            continue
        updated = await store.update_message(
            run["thread_id"],
            message["id"],
            {
                "status": "incomplete",
                "incomplete_at": now,
                "incomplete_details": {"reason": reason},
            },
        )
        if updated is not None:
            emit("thread.message.incomplete", updated)
