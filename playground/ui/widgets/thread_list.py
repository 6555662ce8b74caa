"""The thread list: new, switch, rename, delete, open by id."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from playground.ui.viewmodels.threads import ThreadsViewModel

_NEW_ITEM_TEXT = "✚ New thread"


class ThreadList(QWidget):
    def __init__(self, vm: ThreadsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self._filling = False
        self.list = QListWidget()
        self.list.setObjectName("threadList")
        self.list.setAccessibleName("Threads")
        self.new_button = QPushButton("New")
        self.open_button = QPushButton("Open by id…")
        self.rename_button = QPushButton("Rename…")
        self.delete_button = QPushButton("Delete")
        buttons = QHBoxLayout()
        for b in (self.new_button, self.open_button, self.rename_button, self.delete_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self._connect_signals()
        self.refresh()

    def _connect_signals(self) -> None:
        self._vm.threads_changed.connect(self.refresh)
        self._vm.current_changed.connect(self.on_vm_current_changed)
        self.list.currentItemChanged.connect(self.on_list_current_changed)
        self.new_button.clicked.connect(self._vm.new_thread)
        self.open_button.clicked.connect(self.on_open_clicked)
        self.rename_button.clicked.connect(self.on_rename_clicked)
        self.delete_button.clicked.connect(self.on_delete_clicked)

    def refresh(self) -> None:
        self._filling = True
        try:
            self.list.clear()
            new_item = QListWidgetItem(_NEW_ITEM_TEXT)
            new_item.setData(Qt.ItemDataRole.UserRole, None)
            self.list.addItem(new_item)
            for entry in self._vm.threads:
                item = QListWidgetItem(entry.display_title)
                item.setData(Qt.ItemDataRole.UserRole, entry.thread_id)
                item.setToolTip(entry.thread_id)
                self.list.addItem(item)
            self._select(self._vm.current_id)
        finally:
            self._filling = False
        self._update_buttons()

    def _select(self, thread_id: str | None) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == thread_id:
                self.list.setCurrentRow(row)
                return

    def _update_buttons(self) -> None:
        has = self._vm.current_id is not None
        self.rename_button.setEnabled(has)
        self.delete_button.setEnabled(has)

    def on_vm_current_changed(self, thread_id: object) -> None:
        self._filling = True
        try:
            self._select(thread_id if isinstance(thread_id, str) else None)
        finally:
            self._filling = False
        self._update_buttons()

    def on_list_current_changed(
        self, current: QListWidgetItem | None, _previous: QListWidgetItem | None
    ) -> None:
        if self._filling or current is None:
            return
        value = current.data(Qt.ItemDataRole.UserRole)
        self._vm.select(value if isinstance(value, str) else None)

    def on_open_clicked(self) -> None:
        text, ok = QInputDialog.getText(self, "Open a thread", "Thread id (thread_…):")
        if ok and text.strip():
            self._vm.open_by_id(text.strip())

    def on_rename_clicked(self) -> None:
        thread_id = self._vm.current_id
        entry = self._vm.entry(thread_id) if thread_id else None
        if entry is None:
            return
        text, ok = QInputDialog.getText(self, "Rename the thread", "Title:", text=entry.title)
        if ok:
            self._vm.rename(entry.thread_id, text)

    def on_delete_clicked(self) -> None:
        thread_id = self._vm.current_id
        if thread_id is None:
            return
        answer = QMessageBox.question(
            self,
            "Delete the thread",
            f"Delete the thread {thread_id} on the server and from this list?",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._vm.delete(thread_id)
