"""The HTTP log tab: a table of requests and the full (redacted) exchange of the selected one."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from playground.ui.plain import tip
from playground.ui.viewmodels.http_log import HttpLogViewModel

_COLUMNS = ("Method", "Path", "Status", "Duration", "Request id")
_ERROR_BRUSH = QBrush(QColor("#b3261e"))

AnyIndex = QModelIndex | QPersistentModelIndex


class HttpLogTableModel(QAbstractTableModel):
    """Reads rows from the view model; fed only by its signals."""

    def __init__(self, vm: HttpLogViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        vm.entry_added.connect(self.on_vm_entry_added)
        vm.entries_reset.connect(self.on_vm_entries_reset)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._vm)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._vm):
            return None
        row = self._vm.row(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            values = (row.method, row.path, row.status, row.duration, row.request_id)
            return values[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and row.failed:
            return _ERROR_BRUSH
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 1:
            return tip(row.path)
        return None

    def on_vm_entry_added(self, index: int) -> None:
        self.beginInsertRows(QModelIndex(), index, index)
        self.endInsertRows()

    def on_vm_entries_reset(self) -> None:
        self.beginResetModel()
        self.endResetModel()


class HttpLogView(QWidget):
    """Table on top, details below, with "Copy as curl" and "Clear"."""

    def __init__(self, vm: HttpLogViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.model = HttpLogTableModel(vm, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column in (0, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.detail = QPlainTextEdit(self)
        self.detail.setReadOnly(True)
        self.detail.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.detail.setFont(mono)
        self.detail.setPlaceholderText("Select a request to see its headers and bodies.")
        self.copy_curl_button = QPushButton("Copy as curl", self)
        self.copy_curl_button.setToolTip(
            "Copies a runnable command; the key is read from an environment variable."
        )
        self.copy_token_button = QPushButton("Copy token", self)
        self.copy_token_button.setToolTip(
            "Copies the embedded runtime's token (new at each start; never saved to disk)"
        )
        self.clear_button = QPushButton("Clear", self)
        self.count_label = QLabel(self)
        #: The last confirmation shown (also posted to the window's status bar).
        self.status_message = ""

        buttons = QHBoxLayout()
        buttons.addWidget(self.count_label, 1)
        buttons.addWidget(self.copy_curl_button)
        buttons.addWidget(self.copy_token_button)
        buttons.addWidget(self.clear_button)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setSizes([300, 200])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self._connect_signals()
        self._update_buttons()

    def _connect_signals(self) -> None:
        self.table.selectionModel().selectionChanged.connect(self.on_table_selection_changed)
        self.copy_curl_button.clicked.connect(self.on_copy_curl_clicked)
        self.copy_token_button.clicked.connect(self.on_copy_token_clicked)
        self.clear_button.clicked.connect(self.vm.clear)
        self.vm.entry_added.connect(self.on_vm_entry_added)
        self.vm.entries_reset.connect(self.on_vm_entries_reset)

    def selected_index(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def select(self, index: int) -> None:
        self.table.selectRow(index)

    def on_table_selection_changed(self, *_: object) -> None:
        index = self.selected_index()
        self.detail.setPlainText("" if index is None else self.vm.detail_text(index))
        self._update_buttons()

    def on_copy_curl_clicked(self) -> None:
        index = self.selected_index()
        if index is None:
            return
        QGuiApplication.clipboard().setText(self.vm.curl_for(index))
        self.status_message = "Copied the request as a curl command. " + self.vm.curl_note()
        self._post(self.status_message)

    def on_copy_token_clicked(self) -> None:
        token = self.vm.runtime_token()
        if token is None:
            return
        QGuiApplication.clipboard().setText(token)
        self.status_message = (
            "Copied the runtime token; it is valid until the playground closes. "
            f"In a shell: export {self.vm.key_env_var()}='<paste>'"
        )
        self._post(self.status_message)

    def _post(self, text: str) -> None:
        self.vm.announce(text)

    def on_vm_entry_added(self, _index: int) -> None:
        self._update_buttons()

    def on_vm_entries_reset(self) -> None:
        self.detail.clear()
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.copy_curl_button.setEnabled(self.selected_index() is not None)
        self.copy_curl_button.setToolTip(
            "Copies a runnable command for the selected request. " + self.vm.curl_note()
        )
        self.copy_token_button.setVisible(self.vm.runtime_token() is not None)
        self.clear_button.setEnabled(len(self.vm) > 0)
        count = len(self.vm)
        self.count_label.setText(f"{count} request{'s' if count != 1 else ''}")
