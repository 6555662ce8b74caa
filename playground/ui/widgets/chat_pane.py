"""The middle pane: the thread picker on top, the conversation, run status, overrides and composer.

The composer keeps what was typed whenever a send is refused or fails; it clears only when
the view model says ``sent``. Ctrl+Enter is **Add & Run**.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.ui.plain import plain_label
from playground.ui.viewmodels.chat import ChatViewModel
from playground.ui.viewmodels.chat_runs import RunOverrides
from playground.ui.viewmodels.threads import ThreadsViewModel
from playground.ui.widgets.attachment_chips import AttachmentChips
from playground.ui.widgets.message_view import MessageView
from playground.ui.widgets.run_status import RunStatusBar
from playground.ui.widgets.thread_list import ThreadList


class OverridesBox(QWidget):
    """Per-run overrides, collapsed unless ticked; empty fields are not sent."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.toggle = QToolButton()
        self.toggle.setText("Run overrides")
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setAutoRaise(True)
        self._body = QWidget()
        form = QFormLayout(self._body)
        form.setContentsMargins(0, 0, 0, 0)
        self.instructions = QPlainTextEdit()
        self.instructions.setPlaceholderText("Replace the assistant's instructions for this run")
        self.instructions.setFixedHeight(48)
        self.additional = QPlainTextEdit()
        self.additional.setPlaceholderText("Appended to the instructions for this run")
        self.additional.setFixedHeight(48)
        self.model = QLineEdit()
        self.model.setPlaceholderText("assistant's model")
        self.tool_choice = QComboBox()
        self.tool_choice.setEditable(True)
        self.tool_choice.addItems(["", "auto", "none", "required"])
        self.tool_choice.setToolTip("auto, none, required, or a function name to force it")
        self.max_tokens = QSpinBox()
        self.max_tokens.setRange(0, 1_000_000)
        self.max_tokens.setSpecialValueText("default")
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(-0.1, 2.0)
        self.temperature.setSingleStep(0.1)
        self.temperature.setDecimals(2)
        self.temperature.setSpecialValueText("default")
        self.temperature.setValue(-0.1)
        form.addRow("Instructions", self.instructions)
        form.addRow("Additional instructions", self.additional)
        form.addRow("Model", self.model)
        form.addRow("Tool choice", self.tool_choice)
        form.addRow("Max completion tokens", self.max_tokens)
        form.addRow("Temperature", self.temperature)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toggle)
        layout.addWidget(self._body)
        self._body.setVisible(False)
        self.toggle.toggled.connect(self.on_toggled)

    def isChecked(self) -> bool:
        return self.toggle.isChecked()

    def setChecked(self, on: bool) -> None:
        self.toggle.setChecked(on)

    def on_toggled(self, on: bool) -> None:
        self._body.setVisible(on)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)

    def overrides(self) -> RunOverrides:
        if not self.isChecked():
            return RunOverrides()
        temperature = self.temperature.value()
        return RunOverrides(
            instructions=self.instructions.toPlainText().strip() or None,
            additional_instructions=self.additional.toPlainText().strip() or None,
            model=self.model.text().strip() or None,
            tool_choice=self.tool_choice.currentText().strip() or None,
            max_completion_tokens=self.max_tokens.value() or None,
            temperature=None if temperature < 0 else round(temperature, 2),
        )


class Composer(QPlainTextEdit):
    """The input box; Ctrl+Enter submits (the pane connects ``submit``)."""

    submit = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("Message… (Ctrl+Enter: Add & Run)")
        self.setTabChangesFocus(True)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self.submit)


