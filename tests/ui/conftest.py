"""Async GUI tests run on a qasync loop inside the QApplication.

pytest-asyncio 1.x asks ``pytest_asyncio_loop_factories`` for the loops to run async tests
on; this conftest answers only for items under tests/ui (pytest scopes conftest hooks by
path), so every ``async def`` test here runs on the Qt event loop, where signals, timers and
widgets behave as in the app.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from playground.app import install_asyncgen_hooks

# Task steps qasync ran inside a nested Qt event loop (QApplication.processEvents(), a modal
# exec(), qtbot.wait* called from inside a running task): asyncio refuses them ("Cannot enter
# into task ... while another task is being executed") and never schedules that task again,
# so the test's loop later waits forever to cancel it. Recorded here to fail the test by name.
_refused_steps: list[str] = []


def _on_loop_error(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    error, handle = context.get("exception"), context.get("handle")
    if (
        isinstance(error, RuntimeError)
        and str(error).startswith("Cannot enter into task")
        and isinstance(handle, asyncio.Handle)
    ):
        _refused_steps.append(str(error))
        # Run the refused step again from the loop itself, so the loop can still close and
        # the test fails with this reason instead of hanging at teardown.
        step: Any = handle  # asyncio keeps a handle's callback private
        loop.call_soon(step._callback, *step._args)
        return
    loop.default_exception_handler(context)


def _qt_event_loop() -> asyncio.AbstractEventLoop:
    # Earlier tests' loops (and their QTimers/QThreads) sit in reference cycles. Collect them
    # here on the Qt thread; otherwise a collection may run in a worker thread and Qt warns
    # "Timers cannot be stopped from another thread", which fails tests (qt_log_level_fail).
    gc.collect()
    # pytest-qt's ``qapp`` fixture reuses an existing instance, so creating it here is safe.
    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app)
    # As in the app: an HTTP stream abandoned mid-read is closed ON this loop, not by the
    # garbage collector outside any task (where httpcore cannot tell which library runs it).
    # Each new loop installs its own hooks; the old loop's finalizer ignores a closed loop.
    install_asyncgen_hooks(loop)
    loop.set_exception_handler(_on_loop_error)
    return loop


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail a UI test whose code ran a nested event loop inside a task (see above)."""
    _refused_steps.clear()
    outcome = yield
    if _refused_steps:
        pytest.fail(
            "a nested Qt event loop ran inside a task and asyncio refused another task's step "
            "(await tests.helpers.qt_wait.posted_events_delivered() instead of "
            f"processEvents()): {_refused_steps[0]}"
        )
    return outcome


def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> Mapping[str, Callable[[], asyncio.AbstractEventLoop]]:
    return {"qasync": _qt_event_loop}


@pytest.fixture(autouse=True)
def _collect_qt_garbage_on_qt_thread() -> Iterator[None]:
    """Collect cyclic garbage after each UI test on the Qt thread, for the reason above."""
    yield
    gc.collect()
