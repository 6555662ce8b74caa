"""The assistant message of one model turn: its step, its message and their events.

Created lazily at the first text chunk, so a turn that only calls tools leaves no empty
message behind. Text is streamed as ``thread.message.delta`` events; annotations are
sent once, in a last delta, when the text is final.

The text so far is also saved while it streams (the first chunk at once, then at most
every ``SAVE_INTERVAL`` seconds, with a trailing save for text that arrived just after
one), so a client that polls the message instead of streaming sees it grow, as on
OpenAI. A progress save only touches a message that is still ``in_progress``: a late
one can never overwrite the final content.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from playground.runtime.engine.annotations import annotate
from playground.runtime.engine.state import RunState
from playground.runtime.objects import new_message, new_step, text_part
from playground.runtime.store import Obj, Store

Emit = Callable[[str, Obj], None]

SAVE_INTERVAL = 0.1

log = logging.getLogger(__name__)


class MessageWriter:
    def __init__(
        self, store: Store, run: Obj, state: RunState, emit: Emit, clock: Callable[[], float]
    ) -> None:
        self._store = store
        self._run = run
        self._state = state
        self._emit = emit
        self._clock = clock
        self.message: Obj | None = None
        self.step: Obj | None = None
        self._images: list[str] = []
        self._parts: list[str] = []
        self._saved_at = float("-inf")  # monotonic time of the last progress save
        self._saved_len = 0  # how many parts that save covered
        self._save_task: asyncio.Task[None] | None = None

    @property
    def started(self) -> bool:
        return self.message is not None

    @property
    def text(self) -> str:
        return "".join(self._parts)

    def _delta(self, content: list[dict[str, Any]]) -> None:
        assert self.message is not None
        self._emit(
            "thread.message.delta",
            {
                "id": self.message["id"],
                "object": "thread.message.delta",
                "delta": {"content": content},
            },
        )

    async def start(self) -> None:
        run = self._run
        message = new_message(
            run["thread_id"],
            "assistant",
            [],
            assistant_id=run["assistant_id"],
            run_id=run["id"],
            status="in_progress",
            created_at=int(self._clock()),
        )
        step = new_step(
            run,
            "message_creation",
            {"type": "message_creation", "message_creation": {"message_id": message["id"]}},
        )
        await self._store.create_message(message)
        await self._store.create_step(step)
        self.message, self.step = message, step
        self._emit("thread.run.step.created", step)
        self._emit("thread.run.step.in_progress", step)
        self._emit("thread.message.created", message)
        self._emit("thread.message.in_progress", message)
        # Images the code interpreter showed since the last message lead this one.
        self._images = list(self._state.pending_images)
        self._state.pending_images.clear()
        for index, file_id in enumerate(self._images):
            self._delta(
                [{"index": index, "type": "image_file", "image_file": {"file_id": file_id}}]
            )

    async def append(self, text: str) -> None:
        if not text:
            return
        if not self.started:
            await self.start()
        first = not self._parts
        self._parts.append(text)
        part: dict[str, Any] = {"index": len(self._images), "type": "text", "text": {"value": text}}
        if first:
            part["text"]["annotations"] = []
        self._delta([part])
        await self._save_progress_soon()

    async def _save_progress_soon(self) -> None:
        """Save now if the last save is old enough, else make sure one follows shortly."""
        wait = self._saved_at + SAVE_INTERVAL - time.monotonic()
        if wait <= 0:
            await self._save_progress()
        elif self._save_task is None:
            self._save_task = asyncio.get_running_loop().create_task(self._save_later(wait))

    async def _save_later(self, delay: float) -> None:
        await asyncio.sleep(delay)
        self._save_task = None
        try:
            await self._save_progress()
        except Exception:
            # Only a preview for pollers (e.g. the store closing at shutdown); the final
            # write still carries the whole text.
            log.debug("progress save of message failed", exc_info=True)

    async def _save_progress(self) -> None:
        assert self.message is not None
        if self._saved_len == len(self._parts):
            return
        self._saved_at = time.monotonic()
        self._saved_len = len(self._parts)
        content = self._content(self.text, [])

        def change(message: Obj) -> Obj:
            if message.get("status") == "in_progress":
                message["content"] = content
            return message

        await self._store.mutate(
            "message", self.message["id"], change, parent=self.message["thread_id"]
        )

    def _stop_saving(self) -> None:
        """No trailing save after the final write (the status guard covers one in flight)."""
        if self._save_task is not None:
            self._save_task.cancel()
            self._save_task = None

    def _content(self, text: str, annotations: list[dict[str, Any]]) -> list[Obj]:
        parts: list[Obj] = [
            {"type": "image_file", "image_file": {"file_id": file_id}} for file_id in self._images
        ]
        if text:
            parts.append(text_part(text, annotations))
        return parts

    async def finish(
        self,
        *,
        usage: dict[str, int],
        incomplete_reason: str | None = None,
        step_status: str = "completed",
    ) -> None:
        """Complete (or mark incomplete) the message and end its step."""
        if not self.started:
            await self.start()
        assert self.message is not None and self.step is not None
        self._stop_saving()
        streamed = self.text
        state = self._state
        text, annotations = annotate(
            streamed, state.produced_files, state.citations, state.uncited_search
        )
        state.uncited_search = None
        text_index = len(self._images)
        if len(text) > len(streamed):
            self._parts.append(text[len(streamed) :])
            value: dict[str, Any] = {"value": text[len(streamed) :]}
            if not streamed:
                value["annotations"] = []
            self._delta([{"index": text_index, "type": "text", "text": value}])
        if annotations:
            self._delta(
                [
                    {
                        "index": text_index,
                        "type": "text",
                        "text": {
                            "annotations": [{"index": i, **a} for i, a in enumerate(annotations)]
                        },
                    }
                ]
            )
        now = int(self._clock())
        changes: Obj = {"content": self._content(text, annotations)}
        if incomplete_reason is None:
            changes.update(status="completed", completed_at=now)
        else:
            changes.update(
                status="incomplete",
                incomplete_at=now,
                incomplete_details={"reason": incomplete_reason},
            )
        message = await self._store.update_message(
            self.message["thread_id"], self.message["id"], changes
        )
        assert message is not None
        self.message = message
        self._emit(
            "thread.message.completed"
            if incomplete_reason is None
            else "thread.message.incomplete",
            message,
        )
        await self.end_step(step_status, usage=usage)

    async def end_step(
        self, status: str, *, usage: dict[str, int] | None = None, error: Obj | None = None
    ) -> None:
        assert self.step is not None
        now = int(self._clock())
        stamp = {
            "completed": "completed_at",
            "cancelled": "cancelled_at",
            "failed": "failed_at",
            "expired": "expired_at",
        }[status]
        changes: Obj = {"status": status, stamp: now, "usage": usage}
        if error is not None:
            changes["last_error"] = error
        step = await self._store.update_step(self.step["run_id"], self.step["id"], changes)
        assert step is not None
        self.step = step
        self._emit(f"thread.run.step.{status}", step)

    async def abandon(self, reason: str, step_status: str, error: Obj | None = None) -> None:
        """Close an unfinished message as incomplete (run cancelled, failed or expired)."""
        if not self.started or self.message is None:
            return
        if self.message.get("status") != "in_progress":
            return
        self._stop_saving()
        now = int(self._clock())
        text = self.text
        message = await self._store.update_message(
            self.message["thread_id"],
            self.message["id"],
            {
                "status": "incomplete",
                "incomplete_at": now,
                "incomplete_details": {"reason": reason},
                "content": self._content(text, []),
            },
        )
        if message is not None:
            self.message = message
            self._emit("thread.message.incomplete", message)
        if self.step is not None and self.step.get("status") == "in_progress":
            await self.end_step(step_status, error=error)
