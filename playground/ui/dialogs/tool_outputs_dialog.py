"""The requires_action prompt: every tool call of the batch, an output each, a countdown.

Non-modal, so the person can read the conversation (and the inspector) while answering.
The layout never moves under the cursor: argument boxes, output editors and note lines have
fixed heights (long text scrolls inside them), focus starts in the first Output, Tab goes from
Output to Output (the read-only arguments are skipped), and Ctrl+Enter submits them all.
It shows a :class:`ToolPromptViewModel` and forwards intents to it; it closes itself when the
view model finishes (submitted, cancelled, or the run ended some other way).
"""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontDatabase, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from playground.store.function_modes import FunctionMode, FunctionModeKind
from playground.ui.plain import tip
from playground.ui.viewmodels.tool_prompt import ToolCallItem, ToolPromptViewModel

_TICK_MS = 250
#: Fixed heights (in text lines) so typing never resizes the prompt.
ARGUMENT_LINES = 4
OUTPUT_LINES = 6
NOTE_LINES = 2
MODE_LABELS = {
    FunctionModeKind.ASK: "Ask me",
    FunctionModeKind.CANNED: "Canned output (sent automatically)",
    FunctionModeKind.LOCAL_PYTHON: "Local Python function",
}


def _output_editor() -> QPlainTextEdit:
    # The assistant pane's JSON editor highlights JSON; plain text still works without it.
    try:
        from playground.ui.widgets.json_editor import JsonEditor

        return JsonEditor()
    except Exception:
        editor = QPlainTextEdit()
        editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        return editor


def _fix_lines(editor: QPlainTextEdit, lines: int) -> None:
    """A fixed height of ``lines`` text lines; more text scrolls inside the editor."""
    metrics = editor.fontMetrics()
    frame = editor.frameWidth() * 2 + int(editor.document().documentMargin() * 2)
    editor.setFixedHeight(metrics.lineSpacing() * lines + frame + 2)
    editor.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)


