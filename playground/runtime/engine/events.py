"""Fan-out of run events to SSE subscribers.

A subscriber registers *before* the work that produces events starts (so the first
``thread.run.created`` is never missed) and its iterator ends by itself at the event that
closes an HTTP stream: ``requires_action`` or a terminal run status.
"""

from __future__ import annotations

import asyncio
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


class Subscription:
    """One subscriber's events: iterate them one by one, or take them in batches.

    ``next_batch`` returns every event already waiting (at least one) so the SSE writer
    can send a burst of events in one socket write instead of one write each; events
    often come in bursts (e.g. ``step.created``, ``step.in_progress``,
    ``message.created``...). Both forms end after a stream-ending event.
    """

    def __init__(self, hub: EventHub, run_id: str) -> None:
        self._hub = hub
        self._run_id = run_id
        self._queue: asyncio.Queue[Event] = asyncio.Queue()
        self.finished = False

    def put(self, event: Event) -> None:
        self._queue.put_nowait(event)

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Event:
        if self.finished:
            raise StopAsyncIteration
        event = await self._queue.get()
        self._note(event)
        return event

    async def next_batch(self) -> list[Event]:
        """The waiting events (waits for one); empty once the stream has ended."""
        if self.finished:
            return []
        batch = [await self._queue.get()]
        self._note(batch[0])
        while not self.finished and not self._queue.empty():
            batch.append(self._queue.get_nowait())
            self._note(batch[-1])
        return batch

    def _note(self, event: Event) -> None:
        if event[0] in STREAM_ENDING_EVENTS:
            self.finished = True
            self._hub.discard(self._run_id, self)

    async def aclose(self) -> None:
        """Stop listening (a reader that gives up early, e.g. a client that went away)."""
        self.finished = True
        self._hub.discard(self._run_id, self)


class EventHub:
    """Per-run subscriber queues; publishing never blocks the run."""

    def __init__(self) -> None:
        self._subscribers: dict[str, list[Subscription]] = {}

    def subscribe(self, run_id: str) -> Subscription:
        """Register now, iterate later; see the module docstring for when it ends."""
        subscription = Subscription(self, run_id)
        self._subscribers.setdefault(run_id, []).append(subscription)
        return subscription

    def publish(self, run_id: str, name: str, data: dict[str, Any]) -> None:
        for subscription in self._subscribers.get(run_id, []):
            subscription.put((name, data))
        if name in STREAM_ENDING_EVENTS:
            # Every current subscriber has its last event queued; forget them so a
            # subscriber that never iterates cannot leak.
            self._subscribers.pop(run_id, None)

    def subscriber_count(self, run_id: str) -> int:
        return len(self._subscribers.get(run_id, []))

    def discard(self, run_id: str, subscription: Subscription) -> None:
        subscriptions = self._subscribers.get(run_id)
        if subscriptions and subscription in subscriptions:
            subscriptions.remove(subscription)
            if not subscriptions:
                self._subscribers.pop(run_id, None)
