"""Fan-out of run events to SSE subscribers.

A subscriber registers *before* the work that produces events starts (so the first
``thread.run.created`` is never missed) and its iterator ends by itself at the event that
closes an HTTP stream: ``requires_action`` or a terminal run status.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

Event = tuple[str, dict[str, Any]]

STREAM_ENDING_EVENTS = frozenset(
    {
        "thread.run.requires_action",
        "thread.run.completed",
        "thread.run.incomplete",
        "thread.run.failed",
        "thread.run.cancelled",
        "thread.run.expired",
    }
)


class EventHub:
    """Per-run queues; publishing never blocks the run."""

    def __init__(self) -> None:
        self._queues: dict[str, list[asyncio.Queue[Event]]] = {}

    def subscribe(self, run_id: str) -> AsyncIterator[Event]:
        """Register now, iterate later; see the module docstring for when it ends."""
        queue: asyncio.Queue[Event] = asyncio.Queue()
        self._queues.setdefault(run_id, []).append(queue)
        return self._drain(run_id, queue)

    async def _drain(self, run_id: str, queue: asyncio.Queue[Event]) -> AsyncIterator[Event]:
        try:
            while True:
                name, data = await queue.get()
                yield name, data
                if name in STREAM_ENDING_EVENTS:
                    return
        finally:
            self._discard(run_id, queue)

    def publish(self, run_id: str, name: str, data: dict[str, Any]) -> None:
        queues = self._queues.get(run_id, [])
        for queue in queues:
            queue.put_nowait((name, data))
        if name in STREAM_ENDING_EVENTS:
            # Every current subscriber has its last event queued; forget them so a
            # subscriber that never iterates cannot leak.
            self._queues.pop(run_id, None)

    def subscriber_count(self, run_id: str) -> int:
        return len(self._queues.get(run_id, []))

    def _discard(self, run_id: str, queue: asyncio.Queue[Event]) -> None:
        queues = self._queues.get(run_id)
        if queues and queue in queues:
            queues.remove(queue)
            if not queues:
                self._queues.pop(run_id, None)
