"""The thread picker: one compact row above the chat (new, switch, rename, delete, open by id).

A drop-down rather than a list: a person works in one thread at a time, and the room above
the conversation is worth more to the conversation than to a list of other threads.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from playground.ui.plain import ask_yes_no, tip
from playground.ui.viewmodels.threads import ThreadsViewModel

_NEW_ITEM_TEXT = "✚ New thread"


def _button(text: str, tip: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    return button


class ThreadList(QWidget):
    def __init__(self, vm: ThreadsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self._filling = False
        self.combo = QComboBox()
        self.combo.setObjectName("threadList")
        self.combo.setAccessibleName("Threads")
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setMinimumContentsLength(10)
        self.combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.new_button = _button("New", "Start a new thread (created when you send)")
        # The rarer actions sit in one menu, so the row stays narrow.
        self.actions_button = _button("Thread", "Open a thread by id, rename or delete this one")
        self.actions_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.actions_button)
        self.open_action = menu.addAction("Open by id…")
        self.rename_action = menu.addAction("Rename…")
        menu.addSeparator()
        self.delete_action = menu.addAction("Delete…")
        self.actions_button.setMenu(menu)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Thread:"))
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.new_button)
        layout.addWidget(self.actions_button)
        self._connect_signals()
        self.refresh()

    def _connect_signals(self) -> None:
        self._vm.threads_changed.connect(self.refresh)
        self._vm.current_changed.connect(self.on_vm_current_changed)
        self.combo.currentIndexChanged.connect(self.on_combo_index_changed)
        self.new_button.clicked.connect(self._vm.new_thread)
        self.open_action.triggered.connect(self.on_open_clicked)
        self.rename_action.triggered.connect(self.on_rename_clicked)
        self.delete_action.triggered.connect(self.on_delete_clicked)

    def titles(self) -> list[str]:
        """What the picker lists, in order (the first entry is "New thread")."""
        return [self.combo.itemText(i) for i in range(self.combo.count())]

    def refresh(self) -> None:
        self._filling = True
        try:
            self.combo.clear()
            self.combo.addItem(_NEW_ITEM_TEXT, None)
            for entry in self._vm.threads:
                self.combo.addItem(entry.display_title, entry.thread_id)
                self.combo.setItemData(
                    self.combo.count() - 1, tip(entry.thread_id), Qt.ItemDataRole.ToolTipRole
                )
            self._select(self._vm.current_id)
        finally:
            self._filling = False
        self._update_buttons()

    def _select(self, thread_id: str | None) -> None:
        index = self.combo.findData(thread_id) if thread_id else 0
        self.combo.setCurrentIndex(max(index, 0))
        self.combo.setToolTip(tip(thread_id or "A new thread, created when you send"))

    def _update_buttons(self) -> None:
        has = self._vm.current_id is not None
        self.rename_action.setEnabled(has)
        self.delete_action.setEnabled(has)

    def on_vm_current_changed(self, thread_id: object) -> None:
        self._filling = True
        try:
            self._select(thread_id if isinstance(thread_id, str) else None)
        finally:
            self._filling = False
        self._update_buttons()

    def on_combo_index_changed(self, index: int) -> None:
        if self._filling or index < 0:
            return
        value = self.combo.itemData(index)
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
        if ask_yes_no(
            self,
            "Delete the thread",
            f"Delete the thread {thread_id} on the server and from this list?",
        ):
            self._vm.delete(thread_id)
