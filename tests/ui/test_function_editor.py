"""The function editor dialog, driven through its view model and its widgets: invalid JSON
blocks Save with a message, templates fill the fields, a valid function lands in the
assistant's draft with its mode (function-editor.png when PLAYGROUND_SCREENSHOTS is set)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from playground.store.function_modes import FunctionModeKind
from playground.ui.dialogs.function_editor import FunctionEditorDialog
from playground.ui.viewmodels.assistant_draft import AssistantDraft
from playground.ui.viewmodels.assistant_editor import AssistantEditorViewModel
from playground.ui.viewmodels.functions import FunctionEditorViewModel
from playground.ui.widgets.function_list import FunctionList
from tests.helpers.screenshots import shoot
from tests.ui.support import make_env

# The offscreen platform cannot resize native windows; that notice is not a fault here.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def type_parameters(dialog: FunctionEditorDialog, text: str) -> None:
    # setPlainText goes through textChanged exactly as typing does.
    dialog.parameters_edit.setPlainText(text)


def test_invalid_json_blocks_save_with_a_message(qtbot: object) -> None:
    vm = FunctionEditorViewModel()
    dialog = FunctionEditorDialog(vm)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    dialog.name_edit.setText("")
    dialog.name_edit.textEdited.emit("lookup")
    type_parameters(dialog, '{\n  "type": "object",\n  "properties": {\n}')
    assert not dialog.save_button.isEnabled()
    assert "not valid JSON" in dialog.problems_label.text()
    assert dialog.parameters_edit.error_line == 4
    dialog.accept()  # Enter in a field must not get around the disabled button
    assert dialog.result() != FunctionEditorDialog.DialogCode.Accepted
    assert dialog.isVisible() is False and vm.check.definition is None

    type_parameters(dialog, '{"type": "object", "properties": {"id": {"type": "string"}}}')
    assert dialog.save_button.isEnabled()
    assert "valid" in dialog.problems_label.text()
    assert dialog.parameters_edit.error_line is None


def test_schema_errors_and_bad_names_show_live(qtbot: object) -> None:
    vm = FunctionEditorViewModel()
    dialog = FunctionEditorDialog(vm)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    dialog.name_edit.textEdited.emit("bad name")
    type_parameters(dialog, json.dumps({"type": "object", "properties": {"a": {"type": 5}}}))
    text = dialog.problems_label.text()
    assert "not a valid function name" in text
    assert "properties → a → type" in text
    assert not dialog.save_button.isEnabled()


def test_template_fills_the_fields(qtbot: object) -> None:
    vm = FunctionEditorViewModel()
    dialog = FunctionEditorDialog(vm)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    action = next(a for a in dialog.template_menu.actions() if a.data() == "get_stock_price")
    action.trigger()
    assert dialog.name_edit.text() == "get_stock_price"
    assert '"symbol"' in dialog.parameters_edit.text()
    assert dialog.save_button.isEnabled()
    assert dialog.callable_edit.text() == "get_stock_price"


def test_canned_mode_needs_an_output(qtbot: object) -> None:
    vm = FunctionEditorViewModel()
    dialog = FunctionEditorDialog(vm)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    vm.apply_template("get_weather")
    dialog.mode_combo.setCurrentIndex(dialog.mode_combo.findData("canned"))
    assert not dialog.save_button.isEnabled()
    assert "Enter the output" in dialog.mode_problems_label.text()
    dialog.canned_edit.setPlainText('{"temperature": 21}')
    assert dialog.save_button.isEnabled()
    assert vm.mode.kind is FunctionModeKind.CANNED
    assert vm.mode.canned_output == '{"temperature": 21}'


def test_local_python_mode_checks_the_file(qtbot: object, tmp_path: Path) -> None:
    vm = FunctionEditorViewModel()
    dialog = FunctionEditorDialog(vm)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    vm.apply_template("get_weather")
    dialog.mode_combo.setCurrentIndex(dialog.mode_combo.findData("local_python"))
    dialog.python_path_edit.setText(str(tmp_path / "missing.py"))
    dialog.python_path_edit.textEdited.emit(dialog.python_path_edit.text())
    assert "does not exist" in dialog.mode_problems_label.text()
    tools = tmp_path / "tools.py"
    tools.write_text("def get_weather(city):\n    return 'sunny'\n")
    dialog.python_path_edit.setText(str(tools))
    dialog.python_path_edit.textEdited.emit(str(tools))
    assert dialog.save_button.isEnabled()
    assert vm.mode.python_path == str(tools) and vm.mode.callable_name == "get_weather"


async def test_function_list_adds_edits_and_removes(qapp: object, qtbot: object) -> None:
    env = make_env()
    editor = AssistantEditorViewModel(env.session)
    editor.load_unsaved(AssistantDraft(model="m"))
    widget = FunctionList(editor)
    qtbot.addWidget(widget)  # type: ignore[attr-defined]
    dialog = widget.open_editor(None)
    dialog.vm.apply_template("get_weather")
    dialog.mode_combo.setCurrentIndex(dialog.mode_combo.findData("canned"))
    dialog.canned_edit.setPlainText("sunny")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert editor.draft.function_names() == ["get_weather"]
    assert editor.draft.mode_for("get_weather").canned_output == "sunny"
    assert widget.list.count() == 1 and "canned output" in widget.list.item(0).text()

    widget.list.setCurrentRow(0)
    dialog = widget.open_editor("get_weather")
    assert dialog.canned_edit.text() == "sunny"  # the saved mode comes back
    dialog.name_edit.textEdited.emit("get_forecast")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert editor.draft.function_names() == ["get_forecast"]
    assert editor.draft.mode_for("get_forecast").canned_output == "sunny"

    widget.list.setCurrentRow(0)
    widget.remove_button.click()
    assert editor.draft.functions == () and widget.list.count() == 0


def test_screenshot_function_editor(qtbot: object) -> None:
    vm = FunctionEditorViewModel()
    dialog = FunctionEditorDialog(vm)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    vm.apply_template("get_weather")
    broken = dialog.parameters_edit.text().replace('"required"', '"required":: ')
    type_parameters(dialog, broken)
    dialog.mode_combo.setCurrentIndex(dialog.mode_combo.findData("canned"))
    dialog.canned_edit.setPlainText('{"temperature": 21, "unit": "celsius"}')
    dialog.resize(640, 720)
    dialog.show()
    QApplication.processEvents()  # let the layouts settle after show, as the event loop would
    shoot(dialog, "function-editor.png")
    assert not dialog.save_button.isEnabled()
