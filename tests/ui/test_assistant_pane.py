"""The left pane, driven by its view model and its own widgets against the real runtime:
list and filter, form filling, the unsaved-changes state, Save/Revert, invalid functions
blocking Save with a message, metadata limits, delete with confirmation. Writes
docs/screenshots/assistant-pane.png when PLAYGROUND_SCREENSHOTS is set."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget

from playground.protocol.tools import FunctionDefinition
from playground.ui.viewmodels.assistants import AssistantsViewModel
from playground.ui.widgets.assistant_pane import AssistantPane
from playground.ui.widgets.metadata_table import MetadataTable
from tests.helpers.qt_wait import posted_events_delivered
from tests.helpers.screenshots import shoot
from tests.ui import assistant_env as support
from tests.ui.support import MODEL, Env

runtime = support.runtime
env = support.env

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


class Answers:
    """Stands in for the yes/no question box; records what was asked."""

    def __init__(self, answer: bool = True) -> None:
        self.answer = answer
        self.asked: list[str] = []

    def __call__(self, parent: QWidget, title: str, question: str) -> bool:
        self.asked.append(question)
        return self.answer


async def make_pane(env: Env, qtbot: object, answers: Answers) -> AssistantPane:
    vm = AssistantsViewModel(env.session)
    pane = AssistantPane(vm, confirm=answers)
    qtbot.addWidget(pane)  # type: ignore[attr-defined]
    pane.resize(420, 820)
    vm.refresh()
    await env.idle()
    return pane


async def test_list_select_edit_save_and_revert(env: Env, qtbot: object) -> None:
    created = await env.client.assistants.create(
        {"model": MODEL, "name": "Pane target", "instructions": "Start."}
    )
    pane = await make_pane(env, qtbot, Answers())
    vm = pane.vm
    assert created.id in pane.list.ids()
    pane.list.filter_edit.setText("pane target")
    assert pane.list.ids() == [created.id]
    pane.list.list.setCurrentRow(0)
    await env.idle()
    assert vm.selected_id == created.id
    form = pane.form
    assert form.name_edit.text() == "Pane target"
    assert form.instructions_edit.toPlainText() == "Start."
    assert not pane.save_button.isEnabled() and pane.status_label.text() == "No unsaved changes"

    form.instructions_edit.setPlainText("Changed.")
    assert vm.editor.is_dirty and "Unsaved changes" in pane.status_label.text()
    assert pane.save_button.isEnabled() and pane.revert_button.isEnabled()
    pane.revert_button.click()
    assert form.instructions_edit.toPlainText() == "Start." and not vm.editor.is_dirty

    form.name_edit.setText("Pane renamed")
    form.name_edit.textEdited.emit("Pane renamed")
    form.temperature_spin.setValue(0.7)
    form.code_interpreter_box.setChecked(True)
    pane.save_button.click()
    await env.idle()
    server = await env.client.assistants.retrieve(created.id)
    assert server.name == "Pane renamed" and server.temperature == 0.7
    assert [t.type for t in server.tools] == ["code_interpreter"]
    assert not vm.editor.is_dirty and not pane.save_button.isEnabled()
    assert env.errors == []


async def test_invalid_function_blocks_save_with_a_message(env: Env, qtbot: object) -> None:
    pane = await make_pane(env, qtbot, Answers())
    vm = pane.vm
    pane.new_button.click()
    vm.editor.put_function(FunctionDefinition(name="has space", parameters={"type": "array"}))
    assert "has space" in pane.problems_label.text()
    pane.save_button.click()
    await env.idle()
    assert "Fix these first" in pane.problems_label.text()
    assert vm.editor.assistant_id is None
    assert env.errors and env.errors[-1][0] == "The assistant cannot be saved yet"
    assert "has space" not in [a.name for a in vm.assistants]


async def test_new_asks_before_discarding_and_delete_confirms(env: Env, qtbot: object) -> None:
    created = await env.client.assistants.create({"model": MODEL, "name": "Doomed"})
    answers = Answers(answer=False)
    pane = await make_pane(env, qtbot, answers)
    vm = pane.vm
    await vm.select_async(created.id)
    pane.form.description_edit.textEdited.emit("edited")
    pane.new_button.click()
    assert answers.asked and vm.selected_id == created.id  # "No" keeps the edits
    assert vm.editor.draft.description == "edited"

    pane.delete_button.click()  # answered No: nothing deleted
    await env.idle()
    assert created.id in [a.id for a in vm.assistants]
    answers.answer = True
    pane.delete_button.click()
    await env.idle()
    assert "Doomed" in answers.asked[-1]
    assert created.id not in [a.id for a in vm.assistants]
    assert created.id not in pane.list.ids()


async def test_file_search_label_follows_the_api_version(env: Env, qtbot: object) -> None:
    pane = await make_pane(env, qtbot, Answers())
    assert pane.form.file_search_box.text() == "File search"
    connection = env.session.connection
    assert connection is not None
    connection.api_family = "v1"
    env.session.set_connection(connection)
    await env.idle()
    assert pane.form.file_search_box.text() == "Retrieval (v1)"


def test_metadata_table_limits(qtbot: object) -> None:
    table = MetadataTable()
    qtbot.addWidget(table)  # type: ignore[attr-defined]
    edited: list[list[tuple[str, str]]] = []
    table.pairs_edited.connect(edited.append)
    for i in range(16):
        assert table.add_pair(f"k{i}", "v")
    assert not table.add_pair("k16", "v")
    assert not table.add_button.isEnabled()
    assert table.count_label.text() == "16/16 pairs"
    table.set_pairs([("key", "value")])
    item = table.table.item(0, 0)
    assert item is not None
    item.setText("k" * 100)  # pasted past the editor's limit: cut to 64
    assert table.pairs() == [("k" * 64, "value")]
    value = table.table.item(0, 1)
    assert value is not None
    value.setText("v" * 600)
    assert table.pairs() == [("k" * 64, "v" * 512)]
    assert edited[-1] == [("k" * 64, "v" * 512)]


async def test_screenshot_assistant_pane(env: Env, qtbot: object) -> None:
    await env.client.assistants.create({"model": MODEL, "name": "Travel planner"})
    await env.client.assistants.create({"model": MODEL, "name": "Data analyst"})
    created = await env.client.assistants.create(
        {
            "model": MODEL,
            "name": "Weather helper",
            "description": "Answers weather questions",
            "instructions": "You help people plan their day around the weather.\n"
            "Call get_weather for any place the user names.",
            "temperature": 0.4,
            "metadata": {"team": "playground", "stage": "demo"},
            "tools": [
                {"type": "code_interpreter"},
                {"type": "file_search"},
                {
                    "type": "function",
                    "function": {
                        "name": "get_weather",
                        "parameters": {"type": "object", "properties": {}},
                    },
                },
            ],
        }
    )
    pane = await make_pane(env, qtbot, Answers())
    await pane.vm.select_async(created.id)
    await env.idle()
    pane.form.instructions_edit.setPlainText(
        pane.form.instructions_edit.toPlainText() + " Use metric units."
    )
    pane.show()
    await env.idle()
    await posted_events_delivered()  # let the layouts settle after show
    shoot(pane, "assistant-pane.png")
    pane.tabs.setCurrentIndex(1)
    shoot(pane, "assistant-pane-tools.png")
    assert "Unsaved changes" in pane.status_label.text()
