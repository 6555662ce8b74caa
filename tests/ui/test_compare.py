"""Compare in the window: two variants of one assistant, one message, answers in columns."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from playground.testing.variants import Variant
from playground.ui.dialogs.testing_window import TestingWindow
from playground.ui.viewmodels.assistants import AssistantsViewModel
from playground.ui.viewmodels.compare import apply_variant
from tests.helpers.qt_wait import until
from tests.helpers.scripted_llm import ScriptedLLM, text, tool_calls
from tests.helpers.weather_tool import WEATHER
from tests.ui.inspector_env import env, llm, runtime
from tests.ui.support import Env
from tests.ui.testing_support import shoot

__all__ = ["env", "llm", "runtime"]

# The offscreen platform cannot pass size hints to a window manager (the window is shown).
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

OSLO = {"city": "Oslo", "unit": "celsius"}


async def _window(env: Env, qtbot: QtBot, **extra: object) -> tuple[TestingWindow, str]:
    assistant = await env.client.assistants.create(
        {"model": "scripted-model", "name": "Weather", "instructions": "Be plain.", **extra}
    )
    window = TestingWindow(env.session, lambda: [(assistant.id, "Weather")], lambda: None)
    qtbot.addWidget(window)
    window.show()
    return window, assistant.id


def _done(window: TestingWindow) -> bool:
    vm = window.compare_vm
    return not vm.busy and all(c.status in ("completed", "failed", "cancelled") for c in vm.columns)


async def test_two_variants_answer_differently_side_by_side(
    env: Env, llm: ScriptedLLM, qtbot: QtBot
) -> None:
    window, _ = await _window(env, qtbot)
    view, vm = window.compare_view, window.compare_vm
    assert len(view.columns) == 2
    view.columns[0].label_edit.setText("Plain")
    view.columns[1].label_edit.setText("Pirate")
    view.columns[1].instructions_edit.setPlainText("Talk like a pirate.")
    view.columns[1].temperature_edit.setText("1.2")
    llm.queue(text("Hello, **friend**."), text("Ahoy, matey!"))
    view.message_edit.setText("Greet me")
    view.send_button.click()
    await until(lambda: _done(window), [vm.column_changed, vm.busy_changed], what="both runs")

    columns = vm.columns
    assert {c.answer for c in columns} == {"Hello, **friend**.", "Ahoy, matey!"}
    assert columns[1].variant.overrides == {
        "instructions": "Talk like a pirate.",
        "temperature": 1.2,
    }
    assert columns[0].thread_id != columns[1].thread_id
    for widget, column in zip(view.columns, columns, strict=True):
        shown = widget.answer_view.toPlainText().strip()
        assert shown == column.answer.replace("**", "")  # rendered like the chat
        assert "completed" in widget.status_label.text() and "tokens" in widget.status_label.text()
    window.tabs.setCurrentWidget(view)
    shoot(window, "compare.png")


async def test_ask_mode_prompts_in_the_column_that_asks(
    env: Env, llm: ScriptedLLM, qtbot: QtBot
) -> None:
    window, _ = await _window(env, qtbot, tools=[WEATHER])
    view, vm = window.compare_view, window.compare_vm
    asked: list[tuple[int, str, str]] = []
    vm.ask_requested.connect(lambda i, name, args: asked.append((i, name, args)))
    llm.queue(tool_calls(("get_weather", OSLO)), text("No tools needed."), text("5 C in Oslo."))
    view.message_edit.setText("Weather in Oslo?")
    view.send_button.click()
    await until(lambda: asked, [vm.ask_requested], what="a column asking")
    [(index, name, _)] = asked
    other = 1 - index
    assert name == "get_weather"
    assert not view.columns[index].ask_box.isHidden() and view.columns[other].ask_box.isHidden()
    assert "asks for the output of get_weather" in view.columns[index].ask_label.text()
    view.columns[index].ask_edit.setText("5 C")
    view.columns[index].ask_send.click()
    await until(lambda: _done(window), [vm.column_changed, vm.busy_changed], what="both runs")
    assert vm.columns[index].answer == "5 C in Oslo."
    assert vm.columns[index].steps == ['get_weather({"city": "Oslo", "unit": "celsius"}) → 5 C']
    assert vm.columns[other].answer == "No tools needed."
    assert len(asked) == 1


async def test_keep_this_one_puts_the_variant_in_the_editor_unsaved(env: Env) -> None:
    assistant = await env.client.assistants.create(
        {"model": "scripted-model", "name": "K", "instructions": "Be plain."}
    )
    assistants = AssistantsViewModel(env.session)
    await assistants.select_async(assistant.id)
    skipped = apply_variant(
        assistants.editor,
        Variant("Pirate", assistant.id, {"instructions": "Arr.", "temperature": 0.5, "tools": []}),
    )
    assert skipped == ["tools"]
    editor = assistants.editor
    assert editor.draft.instructions == "Arr." and editor.draft.temperature == 0.5
    assert editor.is_dirty
    editor.revert()
    assert editor.draft.instructions == "Be plain." and not editor.is_dirty


async def test_tools_override_is_read_as_json_and_bad_json_is_explained(
    env: Env, llm: ScriptedLLM, qtbot: QtBot
) -> None:
    window, _ = await _window(env, qtbot)
    view, vm = window.compare_view, window.compare_vm
    view.columns[1].tools_edit.setText('[{"type": "code_interpreter"}')
    view.message_edit.setText("hi")
    view.send_button.click()
    assert view.problem_label.text().startswith("B: the tools are not valid JSON")
    assert "not valid JSON" in view.problem_label.text() and not vm.busy
    view.columns[1].tools_edit.setText('[{"type": "code_interpreter"}]')
    view.send_button.click()
    await until(lambda: _done(window), [vm.column_changed, vm.busy_changed], what="both runs")
    assert view.problem_label.text() == ""
    assert vm.columns[1].variant.overrides == {"tools": [{"type": "code_interpreter"}]}
    run = await env.client.runs.retrieve(vm.columns[1].thread_id, vm.columns[1].run_id)
    assert [t.type for t in run.tools] == ["code_interpreter"]


def test_a_column_shows_its_images_as_thumbnails_and_fetches_nothing(
    env: Env, qtbot: QtBot
) -> None:
    from playground.ui.viewmodels.compare import Column, CompareViewModel
    from playground.ui.widgets.compare_view import VariantColumn
    from tests.ui.inspector_env import png_bytes

    vm = CompareViewModel(env.session)
    widget = VariantColumn(vm, 0, [])
    qtbot.addWidget(widget)
    column = Column(
        Variant("A", "asst_1"),
        status="completed",
        answer="Here is the chart ![remote](https://example.com/x.png)",
        image_file_ids=["file-1"],
        images={"file-1": png_bytes(30, 20)},
    )
    widget.show_result(column)
    assert "chat-thumb:file-1" in widget.answer_view.toHtml()
    assert all(not r.startswith("chat-thumb") for r in widget.answer_view.refused_resources)
    assert widget.outputs_label.text() == "Outputs: image file-1"
