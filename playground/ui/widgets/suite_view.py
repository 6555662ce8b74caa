"""The Suites view: the suite file, targets, a progress bar and the results table.

Each result row is one check of one run; selecting it shows the run's thread in the
inspector (when the window gave a way to) and offers its run id to copy.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from playground.ui.viewmodels.suites import ResultRow, SuitesViewModel

ShowRun = Callable[[str, str], None]
_HEADERS = ["Assistant", "Case", "#", "Turn", "Check", "Result", "Detail", "Run"]
_PASS = QColor("#125a27")
_FAIL = QColor("#a11c1c")


class SuiteView(QWidget):
    def __init__(
        self,
        vm: SuitesViewModel,
        choices: Callable[[], list[tuple[str, str]]],
        current_thread: Callable[[], str | None],
        show_run: ShowRun | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._vm = vm
        self._current_thread = current_thread
        self._show_run = show_run
        layout = QVBoxLayout(self)
        files = QHBoxLayout()
        self.open_button = QPushButton("Open suite…")
        self.save_button = QPushButton("Save suite…")
        self.case_name = QLineEdit()
        self.case_name.setPlaceholderText("Case name")
        self.add_thread_button = QPushButton("Save current thread as test case")
        files.addWidget(self.open_button)
        files.addWidget(self.save_button)
        files.addWidget(self.case_name, 1)
        files.addWidget(self.add_thread_button)
        layout.addLayout(files)
        self.suite_label = QLabel("No suite yet: open one, or save a chat thread as a case.")
        self.suite_label.setWordWrap(True)
        layout.addWidget(self.suite_label)

        targets = QHBoxLayout()
        self.assistant_list = QListWidget()
        self.assistant_list.setMaximumHeight(90)
        for assistant_id, name in choices():
            item = QListWidgetItem(f"{name} ({assistant_id})")
            item.setData(Qt.ItemDataRole.UserRole, assistant_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.assistant_list.addItem(item)
        self.repeat_spin = QSpinBox()
        self.repeat_spin.setRange(1, 100)
        self.repeat_spin.setPrefix("Repeat ×")
        self.run_button = QPushButton("Run suite")
        targets.addWidget(self.assistant_list, 1)
        side = QVBoxLayout()
        side.addWidget(self.repeat_spin)
        side.addWidget(self.run_button)
        targets.addLayout(side)
        layout.addLayout(targets)
        self.progress = QProgressBar()
        self.progress.setFormat("%v / %m case runs")
        layout.addWidget(self.progress)

        self.table = QTableWidget(0, len(_HEADERS))
        self.table.setHorizontalHeaderLabels(_HEADERS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        self.summary_label = QLabel()
        self.copy_button = QPushButton("Copy run reference")
        self.copy_button.setEnabled(False)
        self.junit_button = QPushButton("Export JUnit…")
        self.html_button = QPushButton("Export HTML…")
        bottom.addWidget(self.summary_label, 1)
        bottom.addWidget(self.copy_button)
        bottom.addWidget(self.junit_button)
        bottom.addWidget(self.html_button)
        layout.addLayout(bottom)
        self._connect_signals()

    def _connect_signals(self) -> None:
        vm = self._vm
        vm.suite_changed.connect(self.on_vm_suite_changed)
        vm.rows_changed.connect(self.on_vm_rows_changed)
        vm.progress_changed.connect(self.on_vm_progress_changed)
        vm.busy_changed.connect(self.on_vm_busy_changed)
        vm.finished.connect(self.on_vm_finished)
        self.open_button.clicked.connect(self.on_open_clicked)
        self.save_button.clicked.connect(self.on_save_clicked)
        self.add_thread_button.clicked.connect(self.on_add_thread_clicked)
        self.run_button.clicked.connect(self.on_run_clicked)
        self.junit_button.clicked.connect(lambda: self._export("JUnit XML (*.xml)", "junit"))
        self.html_button.clicked.connect(lambda: self._export("HTML page (*.html)", "html"))
        self.copy_button.clicked.connect(self.on_copy_clicked)
        self.table.itemSelectionChanged.connect(self.on_table_selection_changed)

    # -- helpers --------------------------------------------------------------------------

    def checked_assistants(self) -> list[str]:
        found: list[str] = []
        for row in range(self.assistant_list.count()):
            item = self.assistant_list.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                found.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return found

    def check_assistant(self, assistant_id: str) -> None:
        for row in range(self.assistant_list.count()):
            item = self.assistant_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == assistant_id:
                item.setCheckState(Qt.CheckState.Checked)

    def selected_row(self) -> ResultRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        index = rows[0].row()
        all_rows = self._vm.rows
        return all_rows[index] if 0 <= index < len(all_rows) else None

    # -- slots ----------------------------------------------------------------------------

    def on_vm_suite_changed(self) -> None:
        suite = self._vm.suite
        if suite is None:
            self.suite_label.setText("No suite yet: open one, or save a chat thread as a case.")
            return
        where = f" — {self._vm.path}" if self._vm.path else " (not saved yet)"
        names = ", ".join(c.name for c in suite.cases)
        self.suite_label.setText(
            f"Suite “{suite.name}”{where}: {len(suite.cases)} case(s): {names}"
        )
        if suite.repeat > 1:
            self.repeat_spin.setValue(suite.repeat)
        for assistant_id in suite.assistants:
            self.check_assistant(assistant_id)

    def on_vm_rows_changed(self) -> None:
        rows = self._vm.rows
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            values = [
                row.assistant,
                row.case,
                str(row.repeat),
                str(row.turn),
                row.check,
                "pass" if row.passed else "FAIL",
                row.detail,
                row.run_id,
            ]
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if c == 5:
                    item.setForeground(QBrush(_PASS if row.passed else _FAIL))
                item.setToolTip(value)
                self.table.setItem(r, c, item)

    def on_vm_progress_changed(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)

    def on_vm_busy_changed(self, busy: bool) -> None:
        for button in (self.run_button, self.open_button, self.add_thread_button):
            button.setEnabled(not busy)

    def on_vm_finished(self, report: object) -> None:
        summary = getattr(report, "summary", None)
        self.summary_label.setText(summary() if callable(summary) else "")

    def on_run_clicked(self) -> None:
        targets = self.checked_assistants()
        if not targets:
            self.summary_label.setText("Tick at least one assistant to run the suite against.")
            return
        self._vm.run(targets, self.repeat_spin.value())

    def on_add_thread_clicked(self) -> None:
        name = self.case_name.text().strip() or f"Thread {self._current_thread() or ''}".strip()
        self._vm.add_thread(self._current_thread(), name)

    def on_open_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open suite", "", "Suite (*.json)")
        if path:
            self._vm.open(Path(path))

    def on_save_clicked(self) -> None:
        start = str(self._vm.path or "suite.json")
        path, _ = QFileDialog.getSaveFileName(self, "Save suite", start, "Suite (*.json)")
        if path:
            self._vm.save(Path(path))

    def _export(self, pattern: str, kind: str) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export report", "", pattern)
        if path:
            if kind == "junit":
                self._vm.export(Path(path), None)
            else:
                self._vm.export(None, Path(path))

    def on_table_selection_changed(self) -> None:
        row = self.selected_row()
        self.copy_button.setEnabled(bool(row and row.run_id))
        if row is not None and row.run_id and self._show_run is not None:
            self._show_run(row.thread_id, row.run_id)

    def on_copy_clicked(self) -> None:
        row = self.selected_row()
        if row is not None and row.run_id:
            QGuiApplication.clipboard().setText(f"thread {row.thread_id} run {row.run_id}")
