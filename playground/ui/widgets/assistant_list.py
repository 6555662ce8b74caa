"""The list of assistants with a filter box. Selecting a row opens it in the editor, after
asking whether to drop unsaved changes."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from playground.ui.plain import ask_yes_no as plain_ask_yes_no
from playground.ui.plain import tip
from playground.ui.viewmodels.assistants import AssistantsViewModel

#: (parent, title, question) -> yes? Replaceable so tests answer without a modal box.
Confirm = Callable[[QWidget, str, str], bool]


def ask_yes_no(parent: QWidget, title: str, question: str) -> bool:
    return plain_ask_yes_no(parent, title, question)


class AssistantList(QWidget):
    def __init__(
        self,
        vm: AssistantsViewModel,
        parent: QWidget | None = None,
        *,
        confirm: Confirm = ask_yes_no,
    ) -> None:
        super().__init__(parent)
        self.vm = vm
        self.confirm = confirm
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by name, id or model")
        self.filter_edit.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setAlternatingRowColors(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.list, 1)
        self._filling = False
        self._connect_signals()
        self.on_vm_assistants_changed()

    def _connect_signals(self) -> None:
        self.filter_edit.textChanged.connect(self.vm.set_filter)
        self.list.currentItemChanged.connect(self.on_list_current_changed)
        self.vm.assistants_changed.connect(self.on_vm_assistants_changed)
        self.vm.selected_changed.connect(self.on_vm_selected_changed)

    def ids(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    # -- slots -----------------------------------------------------------------------------

    def on_vm_assistants_changed(self) -> None:
        self._filling = True
        try:
            self.list.clear()
            for assistant in self.vm.visible:
                title = assistant.name or "(unnamed)"
                item = QListWidgetItem(f"{title}\n{assistant.model} · {assistant.id}")
                item.setData(Qt.ItemDataRole.UserRole, assistant.id)
                item.setToolTip(tip(assistant.description or assistant.id))
                self.list.addItem(item)
                if assistant.id == self.vm.selected_id:
                    self.list.setCurrentItem(item)
        finally:
            self._filling = False

    def on_vm_selected_changed(self, assistant_id: object) -> None:
        self._filling = True
        try:
            for i in range(self.list.count()):
                item = self.list.item(i)
                if item.data(Qt.ItemDataRole.UserRole) == assistant_id:
                    self.list.setCurrentItem(item)
                    break
            else:
                self.list.setCurrentRow(-1)
        finally:
            self._filling = False

    def on_list_current_changed(
        self, current: QListWidgetItem | None, previous: QListWidgetItem | None
    ) -> None:
        if self._filling or current is None:
            return
        assistant_id = current.data(Qt.ItemDataRole.UserRole)
        if assistant_id == self.vm.selected_id:
            return
        if self.vm.editor.is_dirty and not self.confirm(
            self, "Unsaved changes", "Discard the unsaved changes to this assistant?"
        ):
            self.on_vm_selected_changed(self.vm.selected_id)
            return
        self.vm.select(assistant_id)
