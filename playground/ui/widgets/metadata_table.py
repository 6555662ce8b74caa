"""A key/value table for an assistant's metadata, with the API's limits built in.

The table stops at 16 rows and cuts keys at 64 and values at 512 characters as they are typed,
so a person cannot build metadata the server would refuse; the view model checks again
(imports and servers can still bring over-long data, which is then shown and reported).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from playground.ui.viewmodels.assistant_draft import (
    MAX_METADATA_KEY,
    MAX_METADATA_PAIRS,
    MAX_METADATA_VALUE,
)


class _LimitDelegate(QStyledItemDelegate):
    """An editor that cannot take more characters than the column allows."""

    def __init__(self, limit: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.limit = limit

    def createEditor(self, parent: QWidget, option: object, index: object) -> QWidget:
        editor = QLineEdit(parent)
        editor.setMaxLength(self.limit)
        return editor


class MetadataTable(QWidget):
    """Signals: ``pairs_edited(list)`` — the person changed the table: [(key, value), ...]."""

    pairs_edited = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["Key", "Value"])
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 120)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setItemDelegateForColumn(0, _LimitDelegate(MAX_METADATA_KEY, self.table))
        self.table.setItemDelegateForColumn(1, _LimitDelegate(MAX_METADATA_VALUE, self.table))
        self.table.setMinimumHeight(90)
        self.add_button = QPushButton("Add pair")
        self.remove_button = QPushButton("Remove")
        self.count_label = QLabel()
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self._filling = False
        self._connect_signals()
        self._update_buttons()

    def _connect_signals(self) -> None:
        self.add_button.clicked.connect(self.on_add_clicked)
        self.remove_button.clicked.connect(self.on_remove_clicked)
        self.table.itemChanged.connect(self.on_table_item_changed)
        self.table.itemSelectionChanged.connect(self._update_buttons)

    # -- API -------------------------------------------------------------------------------

    def pairs(self) -> list[tuple[str, str]]:
        """Rows with a key or a value (a fully blank row is one still being filled in)."""
        found: list[tuple[str, str]] = []
        for row in range(self.table.rowCount()):
            key = self._cell(row, 0)
            value = self._cell(row, 1)
            if key or value:
                found.append((key, value))
        return found

    def set_pairs(self, pairs: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> None:
        """Fill the table without emitting ``pairs_edited``."""
        if list(pairs) == self.pairs() and self.table.rowCount() == len(pairs):
            return
        self._filling = True
        try:
            self.table.setRowCount(0)
            for key, value in pairs:
                self._append(key, value)
        finally:
            self._filling = False
        self._update_buttons()

    def add_pair(self, key: str = "", value: str = "") -> bool:
        """Add a row (False at the 16-pair limit)."""
        if self.table.rowCount() >= MAX_METADATA_PAIRS:
            return False
        self._filling = True
        try:
            self._append(key[:MAX_METADATA_KEY], value[:MAX_METADATA_VALUE])
        finally:
            self._filling = False
        self._update_buttons()
        if key or value:
            self.pairs_edited.emit(self.pairs())
        return True

    # -- slots -----------------------------------------------------------------------------

    def on_add_clicked(self) -> None:
        if self.add_pair():
            row = self.table.rowCount() - 1
            self.table.setCurrentCell(row, 0)
            item = self.table.item(row, 0)
            if item is not None:
                self.table.editItem(item)

    def on_remove_clicked(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        if not rows and self.table.rowCount():
            rows = [self.table.rowCount() - 1]
        for row in rows:
            self.table.removeRow(row)
        self._update_buttons()
        self.pairs_edited.emit(self.pairs())

    def on_table_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        limit = MAX_METADATA_KEY if item.column() == 0 else MAX_METADATA_VALUE
        if len(item.text()) > limit:  # pasted past the delegate: cut, the API would refuse it
            item.setText(item.text()[:limit])
            return
        self.pairs_edited.emit(self.pairs())

    # -- internals -------------------------------------------------------------------------

    def _append(self, key: str, value: str) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(key))
        self.table.setItem(row, 1, QTableWidgetItem(value))

    def _cell(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""

    def _update_buttons(self) -> None:
        count = self.table.rowCount()
        self.add_button.setEnabled(count < MAX_METADATA_PAIRS)
        self.remove_button.setEnabled(count > 0)
        self.count_label.setText(f"{count}/{MAX_METADATA_PAIRS} pairs")
