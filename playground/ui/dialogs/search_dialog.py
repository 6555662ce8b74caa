"""Test search: type a query, see the passages file search finds in the assistant's files.

Non-modal, so the person can keep editing the assistant (or its files) and search again.
It shows a :class:`SearchTestViewModel` and forwards intents to it. Hits are listed with
file name, score and the start of the passage; the selected hit's whole passage is shown
below. Every piece of it — file names, passage text, attributes — is what someone uploaded,
so all of it is shown as plain text (item text, a plain-text editor, plain labels, escaped
tooltips), never as HTML.

Enter in the query line is the only way to search from the keyboard: the Search button is
not a dialog default button, so one Enter never searches twice.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from playground.protocol.limits import MAX_FILE_SEARCH_RESULTS, MIN_FILE_SEARCH_RESULTS
from playground.ui.plain import neutral, plain_label, tip
from playground.ui.viewmodels.search_test import Passage, SearchState, SearchTestViewModel

#: The list shows this much of a passage on one line; the whole text is below.
PREVIEW_CHARS = 240
_SPACES = re.compile(r"\s+")
_STATUS_STYLE = {
    SearchState.FAILED: "color: #b42318;",
    SearchState.EMPTY: "color: #b54708;",
    SearchState.FOUND: "color: #027a48;",
}


def preview(text: str) -> str:
    """One line of a passage for the list: whitespace collapsed, cut, no bidi controls."""
    line = _SPACES.sub(" ", neutral(text)).strip()
    return line if len(line) <= PREVIEW_CHARS else line[:PREVIEW_CHARS] + "…"


class SearchDialog(QDialog):
    """Takes the :class:`SearchTestViewModel`; closing it stops a search in flight."""

    def __init__(self, vm: SearchTestViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.setModal(False)
        self.setWindowTitle("Test file search")
        self.resize(720, 500)

        whose = f"“{neutral(vm.title)}”" if vm.title else "this assistant"
        self.intro = plain_label(
            f"Search the files of {whose} the way File search does, and see which passages "
            "it would hand the model. Nothing is sent to the model."
        )
        self.intro.setWordWrap(True)
        self.store_label = plain_label(f"Vector store {vm.store_id}")
        self.store_label.setStyleSheet("color: #667085;")
        self.store_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.query_edit = QLineEdit(vm.query)
        self.query_edit.setPlaceholderText("What would the assistant look for? Press Enter")
        self.query_edit.setClearButtonEnabled(True)
        self.max_spin = QSpinBox()
        self.max_spin.setRange(MIN_FILE_SEARCH_RESULTS, MAX_FILE_SEARCH_RESULTS)
        self.max_spin.setValue(vm.max_results)
        self.max_spin.setToolTip("The most passages to return (1–50).")
        self.search_button = QPushButton("Search")
        self.search_button.setAutoDefault(False)
        self.search_button.setDefault(False)

        self.status_label = plain_label()
        self.status_label.setWordWrap(True)

        self.results = QTreeWidget()
        self.results.setHeaderLabels(["File", "Score", "Passage"])
        self.results.setRootIsDecorated(False)
        self.results.setUniformRowHeights(True)
        self.results.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.results.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.results.setColumnWidth(0, 170)
        self.passage_title = plain_label()
        self.passage_title.setStyleSheet("font-weight: 600;")
        self.passage_title.setWordWrap(True)
        self.passage_view = QPlainTextEdit()
        self.passage_view.setReadOnly(True)
        self.passage_view.setPlaceholderText("Pick a passage to read all of it.")
        passage_box = QWidget()
        passage_layout = QVBoxLayout(passage_box)
        passage_layout.setContentsMargins(0, 0, 0, 0)
        passage_layout.addWidget(self.passage_title)
        passage_layout.addWidget(self.passage_view, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.results)
        self.splitter.addWidget(passage_box)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([220, 170])

        self.close_button = QPushButton("Close")
        self.close_button.setAutoDefault(False)

        query_row = QHBoxLayout()
        query_row.addWidget(self.query_edit, 1)
        query_row.addWidget(QLabel("Results"))
        query_row.addWidget(self.max_spin)
        query_row.addWidget(self.search_button)
        foot = QHBoxLayout()
        foot.addWidget(self.status_label, 1)
        foot.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.store_label)
        layout.addLayout(query_row)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(foot)

        self._connect_signals()
        self.on_vm_passages_changed()
        self.on_vm_status_changed()

    def _connect_signals(self) -> None:
        vm = self.vm
        vm.passages_changed.connect(self.on_vm_passages_changed)
        vm.status_changed.connect(self.on_vm_status_changed)
        self.query_edit.textEdited.connect(vm.set_query)
        self.query_edit.returnPressed.connect(self.on_search_requested)
        self.search_button.clicked.connect(self.on_search_requested)
        self.close_button.clicked.connect(self.close)
        self.results.currentItemChanged.connect(self.on_results_current_changed)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.vm.cancel()
        super().closeEvent(event)

    def reject(self) -> None:
        # Escape closes like the Close button (and stops a search in flight).
        self.vm.cancel()
        super().reject()

    # -- slots -----------------------------------------------------------------------------

    def on_search_requested(self) -> None:
        self.vm.search(self.query_edit.text(), self.max_spin.value())

    def on_vm_passages_changed(self) -> None:
        self.results.clear()
        for passage in self.vm.passages:
            item = QTreeWidgetItem([neutral(passage.name), f"{passage.score:.2f}", ""])
            item.setText(2, preview(passage.text))
            item.setToolTip(0, tip(f"{passage.name}\n{passage.file_id}"))
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setData(0, Qt.ItemDataRole.UserRole, passage)
            self.results.addTopLevelItem(item)
        first = self.results.topLevelItem(0)
        if first is not None:
            self.results.setCurrentItem(first)
        else:
            self._show_passage(None)

    def on_vm_status_changed(self) -> None:
        self.status_label.setText(self.vm.status)
        self.status_label.setStyleSheet(_STATUS_STYLE.get(self.vm.state, "color: #475467;"))

    def on_results_current_changed(
        self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None
    ) -> None:
        passage = current.data(0, Qt.ItemDataRole.UserRole) if current is not None else None
        self._show_passage(passage if isinstance(passage, Passage) else None)

    # -- internals -------------------------------------------------------------------------

    def _show_passage(self, passage: Passage | None) -> None:
        if passage is None:
            self.passage_title.setText("")
            self.passage_view.setPlainText("")
            return
        parts = [neutral(passage.name), f"score {passage.score:.2f}"]
        if passage.attributes:
            parts.append(", ".join(f"{k}={v}" for k, v in passage.attributes))
        self.passage_title.setText(neutral(" · ".join(parts)))
        self.passage_view.setPlainText(neutral(passage.text))
