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

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from playground.app import install_asyncgen_hooks


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
    return loop


def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> Mapping[str, Callable[[], asyncio.AbstractEventLoop]]:
    return {"qasync": _qt_event_loop}


@pytest.fixture(autouse=True)
def _collect_qt_garbage_on_qt_thread() -> Iterator[None]:
    """Collect cyclic garbage after each UI test on the Qt thread, for the reason above."""
    yield
    gc.collect()
