"""Waiting on Qt signals from async tests, with a timeout and never a bare sleep.

GUI tests need "wait until the view model says so". Polling would race and add latency; a
signal tells exactly when something changed, so the predicate is re-checked only then.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, SignalInstance

DEFAULT_TIMEOUT = 30.0


async def until(
    predicate: Callable[[], Any],
    signals: Iterable[SignalInstance],
    within: float = DEFAULT_TIMEOUT,
    what: str = "condition",
) -> Any:
    """Wait until ``predicate()`` is truthy, re-checking whenever one of ``signals`` fires.

    Returns the truthy value; raises ``AssertionError`` naming ``what`` after ``within`` s,
    so a hung test fails with a readable reason instead of a pytest timeout.
    """
    value = predicate()
    if value:
        return value
    loop = asyncio.get_running_loop()
    changed: asyncio.Future[None] = loop.create_future()

    def poke(*_: object) -> None:
        if not changed.done():
            changed.set_result(None)

    connected = list(signals)
    for signal in connected:
        signal.connect(poke)
    try:
        async with asyncio.timeout(within):
            while True:
                await changed
                value = predicate()
                if value:
                    return value
                changed = loop.create_future()
    except TimeoutError:
        raise AssertionError(f"{what} not reached within {within} s") from None
    finally:
        for signal in connected:
            try:
                signal.disconnect(poke)
            except (RuntimeError, TypeError):
                # The sender may already be gone (widget closed); nothing left to undo.
                pass


_SETTLED_EVENT = QEvent.Type(QEvent.registerEventType())


class _SettledMarker(QObject):
    """Receives the marker event and resolves the future waiting for it."""

    def __init__(self, reached: asyncio.Future[None]) -> None:
        super().__init__()
        self._reached = reached

    def event(self, event: QEvent) -> bool:
        if event.type() == _SETTLED_EVENT:
            if not self._reached.done():
                self._reached.set_result(None)
            return True
        return super().event(event)


async def posted_events_delivered(within: float = DEFAULT_TIMEOUT) -> None:
    """Wait until Qt has delivered the events posted before this call (layout requests...).

    Use this, never ``QApplication.processEvents()``, inside an async test: processEvents
    runs a nested event loop inside the test's task, where qasync runs other tasks' steps;
    asyncio refuses them ("Cannot enter into task ... while another task is being executed")
    and that task is never scheduled again, so the loop can never finish cancelling it.
    Posted events are delivered in order, so our marker arriving means those before it did.
    """
    reached: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    marker = _SettledMarker(reached)
    QCoreApplication.postEvent(marker, QEvent(_SETTLED_EVENT))
    try:
        async with asyncio.timeout(within):
            await reached
    except TimeoutError:
        raise AssertionError(f"posted events not delivered within {within} s") from None
    finally:
        del marker  # Qt drops a deleted receiver's pending events