class ChatPane(QWidget):
    def __init__(
        self, vm: ChatViewModel, threads: ThreadsViewModel, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._vm = vm
        self._loading_draft = False
        self.prompt_dialog: QWidget | None = None

        self.thread_list = ThreadList(threads)
        self.messages = MessageView(vm)
        self.run_status = RunStatusBar(vm)
        self.overrides_box = OverridesBox()
        self.assistant_label = plain_label()
        self.assistant_label.setStyleSheet("color: #555555;")
        self.composer = Composer()
        self.composer.setMinimumHeight(48)
        self.composer.setObjectName("composer")
        self.attach_button = QPushButton("Attach…")
        self.attachment_chips = AttachmentChips(vm.attachments)
        self.add_button = QPushButton("Add")
        self.add_button.setToolTip("Add the message to the thread without running")
        self.run_button = QPushButton("Add && Run")
        self.run_button.setDefault(True)
        self.run_button.setToolTip("Add the message and run the assistant (Ctrl+Enter)")

        self._bottom = bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.run_status)
        bottom_layout.addWidget(self.overrides_box)
        bottom_layout.addWidget(self.assistant_label)
        bottom_layout.addWidget(self.composer, 1)
        bottom_layout.addWidget(self.attachment_chips)
        row = QHBoxLayout()
        row.addWidget(self.attach_button)
        row.addStretch(1)
        row.addWidget(self.add_button)
        row.addWidget(self.run_button)
        bottom_layout.addLayout(row)

        # The thread picker is one row; the conversation gets the room.
        self.splitter = splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.messages)
        splitter.addWidget(bottom)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([520, 200])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.thread_list)
        layout.addWidget(splitter, 1)
        self._connect_signals()
        self.on_vm_locked_changed(vm.locked)
        self.on_vm_assistant_changed(vm.assistant_id)

    def _connect_signals(self) -> None:
        vm = self._vm
        vm.locked_changed.connect(self.on_vm_locked_changed)
        vm.draft_loaded.connect(self.on_vm_draft_loaded)
        vm.sent.connect(self.on_vm_sent)
        vm.assistant_changed.connect(self.on_vm_assistant_changed)
        vm.tool_prompt_requested.connect(self.on_vm_tool_prompt_requested)
        self.run_status.prompt_button.clicked.connect(self.on_show_prompt_clicked)
        self.composer.textChanged.connect(self.on_composer_changed)
        self.composer.submit.connect(self.on_run_clicked)
        self.run_button.clicked.connect(self.on_run_clicked)
        self.add_button.clicked.connect(self.on_add_clicked)
        self.attach_button.clicked.connect(self.on_attach_clicked)
        vm.attachments.changed.connect(self.on_attachments_changed)
        vm.attachments.available_changed.connect(self.on_attachments_available_changed)
        vm.assistant_names.changed.connect(self.on_assistant_names_changed)

    # -- intents --------------------------------------------------------------------------

    def on_run_clicked(self) -> None:
        self._send(run=True)

    def on_add_clicked(self) -> None:
        self._send(run=False)

    def _send(self, *, run: bool) -> None:
        if not self.run_button.isEnabled():
            return  # the thread is locked; the text stays where it is
        self._vm.send(
            self.composer.toPlainText(),
            self._vm.attachments.items,
            run=run,
            overrides=self.overrides_box.overrides(),
        )

    def on_attach_clicked(self) -> None:
        self._vm.attachments.refresh()  # the assistant's tools may have changed since
        paths, _ = QFileDialog.getOpenFileNames(self, "Attach files")
        if paths:
            self.set_attachments(self._vm.attachments.paths + paths)

    def set_attachments(self, paths: list[str]) -> None:
        """Attach these files (each routed to the tools its type suits)."""
        self._vm.attachments.add(paths)

    def on_attachments_changed(self) -> None:
        self.attachment_chips.set_image_note(self._vm.attachments.image_note())
        self._make_room_for_chips()
        paths = self._vm.attachments.paths
        if not self._loading_draft and paths != self._vm.draft_attachments:
            self._vm.set_draft(self.composer.toPlainText(), paths)

    def _make_room_for_chips(self) -> None:
        # The splitter keeps the composer area's height; chips must not squeeze into it.
        layout = self._bottom.layout()
        if layout is not None:
            layout.activate()
        need = self._bottom.minimumSizeHint().height()
        if self.attachment_chips.note.isVisible():
            width = max(self._bottom.width(), 200)
            need += self.attachment_chips.note.heightForWidth(width)
        sizes = self.splitter.sizes()
        if len(sizes) == 2 and sizes[1] < need and sum(sizes) > need:
            self.splitter.setSizes([sum(sizes) - need, need])

    # -- slots ----------------------------------------------------------------------------

    def on_composer_changed(self) -> None:
        if not self._loading_draft:
            self._vm.set_draft(self.composer.toPlainText(), self._vm.attachments.paths)

    def on_vm_draft_loaded(self, text: str) -> None:
        self._loading_draft = True
        try:
            self.composer.setPlainText(text)
            cursor = self.composer.textCursor()
            cursor.movePosition(cursor.MoveOperation.End)
            self.composer.setTextCursor(cursor)
        finally:
            self._loading_draft = False

    def on_vm_sent(self) -> None:
        self._loading_draft = True
        try:
            self.composer.clear()
        finally:
            self._loading_draft = False

    def on_vm_locked_changed(self, locked: bool) -> None:
        self.run_button.setEnabled(not locked)
        self.add_button.setEnabled(not locked)

    def on_vm_tool_prompt_requested(self, prompt: object) -> None:
        from playground.ui.dialogs.tool_outputs_dialog import ToolOutputsDialog
        from playground.ui.viewmodels.tool_prompt import ToolPromptViewModel

        if not isinstance(prompt, ToolPromptViewModel):
            return
        if self.prompt_dialog is not None:
            self.prompt_dialog.close()
        self.prompt_dialog = ToolOutputsDialog(prompt, parent=self.window())
        self.prompt_dialog.show()
        self.prompt_dialog.raise_()

    def on_show_prompt_clicked(self) -> None:
        prompt = self._vm.prompt
        if prompt is not None and not prompt.closed:
            self.on_vm_tool_prompt_requested(prompt)

    def on_attachments_available_changed(self) -> None:
        self.on_vm_assistant_changed(self._vm.assistant_id)

    def on_assistant_names_changed(self) -> None:
        self.on_vm_assistant_changed(self._vm.assistant_id)

    def on_vm_assistant_changed(self, assistant_id: object) -> None:
        if isinstance(assistant_id, str) and assistant_id:
            # The name once known (the id stays in the tooltip, for the API-minded).
            name = self._vm.assistant_names.label(assistant_id)
            self.assistant_label.setText(f"Runs use the assistant {name}")
            self.assistant_label.setToolTip(assistant_id)
        else:
            self.assistant_label.setText("Choose an assistant on the left to run it.")
