"""The run executor: schedules runs, pauses them for tool outputs, cancels and expires them.

Every run advances in its own asyncio task; model calls are async HTTP and storage runs
in worker threads, so the event loop that serves HTTP never waits on a run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from playground.runtime.engine.builtin_tools import BuiltinTools
from playground.runtime.engine.events import EventHub, Subscription
from playground.runtime.engine.finalize import close_open_items, terminal_changes
from playground.runtime.engine.leg import RunLeg
from playground.runtime.engine.ports import CodeRunner, Searcher
from playground.runtime.engine.state import STATE_KEY, RunState
from playground.runtime.model import ChatModel
from playground.runtime.store import ACTIVE_RUN_STATUSES, Obj, Store, public

log = logging.getLogger(__name__)

RESTART_MESSAGE = "The server stopped while this run was active; start a new run to continue."


class RunEngine:
    """Executes runs stored by the routes. See runtime_shared.md for the call contract."""

    def __init__(
        self,
        store: Store,
        model: ChatModel,
        code_interpreter: CodeRunner | None = None,
        file_search: Searcher | None = None,
        *,
        clock: Callable[[], float] = time.time,
        run_expiry_seconds: int = 600,
    ) -> None:
        self._store = store
        self._model = model
        self._tools = BuiltinTools(store, code_interpreter, file_search, clock=clock)
        self._clock = clock
        self.run_expiry_seconds = run_expiry_seconds
        self._hub = EventHub()
        self._legs: dict[str, tuple[RunLeg, asyncio.Task[None]]] = {}
        self._timers: dict[str, asyncio.Task[None]] = {}
        self._background: set[asyncio.Task[Any]] = set()
        self._closed = False

    # ------------------------------------------------------------------ events
    def subscribe(self, run_id: str) -> Subscription:
        """The run's SSE events from now on; call before ``start``/``submit_tool_outputs``."""
        return self._hub.subscribe(run_id)

    def _emit_for(self, run_id: str) -> Callable[[str, Obj], None]:
        def emit(name: str, obj: Obj) -> None:
            self._hub.publish(run_id, name, public(obj))

        return emit

    # ------------------------------------------------------------------ scheduling
    def _spawn(self, work: Any) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    def _launch(self, run_id: str) -> None:
        leg = RunLeg(
            self._store,
            self._model,
            self._tools,
            run_id,
            self._emit_for(run_id),
            self._clock,
        )
        task = asyncio.get_running_loop().create_task(self._guarded(leg))
        self._legs[run_id] = (leg, task)

    async def _guarded(self, leg: RunLeg) -> None:
        try:
            await leg.execute()
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("run %s crashed while finishing", leg.run_id)
        finally:
            current = self._legs.get(leg.run_id)
            if current is not None and current[0] is leg:
                del self._legs[leg.run_id]
            if leg.ended:
                # A finished run needs no expiry timer; a paused one keeps its timer.
                self._disarm_expiry(leg.run_id)

    def is_running(self, run_id: str) -> bool:
        """True while a task is advancing the run (for tests and diagnostics)."""
        return run_id in self._legs

    async def start(self, run_id: str) -> None:
        """Begin a run already stored as ``queued``."""
        if self._closed:
            raise RuntimeError("the run engine is shut down")
        run = await self._store.get_run(run_id)
        if run is None:
            raise LookupError(f"No run found with id '{run_id}'.")
        emit = self._emit_for(run_id)
        emit("thread.run.created", run)
        emit("thread.run.queued", run)
        self._arm_expiry(run)
        self._launch(run_id)

    async def submit_tool_outputs(self, run_id: str, tool_outputs: list[dict[str, Any]]) -> None:
        """Record the outputs (the route has validated them) and continue the run."""
        run = await self._store.get_run(run_id)
        if run is None or run.get("status") != "requires_action":
            raise ValueError(f"Run {run_id} is not waiting for tool outputs.")
        emit = self._emit_for(run_id)
        state = RunState.of(run)
        outputs = {o["tool_call_id"]: str(o.get("output") or "") for o in tool_outputs}
        if state.pending_step_id is not None:
            step = await self._store.get_step(run_id, state.pending_step_id)
            if step is not None:
                calls = step["step_details"]["tool_calls"]
                for call in calls:
                    if call.get("type") == "function" and call["id"] in outputs:
                        call["function"]["output"] = outputs[call["id"]]
                done = await self._store.update_step(
                    run_id,
                    step["id"],
                    {
                        "status": "completed",
                        "completed_at": int(self._clock()),
                        "step_details": step["step_details"],
                        "usage": state.pending_usage,
                    },
                )
                if done is not None:
                    emit("thread.run.step.completed", done)
        pending_ids = [c["id"] for c in run["required_action"]["submit_tool_outputs"]["tool_calls"]]
        for call_id in pending_ids:
            state.conversation.append(
                {"role": "tool", "tool_call_id": call_id, "content": outputs.get(call_id, "")}
            )
        state.pending_step_id = None
        state.pending_usage = None
        run = await self._store.update_run(
            run_id, {"status": "queued", "required_action": None, STATE_KEY: state.dump()}
        )
        assert run is not None
        emit("thread.run.queued", run)
        self._launch(run_id)

    async def cancel(self, run_id: str) -> None:
        """Move an active run to ``cancelling``; it becomes ``cancelled`` in the background."""
        run = await self._store.get_run(run_id)
        if run is None or run.get("status") not in ACTIVE_RUN_STATUSES:
            raise ValueError(f"Run {run_id} is not active and cannot be cancelled.")
        if run["status"] == "cancelling":
            return
        run = await self._store.update_run(run_id, {"status": "cancelling"})
        assert run is not None
        self._emit_for(run_id)("thread.run.cancelling", run)
        self._disarm_expiry(run_id)
        entry = self._legs.get(run_id)
        if entry is not None:
            leg, task = entry
            leg.cancel_requested = True
            task.cancel()
            # A leg that had not started executing yet finishes no cleanup: handle it.
            self._spawn(self._settle_cancel_after(run_id, task))
        else:
            self._spawn(self._close(run_id, "cancelled"))

    async def _settle_cancel_after(self, run_id: str, task: asyncio.Task[None]) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait({task})
        run = await self._store.get_run(run_id)
        if run is not None and run.get("status") == "cancelling":
            await self._close(run_id, "cancelled")

    async def _close(self, run_id: str, status: str, last_error: Obj | None = None) -> None:
        """End a run that has no task advancing it (paused, or never started)."""
        run = await self._store.get_run(run_id)
        if run is None:
            return
        now = int(self._clock())
        changes = terminal_changes(status, now, RunState.of(run), last_error=last_error)
        emit = self._emit_for(run_id)
        # Items first, status last: see RunLeg._end.
        await close_open_items(self._store, {**run, **changes}, status, now, emit)
        run = await self._store.update_run(run_id, changes)
        if run is not None:
            emit(f"thread.run.{status}", run)

    # ------------------------------------------------------------------ expiry
    def _arm_expiry(self, run: Obj) -> None:
        """One timer per run for its whole active life (queued, in progress or paused):
        as on OpenAI, a run still active at ``expires_at`` ends ``expired``."""
        expires_at = run.get("expires_at")
        if expires_at is None:
            return
        self._disarm_expiry(run["id"])
        delay = max(0.0, float(expires_at) - self._clock())
        self._timers[run["id"]] = self._spawn(self._expire_later(run["id"], delay))

    def expiry_pending(self, run_id: str) -> bool:
        """True while the run's expiry timer is armed (for tests and diagnostics)."""
        return run_id in self._timers

    def _disarm_expiry(self, run_id: str) -> None:
        timer = self._timers.pop(run_id, None)
        if timer is not None and timer is not asyncio.current_task():
            timer.cancel()

    async def _expire_later(self, run_id: str, delay: float) -> None:
        await asyncio.sleep(delay)
        self._timers.pop(run_id, None)
        entry = self._legs.get(run_id)
        if entry is not None and not entry[0].ended:
            # Still queued or in progress: stop the leg; it records ``expired`` itself
            # (closing its message and steps) as it unwinds.
            leg, task = entry
            leg.expire_requested = True
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait({task})
        run = await self._store.get_run(run_id)
        if run is not None and run.get("status") in ("queued", "in_progress", "requires_action"):
            await self._close(run_id, "expired")

    # ------------------------------------------------------------------ lifecycle
    async def recover(self) -> None:
        """Fail runs a previous process left active (nothing in memory can resume them)."""
        for run in await self._store.unfinished_runs():
            await self._close(
                run["id"], "failed", {"code": "server_error", "message": RESTART_MESSAGE}
            )

    async def aclose(self) -> None:
        """Stop every task; active runs stay as stored and ``recover`` fails them next start."""
        self._closed = True
        tasks = [task for _, task in self._legs.values()] + list(self._background)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self._legs.clear()
        self._timers.clear()
