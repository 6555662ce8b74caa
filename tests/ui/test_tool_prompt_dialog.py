"""The tool-output prompt with two calls, in the real window against the real runtime.

Its layout must not move under the cursor: fixed-height editors that scroll, focus in the
first Output, Tab to the next Output (never into the read-only arguments), Ctrl+Enter to
submit, and the main window behind it stays where it is.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtTest import QTest

from playground.ui.dialogs.tool_outputs_dialog import ToolOutputsDialog
from tests.helpers.qt_wait import posted_events_delivered, until
from tests.helpers.screenshots import shoot
from tests.helpers.scripted_llm import ScriptedLLM, text, tool_calls
from tests.helpers.weather_tool import WEATHER as WEATHER_TOOL
from tests.ui.shell_support import Running, llm, model_env, running_app

__all__ = ["llm", "model_env"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def _layout_of(app: Running) -> dict[str, Any]:
    """Where the main window's parts are (what must not move while the prompt is open)."""
    window, pane = app.window, app.chat_pane
    return {
        "splitter": window.splitter.sizes(),
        "chat": pane.splitter.sizes(),
        "messages": QRect(pane.messages.geometry()),
        "composer": QRect(pane.composer.geometry()),
        "status": QRect(pane.run_status.geometry()),
    }


async def _prompt(app: Running) -> ToolOutputsDialog:
    pane, vm = app.chat_pane, app.parts.chat_vm
    await until(
        lambda: (
            isinstance(pane.prompt_dialog, ToolOutputsDialog)
            and pane.prompt_dialog.isVisible()
            and vm.prompt is not None
            and vm.prompt.is_ready
        ),
        [vm.tool_prompt_requested, vm.run_state_changed],
        what="the tool prompt",
    )
    assert isinstance(pane.prompt_dialog, ToolOutputsDialog)
    return pane.prompt_dialog


async def test_prompt_layout_focus_tab_and_ctrl_enter(qtbot: Any, model_env: ScriptedLLM) -> None:
    long_args = {"city": "Paris, " + "Ile-de-France, " * 30, "unit": "celsius"}
    model_env.queue(
        tool_calls(
            ("get_weather", long_args), ("get_weather", {"city": "Lyon", "unit": "celsius"})
        ),
        text("Paris 21, Lyon 19."),
    )
    async with running_app(qtbot) as app:
        await app.create_assistant(tools=[WEATHER_TOOL])
        app.type_and_run("Weather in Paris and Lyon?")
        vm = app.parts.chat_vm
        await until(
            lambda: vm.run is not None and vm.run.status == "requires_action",
            [vm.run_state_changed],
            what="requires_action",
        )
        dialog = await _prompt(app)
        await posted_events_delivered()
        before = _layout_of(app)
        first, second = dialog.boxes
        # Focus starts in the first Output.
        assert dialog.focusWidget() is first.output
        heights = [(b.arguments.height(), b.output.height(), b.height()) for b in dialog.boxes]
        second_at = second.mapTo(dialog, second.rect().topLeft())
        # Type a long answer: the editor scrolls, nothing grows, the second box stays put.
        QTest.keyClicks(first.output, '{"temp": 21}')
        first.output.appendPlainText("\n".join(f"line {n}" for n in range(40)))
        first.output.setPlainText('{"temp": 21}\n' + "\n".join(f"// {n}" for n in range(40)))
        await posted_events_delivered()
        assert [(b.arguments.height(), b.output.height(), b.height()) for b in dialog.boxes] == (
            heights
        )
        assert second.mapTo(dialog, second.rect().topLeft()) == second_at
        assert first.output.verticalScrollBar().maximum() > 0  # it scrolls instead
        # Tab goes to the next Output, not into the read-only arguments.
        QTest.keyClick(first.output, Qt.Key.Key_Tab)
        assert dialog.focusWidget() is second.output
        assert first.arguments.focusPolicy() == Qt.FocusPolicy.ClickFocus
        QTest.keyClicks(second.output, '{"temp": 19}')
        assert app.parts.chat_vm.prompt is not None
        assert [i.output for i in app.parts.chat_vm.prompt.items][1] == '{"temp": 19}'
        # The picture in the README: both calls, a short answer in the first.
        first.output.setPlainText('{"temp": 21, "sky": "clear"}')
        dialog.scroll_area.ensureWidgetVisible(first, 0, 0)
        await posted_events_delivered()
        shoot(dialog, "requires-action.png")
        # The window behind has not moved.
        assert _layout_of(app) == before
        # Ctrl+Enter submits both outputs.
        dialog.activateWindow()
        QTest.keyClick(second.output, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert await app.run_finished() == "completed"
        # Let the reply and the run's stream end normally before the app shuts down.
        await until(
            lambda: any("Lyon 19" in i.text and i.status == "completed" for i in vm.items),
            [vm.messages_changed, vm.item_updated],
            what="the reply",
        )
        await app.app.runner.wait_idle()
        tool_messages = [m for m in model_env.requests[-1]["messages"] if m.get("role") == "tool"]
        assert len(tool_messages) == 2
        assert tool_messages[1]["content"] == '{"temp": 19}'
        assert tool_messages[0]["content"].startswith('{"temp": 21')
        assert not dialog.isVisible()
