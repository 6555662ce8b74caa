"""The assistant's custom functions: a list with Add / Edit / Remove, each opening the
function editor dialog. Shows each function's run mode (ask / canned / local Python)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from playground.store.function_modes import FunctionModeKind
from playground.ui.dialogs.function_editor import FunctionEditorDialog
from playground.ui.plain import tip
from playground.ui.viewmodels.assistant_editor import AssistantEditorViewModel
from playground.ui.viewmodels.functions import FunctionEditorViewModel

_MODE_TEXT = {
    FunctionModeKind.ASK: "ask",
    FunctionModeKind.CANNED: "canned output",
    FunctionModeKind.LOCAL_PYTHON: "local Python",
}


class FunctionList(QWidget):
    def __init__(self, vm: AssistantEditorViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.list = QListWidget()
        self.list.setMinimumHeight(80)
        self.add_button = QPushButton("Add function…")
        self.edit_button = QPushButton("Edit…")
        self.remove_button = QPushButton("Remove")
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        self.dialog: FunctionEditorDialog | None = None
        self._connect_signals()
        self.on_vm_draft_changed()

    def _connect_signals(self) -> None:
        self.vm.draft_changed.connect(self.on_vm_draft_changed)
        self.add_button.clicked.connect(lambda: self.open_editor(None))
        self.edit_button.clicked.connect(self.on_edit_clicked)
        self.remove_button.clicked.connect(self.on_remove_clicked)
        self.list.itemDoubleClicked.connect(
            lambda item: self.open_editor(item.data(Qt.ItemDataRole.UserRole))
        )
        self.list.currentRowChanged.connect(self._update_buttons)

    def selected_name(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def open_editor(self, name: str | None) -> FunctionEditorDialog:
        """Open the editor (window-modal, not blocking) for a function, or a new one."""
        draft = self.vm.draft
        definition = next((f for f in draft.functions if f.name == name), None)
        others = {f.name for f in draft.functions if f.name != name}
        editor_vm = FunctionEditorViewModel(
            definition,
            other_names=others,
            tool_count=draft.tool_count - (1 if definition else 0),
            mode=draft.mode_for(name) if name else None,
        )
        dialog = FunctionEditorDialog(editor_vm, self)
        editor_vm.setParent(dialog)
        dialog.finished.connect(lambda code: self.on_dialog_finished(dialog, code))
        self.dialog = dialog
        dialog.open()
        return dialog

    # -- slots -----------------------------------------------------------------------------

    def on_dialog_finished(self, dialog: FunctionEditorDialog, code: int) -> None:
        if code == QDialog.DialogCode.Accepted:
            vm = dialog.vm
            self.vm.put_function(vm.result(), vm.mode, replacing=vm.original_name)
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def on_edit_clicked(self) -> None:
        name = self.selected_name()
        if name is not None:
            self.open_editor(name)

    def on_remove_clicked(self) -> None:
        name = self.selected_name()
        if name is not None:
            self.vm.remove_function(name)

    def on_vm_draft_changed(self) -> None:
        draft = self.vm.draft
        current = self.selected_name()
        wanted = [
            (f.name, draft.mode_for(f.name).kind, f.description or "") for f in draft.functions
        ]
        shown = [
            self.list.item(i).data(Qt.ItemDataRole.UserRole + 1) for i in range(self.list.count())
        ]
        if shown != wanted:
            self.list.clear()
            for name, kind, description in wanted:
                item = QListWidgetItem(f"{name}  ·  {_MODE_TEXT[kind]}")
                item.setData(Qt.ItemDataRole.UserRole, name)
                item.setData(Qt.ItemDataRole.UserRole + 1, (name, kind, description))
                item.setToolTip(tip(description or name))
                self.list.addItem(item)
                if name == current:
                    self.list.setCurrentItem(item)
        self._update_buttons()

    def _update_buttons(self, *_: object) -> None:
        has = self.selected_name() is not None
        self.edit_button.setEnabled(has)
        self.remove_button.setEnabled(has)
