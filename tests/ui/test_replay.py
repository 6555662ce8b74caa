"""Replay in the window: a thread replayed with a changed instruction, differences marked."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from playground.runs import RunDriver
from playground.testing.runner import run_turn
from playground.testing.suite import CannedOutput
from playground.testing.tool_answers import CannedOutputs, ToolAnswers
from playground.ui.dialogs.testing_window import TestingWindow
from tests.helpers.qt_wait import until
from tests.helpers.scripted_llm import ScriptedLLM, text, tool_calls
from tests.helpers.weather_tool import WEATHER
from tests.ui.inspector_env import env, llm, runtime
from tests.ui.support import Env
from tests.ui.testing_support import shoot

__all__ = ["env", "llm", "runtime"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

OSLO = {"city": "Oslo", "unit": "celsius"}


async def test_replay_with_a_changed_instruction_marks_the_difference(
    env: Env, llm: ScriptedLLM, qtbot: QtBot
) -> None:
    client = env.client
    assistant = await client.assistants.create(
        {
            "model": "scripted-model",
            "name": "Weather",
            "instructions": "Be plain.",
            "tools": [WEATHER],
        }
    )
    thread = await client.threads.create()
    given = ToolAnswers(CannedOutputs([CannedOutput(function="get_weather", output="5 C")]))
    llm.queue(tool_calls(("get_weather", OSLO)), text("It is 5 degrees in Oslo."))
    driver = RunDriver(client)
    await run_turn(client, driver, thread.id, assistant.id, "Weather in Oslo?", given)
    await run_turn(client, driver, thread.id, assistant.id, "Thanks", given)

    window = TestingWindow(env.session, lambda: [(assistant.id, "Weather")], lambda: thread.id)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentWidget(window.replay_view)
    view, vm = window.replay_view, window.replay_vm
    view.instructions_edit.setPlainText("Talk like a pirate.")
    asked = len(llm.requests)
    # The same call recurs: its output is reused, nobody is asked.
    llm.queue(tool_calls(("get_weather", OSLO)), text("Arr, 5 degrees in Oslo, matey."))
    view.replay_button.click()
    await until(lambda: vm.diffs and not vm.busy, [vm.result_changed, vm.busy_changed])

    assert view.thread_edit.text() == thread.id and vm.thread_id != thread.id
    assert vm.errors == []
    first, second = vm.diffs
    assert not first.answer_same and first.calls_same and first.steps_same
    assert second.same
    assert "1 of 2 turns differ" in view.status_label.text()
    page = view.diff_view.toHtml()
    assert "line-through" in page and "#cdeed6" in page  # removed and added words marked
    shown = view.diff_view.toPlainText()
    assert "It is 5 degrees in Oslo." in " ".join(shown.split())
    assert "Arr," in shown and "matey." in shown
    # The replay ran with the edited instruction and got the original tool output.
    system = [m for m in llm.requests[asked]["messages"] if m["role"] == "system"]
    assert system and system[0]["content"] == "Talk like a pirate."
    tool_msgs = [m for m in llm.requests[asked + 1]["messages"] if m["role"] == "tool"]
    assert tool_msgs[-1]["content"] == "5 C"
    assert view.diff_view.refused_resources == []
    shoot(window, "replay.png")
