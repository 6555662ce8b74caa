"""Waiting on Qt signals from async tests, with a timeout and never a bare sleep.

GUI tests need "wait until the view model says so". Polling would race and add latency; a
signal tells exactly when something changed, so the predicate is re-checked only then.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import SignalInstance

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
