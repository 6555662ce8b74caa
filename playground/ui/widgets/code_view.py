"""The Code tab: pick an assistant or a run, read and copy its Python and curl."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from playground.ui.viewmodels.code_view import CodeViewModel


class CodeView(QWidget):
    def __init__(
        self,
        vm: CodeViewModel,
        choices: Callable[[], list[tuple[str, str]]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._vm = vm
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.assistant_combo = QComboBox()
        for assistant_id, name in choices():
            self.assistant_combo.addItem(f"{name} ({assistant_id})", assistant_id)
        self.assistant_button = QPushButton("Code for this assistant")
        row = QHBoxLayout()
        row.addWidget(self.assistant_combo, 1)
        row.addWidget(self.assistant_button)
        form.addRow("Assistant", row)
        self.thread_edit = QLineEdit()
        self.thread_edit.setPlaceholderText("thread id")
        self.run_edit = QLineEdit()
        self.run_edit.setPlaceholderText("run id (select a suite result to fill these)")
        self.run_button = QPushButton("Code for this run")
        run_row = QHBoxLayout()
        run_row.addWidget(self.thread_edit, 1)
        run_row.addWidget(self.run_edit, 1)
        run_row.addWidget(self.run_button)
        form.addRow("Run", run_row)
        layout.addLayout(form)
        self.title_label = QLabel(
            "The key is read from the environment variable ASSISTANTS_API_KEY; it is never "
            "written into the code."
        )
        self.title_label.setWordWrap(True)
        layout.addWidget(self.title_label)
        self.tabs = QTabWidget()
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.python_text = QPlainTextEdit()
        self.curl_text = QPlainTextEdit()
        for edit in (self.python_text, self.curl_text):
            edit.setReadOnly(True)
            edit.setFont(mono)
        self.tabs.addTab(self.python_text, "Python (openai SDK)")
        self.tabs.addTab(self.curl_text, "curl")
        layout.addWidget(self.tabs, 1)
        self.copy_button = QPushButton("Copy")
        layout.addWidget(self.copy_button)
        self.assistant_button.clicked.connect(self.on_assistant_clicked)
        self.run_button.clicked.connect(self.on_run_clicked)
        self.copy_button.clicked.connect(self.on_copy_clicked)
        vm.code_changed.connect(self.on_vm_code_changed)

    def set_run(self, thread_id: str, run_id: str) -> None:
        self.thread_edit.setText(thread_id)
        self.run_edit.setText(run_id)

    def on_assistant_clicked(self) -> None:
        data = self.assistant_combo.currentData()
        if isinstance(data, str):
            self._vm.for_assistant(data)

    def on_run_clicked(self) -> None:
        self._vm.for_run(self.thread_edit.text().strip(), self.run_edit.text().strip())

    def on_vm_code_changed(self) -> None:
        self.title_label.setText(
            f"{self._vm.title} — the key is read from $ASSISTANTS_API_KEY, never written here."
        )
        self.python_text.setPlainText(self._vm.python)
        self.curl_text.setPlainText(self._vm.curl)

    def on_copy_clicked(self) -> None:
        current = self.tabs.currentWidget()
        if isinstance(current, QPlainTextEdit):
            QGuiApplication.clipboard().setText(current.toPlainText())
