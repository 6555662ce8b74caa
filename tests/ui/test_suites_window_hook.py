"""The main window's "Test assistants…" button opens the testing window once, lazily."""

from __future__ import annotations

from typing import Any

import pytest

from playground.ui.dialogs.testing_window import TestingWindow
from tests.ui.shell_support import running_app

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


async def test_toolbar_button_opens_the_testing_window_once(qtbot: Any) -> None:
    async with running_app(qtbot, connect=False) as app:
        window = app.window
        window.testing_button.click()
        opened = app.app._testing  # type: ignore[attr-defined]
        assert isinstance(opened, TestingWindow) and opened.isVisible()
        assert [opened.tabs.tabText(i) for i in range(opened.tabs.count())] == [
            "Compare",
            "Replay",
            "Suites",
            "Code",
        ]
        opened.close()
        window.testing_button.click()
        assert app.app._testing is opened and opened.isVisible()  # type: ignore[attr-defined]
