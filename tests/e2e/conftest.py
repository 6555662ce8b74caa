"""End-to-end window tests run on the same qasync loop as the UI tests."""

from __future__ import annotations

from tests.ui.conftest import (  # noqa: F401  (pytest hooks and fixtures by name)
    _collect_qt_garbage_on_qt_thread,
    pytest_asyncio_loop_factories,
)