def _note_label(style: str) -> QLabel:
    """A note line of fixed height: a note appearing or growing never pushes the form down."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setStyleSheet(style)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    label.setFixedHeight(label.fontMetrics().lineSpacing() * NOTE_LINES + 2)
    return label


def _set_note(label: QLabel, text: str) -> None:
    # The whole note stays readable in the tooltip when it needs more than its lines.
    label.setText(text)
    label.setToolTip(tip(text))


class ToolCallBox(QGroupBox):
    """One call: mode, arguments with their problems, the output editor."""

    def __init__(self, vm: ToolPromptViewModel, index: int, parent: QWidget | None = None) -> None:
        item = vm.items[index]
        super().__init__(f"{item.name}  ·  {item.call_id}", parent)
        self._vm = vm
        self._index = index
        self._filling = False
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)

        self.mode = QComboBox()
        for kind, label in MODE_LABELS.items():
            self.mode.addItem(label, kind.value)
        self.python_path = QLineEdit()
        self.python_path.setPlaceholderText("/path/to/tools.py")
        self.browse = QPushButton("Browse…")
        self.callable_name = QLineEdit()
        self.callable_name.setPlaceholderText("function name")
        self.timeout = QDoubleSpinBox()
        self.timeout.setRange(0.5, 600)
        self.timeout.setValue(10)
        self.timeout.setSuffix(" s")
        self.use_python = QPushButton("Use")
        self.python_row = QWidget()
        row = QHBoxLayout(self.python_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.python_path, 2)
        row.addWidget(self.browse)
        row.addWidget(self.callable_name, 1)
        row.addWidget(self.timeout)
        row.addWidget(self.use_python)

        self.arguments = QPlainTextEdit()
        self.arguments.setReadOnly(True)
        self.arguments.setFont(fixed)
        _fix_lines(self.arguments, ARGUMENT_LINES)
        # Readable and selectable with the mouse, but Tab passes it by.
        self.arguments.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.argument_problems = _note_label("color: #b00020;")
        self.output = _output_editor()
        self.output.setPlaceholderText("The function's result (JSON or plain text)")
        self.output.setTabChangesFocus(True)
        _fix_lines(self.output, OUTPUT_LINES)
        self.output_notes = _note_label("color: #8a5a00;")

        form = QFormLayout(self)
        form.addRow("Answer by", self.mode)
        form.addRow("", self.python_row)
        form.addRow("Arguments", self.arguments)
        form.addRow("", self.argument_problems)
        form.addRow("Output", self.output)
        form.addRow("", self.output_notes)
        self._connect_signals()
        self.refresh()

    def _connect_signals(self) -> None:
        self.output.textChanged.connect(self.on_output_changed)
        self.mode.currentIndexChanged.connect(self.on_mode_changed)
        self.browse.clicked.connect(self.on_browse_clicked)
        self.use_python.clicked.connect(self.on_use_python_clicked)

    @property
    def item(self) -> ToolCallItem:
        return self._vm.items[self._index]

    def refresh(self) -> None:
        item = self.item
        self._filling = True
        try:
            self.arguments.setPlainText(item.arguments)
            kind = item.mode.kind if item.mode else FunctionModeKind.ASK
            self.mode.setCurrentIndex(self.mode.findData(kind.value))
            self.python_row.setVisible(kind is FunctionModeKind.LOCAL_PYTHON)
            if item.mode is not None and kind is FunctionModeKind.LOCAL_PYTHON:
                self.python_path.setText(item.mode.python_path)
                self.callable_name.setText(item.mode.callable_name)
                self.timeout.setValue(item.mode.timeout_s)
            if self.output.toPlainText() != item.output:
                self.output.setPlainText(item.output)
        finally:
            self._filling = False
        problems = item.argument_problems
        _set_note(
            self.argument_problems,
            "Arguments do not match the function's schema: " + "; ".join(problems)
            if problems
            else "",
        )
        notes = list(item.output_warnings)
        if item.error:
            notes.insert(0, item.error)
        if item.source != "you" and not item.error:
            label = "local Python" if item.source == "local_python" else item.source
            notes.insert(0, f"Answered by the {label} mode.")
        _set_note(self.output_notes, " ".join(notes))

    def on_output_changed(self) -> None:
        if not self._filling:
            self._vm.set_output(self._index, self.output.toPlainText())

    def on_mode_changed(self) -> None:
        if self._filling:
            return
        kind = FunctionModeKind(self.mode.currentData())
        self.python_row.setVisible(kind is FunctionModeKind.LOCAL_PYTHON)
        if kind is FunctionModeKind.ASK:
            self._vm.set_mode(self._index, FunctionMode())
        elif kind is FunctionModeKind.CANNED:
            # The output typed so far becomes the canned answer for next time.
            self._vm.set_mode(
                self._index,
                FunctionMode(kind=kind, canned_output=self.output.toPlainText()),
            )

    def on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Python file", "", "Python (*.py)")
        if path:
            self.python_path.setText(path)

    def on_use_python_clicked(self) -> None:
        self._vm.set_mode(
            self._index,
            FunctionMode(
                kind=FunctionModeKind.LOCAL_PYTHON,
                python_path=self.python_path.text().strip(),
                callable_name=self.callable_name.text().strip(),
                timeout_s=self.timeout.value(),
            ),
        )


class ToolOutputsDialog(QDialog):
    def __init__(self, vm: ToolPromptViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self.setWindowTitle("The run needs tool outputs")
        self.setModal(False)
        count = len(vm.items)
        # Room for two calls without scrolling; more scroll inside the dialog.
        self.resize(680, 160 + 290 * min(max(count, 1), 2))
        self.header = QLabel(
            f"The assistant called {count} function{'s' if count != 1 else ''}. "
            "Give each an output, then submit them all together."
        )
        self.header.setWordWrap(True)
        self.countdown = QLabel()
        self.boxes = [ToolCallBox(vm, i) for i in range(count)]
        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        for box in self.boxes:
            inner_layout.addWidget(box)
        inner_layout.addStretch(1)
        self.scroll_area = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        self.submit_button = QPushButton("Submit all")
        self.submit_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel run")
        buttons = QHBoxLayout()
        buttons.addWidget(self.countdown, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.submit_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self._timer = QTimer(self)
        self._timer.setInterval(_TICK_MS)
        self._timer.timeout.connect(self.tick)
        self._timer.start()
        self.submit_button.setToolTip("Submit every output (Ctrl+Enter)")
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(self.on_submit_shortcut)
        # Output to Output, then the buttons; the mode controls come after.
        chain: list[QWidget] = [box.output for box in self.boxes]
        chain += [self.submit_button, self.cancel_button]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)
        if self.boxes:
            self.boxes[0].output.setFocus(Qt.FocusReason.OtherFocusReason)
        self._connect_signals()
        self.tick()

    def _connect_signals(self) -> None:
        self._vm.changed.connect(self.on_vm_changed)
        self._vm.submitting_changed.connect(self.on_vm_submitting_changed)
        self._vm.finished.connect(self.on_vm_finished)
        self.submit_button.clicked.connect(self._vm.submit_all)
        self.cancel_button.clicked.connect(self._vm.cancel_run)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.boxes and self.focusWidget() is None:
            self.boxes[0].output.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def on_submit_shortcut(self) -> None:
        # Once only: a second submit would preempt the first one's request mid-flight.
        vm = self._vm
        if self.submit_button.isEnabled() and not vm.submitting and not vm.closed:
            self.submit_button.setEnabled(False)
            vm.submit_all()

    def tick(self) -> None:
        left = self._vm.seconds_left()
        if left is None:
            self.countdown.setText("No deadline given by the server.")
            return
        minutes, seconds = divmod(int(left), 60)
        self.countdown.setText(f"Expires in {minutes}:{seconds:02d}")
        self.countdown.setStyleSheet("color: #b00020;" if left < 30 else "")

    def on_vm_changed(self) -> None:
        for box in self.boxes:
            box.refresh()

    def on_vm_submitting_changed(self, busy: bool) -> None:
        self.submit_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)

    def on_vm_finished(self) -> None:
        self._timer.stop()
        self.close()

    def closeEvent(self, event: object) -> None:
        self._timer.stop()
        super().closeEvent(event)  # type: ignore[arg-type]
