"""One stretch of a run: from ``queued`` until it pauses (requires_action) or ends.

The loop alternates model calls and built-in tool calls. Custom function calls pause
the run; ``RunEngine.submit_tool_outputs`` later starts a new leg from the stored state.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from playground.runtime.engine.builtin_tools import BuiltinTools, parse_arguments
from playground.runtime.engine.finalize import MESSAGE_REASON, close_open_items, terminal_changes
from playground.runtime.engine.images import PromptImage, image_file_ids, load_image
from playground.runtime.engine.prompt import CODE_TOOL, SEARCH_TOOL, build_request, estimate_tokens
from playground.runtime.engine.state import STATE_KEY, RunState
from playground.runtime.engine.writer import MessageWriter
from playground.runtime.errors import public_reason
from playground.runtime.ids import new_id
from playground.runtime.model import ChatModel, ChatTurn, ModelError, ToolCall, Usage
from playground.runtime.objects import new_step
from playground.runtime.store import Obj, Store

log = logging.getLogger(__name__)

MAX_TURNS = 24


class RunLeg:
    """Executes a run from ``queued``.

    When its task is cancelled, ``cancel_requested`` / ``expire_requested`` tell a user
    cancel or the expiry timer from a server shutdown (which leaves the run for
    ``recover``). ``ended`` is True once the run reached a terminal status.
    """

    def __init__(
        self,
        store: Store,
        model: ChatModel,
        tools: BuiltinTools,
        run_id: str,
        emit: Callable[[str, Obj], None],
        clock: Callable[[], float],
    ) -> None:
        self._store = store
        self._model = model
        self._tools = tools
        self.run_id = run_id
        self._emit = emit
        self._clock = clock
        self.cancel_requested = False
        self.expire_requested = False
        self.ended = False
        self._writer: MessageWriter | None = None
        self._state = RunState()
        self._run: Obj = {}
        #: The thread's images as the model is shown them, read once per run.
        self._images: dict[str, PromptImage] = {}

    def _now(self) -> int:
        return int(self._clock())

    async def _update_run(self, changes: Obj, event: str | None) -> Obj:
        run = await self._store.update_run(self.run_id, changes)
        if run is None:
            raise LookupError(f"run {self.run_id} disappeared")
        self._run = run
        if event:
            self._emit(event, run)
        return run

    async def execute(self) -> None:
        run = await self._store.get_run(self.run_id)
        if run is None or run.get("status") != "queued":
            return
        self._run = run
        self._state = RunState.of(run)
        changes: Obj = {"status": "in_progress"}
        if run.get("started_at") is None:
            changes["started_at"] = self._now()
        await self._update_run(changes, "thread.run.in_progress")
        try:
            await self._loop()
        except asyncio.CancelledError:
            if self.ended:
                raise  # stopped while writing its own ending; that ending stands
            if self.cancel_requested:
                await self._finish_cancelled()
            elif self.expire_requested:
                await self._end("expired")
            raise
        except ModelError as exc:
            await self._fail(exc.code, exc.message)
        except Exception as exc:
            log.exception("run %s failed", self.run_id)
            await self._fail(
                "server_error", f"The run failed because of an internal error: {public_reason(exc)}"
            )

    # ------------------------------------------------------------------ endings
    async def _end(self, status: str, **kwargs: Any) -> None:
        # Open steps and messages are closed before the run's status turns terminal, so
        # a client that polls the run and then lists its steps never sees them dangling.
        now = self._now()
        changes = terminal_changes(status, now, self._state, **kwargs)
        if status != "completed":
            if self._writer is not None:
                reason = MESSAGE_REASON.get(status)
                if reason:
                    await self._writer.abandon(reason, status, kwargs.get("last_error"))
            await close_open_items(self._store, {**self._run, **changes}, status, now, self._emit)
        await self._update_run(changes, None)
        self.ended = True
        self._emit(f"thread.run.{status}", self._run)

    async def _fail(self, code: str, message: str) -> None:
        await self._end("failed", last_error={"code": code, "message": message})

    async def _finish_cancelled(self) -> None:
        await self._end("cancelled")

    # ------------------------------------------------------------------ the loop
    async def _file_names(self, messages: list[Obj]) -> dict[str, str]:
        names: dict[str, str] = {}
        for message in messages:
            ids = [a.get("file_id") for a in message.get("attachments") or []]
            ids += image_file_ids(message)
            for file_id in ids:
                if file_id and file_id not in names:
                    meta = await self._store.get_file(file_id)
                    names[file_id] = meta["filename"] if meta else file_id
        return names

    async def _load_images(
        self, messages: list[Obj], file_names: dict[str, str]
    ) -> dict[str, PromptImage]:
        """The images of the thread's user messages (read on first use in this run)."""
        for message in messages:
            if message.get("role") != "user" or message.get("run_id") == self.run_id:
                continue
            for file_id in image_file_ids(message):
                if file_id not in self._images:
                    name = file_names.get(file_id, file_id)
                    self._images[file_id] = await load_image(self._store, file_id, name)
        return self._images

    async def _model_turn(self, state: RunState) -> tuple[ChatTurn, Usage]:
        run = self._run
        thread_messages = await self._store.list_thread_messages(run["thread_id"])
        limit = run.get("max_completion_tokens")
        remaining = max(1, limit - state.completion_tokens) if limit else None
        file_names = await self._file_names(thread_messages)
        images = None
        if self._model.sees_images is not False:
            images = await self._load_images(thread_messages, file_names)
        request = build_request(
            run,
            thread_messages,
            state.conversation,
            file_names,
            code_available=self._tools.code_available,
            search_available=self._tools.search_available,
            first_turn=state.turns == 0,
            remaining_completion_tokens=remaining,
            images=images,
        )
        state.turns += 1
        turn = ChatTurn()
        self._writer = MessageWriter(self._store, run, state, self._emit, self._clock)
        async for chunk in self._model.complete(request):
            turn.add(chunk)
            if chunk.text:
                await self._writer.append(chunk.text)
        usage = turn.usage
        if usage is None:
            # The server reported nothing (no stream_options support): estimate so runs
            # still show plausible numbers.
            usage = Usage(
                estimate_tokens(request.messages),
                max(1, (len(turn.text) + sum(len(c.arguments) for c in turn.tool_calls())) // 4),
            )
        state.add_usage(usage)
        return turn, usage

    def _budget_exceeded(self, state: RunState, turn: ChatTurn) -> str | None:
        run = self._run
        max_prompt = run.get("max_prompt_tokens")
        max_completion = run.get("max_completion_tokens")
        if max_completion and (
            state.completion_tokens > max_completion or turn.finish_reason == "length"
        ):
            return "max_completion_tokens"
        if max_prompt and state.prompt_tokens > max_prompt:
            return "max_prompt_tokens"
        return None

    async def _loop(self) -> None:
        state = self._state
        while True:
            if state.turns >= MAX_TURNS:
                await self._fail(
                    "server_error",
                    f"The model kept calling tools for {MAX_TURNS} turns without answering; "
                    "the run was stopped.",
                )
                return
            turn, usage = await self._model_turn(state)
            writer = self._writer
            assert writer is not None
            calls = turn.tool_calls()
            over = self._budget_exceeded(state, turn)
            if over is not None:
                if writer.started or not calls:
                    await writer.finish(usage=usage.as_dict(), incomplete_reason="max_tokens")
                await self._end("incomplete", incomplete_reason=over)
                return
            if not calls:
                await writer.finish(usage=usage.as_dict())
                await self._end("completed")
                return
            if writer.started:
                await writer.finish(usage=Usage().as_dict())
            paused = await self._tool_turn(state, turn, calls, usage)
            if paused:
                return

    async def _tool_turn(
        self, state: RunState, turn: ChatTurn, calls: list[ToolCall], usage: Usage
    ) -> bool:
        """Run built-ins, pause for custom functions; True when the leg is over."""
        run = self._run
        ids = [new_id("call") for _ in calls]
        state.conversation.append(
            {
                "role": "assistant",
                "content": turn.text or None,
                "tool_calls": [
                    {
                        "id": cid,
                        "type": "function",
                        "function": {"name": c.name, "arguments": c.arguments},
                    }
                    for cid, c in zip(ids, calls, strict=True)
                ],
            }
        )
        step = new_step(run, "tool_calls", {"type": "tool_calls", "tool_calls": []})
        await self._store.create_step(step)
        self._emit("thread.run.step.created", step)
        self._emit("thread.run.step.in_progress", step)

        entries: list[Obj] = []
        pending: list[Obj] = []
        fatal: str | None = None
        for index, (call_id, call) in enumerate(zip(ids, calls, strict=True)):
            if call.name == CODE_TOOL and self._tools.code_available:
                # Show the code before it runs; outputs follow in a second delta.
                source = parse_arguments(call.arguments, "code") or ""
                self._step_delta(
                    step,
                    index,
                    {
                        "id": call_id,
                        "type": "code_interpreter",
                        "code_interpreter": {"input": source, "outputs": []},
                    },
                )
                outcome = await self._tools.run_code(run, state, call_id, call.arguments)
                entries.append(outcome.step_call)
                outputs = outcome.step_call["code_interpreter"]["outputs"]
                if outputs:
                    self._step_delta(
                        step,
                        index,
                        {
                            "type": "code_interpreter",
                            "code_interpreter": {
                                "outputs": [{"index": i, **o} for i, o in enumerate(outputs)]
                            },
                        },
                    )
                state.conversation.append(
                    {"role": "tool", "tool_call_id": call_id, "content": outcome.model_result}
                )
                if outcome.fatal_error and fatal is None:
                    fatal = outcome.fatal_error
                continue
            elif call.name == SEARCH_TOOL and self._tools.search_available:
                outcome = await self._tools.run_search(run, state, call_id, call.arguments)
            else:
                entry = {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments, "output": None},
                }
                entries.append(entry)
                pending.append(entry)
                self._step_delta(step, index, entry)
                continue
            entries.append(outcome.step_call)
            self._step_delta(step, index, outcome.step_call)
            state.conversation.append(
                {"role": "tool", "tool_call_id": call_id, "content": outcome.model_result}
            )
            if outcome.fatal_error and fatal is None:
                fatal = outcome.fatal_error
        details = {"type": "tool_calls", "tool_calls": entries}
        step = (
            await self._store.update_step(run["id"], step["id"], {"step_details": details}) or step
        )

        if fatal is not None:
            error = {"code": "server_error", "message": fatal}
            failed = await self._store.update_step(
                run["id"],
                step["id"],
                {
                    "status": "failed",
                    "failed_at": self._now(),
                    "last_error": error,
                    "usage": usage.as_dict(),
                },
            )
            if failed is not None:
                self._emit("thread.run.step.failed", failed)
            await self._fail("server_error", fatal)
            return True

        if pending:
            state.pending_step_id = step["id"]
            state.pending_usage = usage.as_dict()
            run = await self._update_run(
                {
                    "status": "requires_action",
                    "required_action": {
                        "type": "submit_tool_outputs",
                        "submit_tool_outputs": {
                            "tool_calls": [
                                {
                                    "id": e["id"],
                                    "type": "function",
                                    "function": {
                                        "name": e["function"]["name"],
                                        "arguments": e["function"]["arguments"],
                                    },
                                }
                                for e in pending
                            ]
                        },
                    },
                    STATE_KEY: state.dump(),
                },
                None,
            )
            self._emit("thread.run.requires_action", run)
            return True

        done = await self._store.update_step(
            run["id"],
            step["id"],
            {"status": "completed", "completed_at": self._now(), "usage": usage.as_dict()},
        )
        if done is not None:
            self._emit("thread.run.step.completed", done)
        await self._update_run({STATE_KEY: state.dump()}, None)
        return False

    def _step_delta(self, step: Obj, index: int, entry: Obj) -> None:
        self._emit(
            "thread.run.step.delta",
            {
                "id": step["id"],
                "object": "thread.run.step.delta",
                "delta": {
                    "step_details": {
                        "type": "tool_calls",
                        "tool_calls": [{"index": index, **entry}],
                    }
                },
            },
        )
