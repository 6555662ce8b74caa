"""The Compare view: one column per variant — its settings on top, its result below.

Answers are rendered like the chat (the same Markdown renderer, in a browser that fetches
nothing). A column whose run asks for a function output shows the call and an output box
in that column, so it is clear which variant asks.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable

from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from playground.testing.variants import Variant
from playground.ui.markdown import LOCAL_IMAGE_SCHEME, SafeTextBrowser, render_markdown
from playground.ui.viewmodels.compare import Column, CompareViewModel

AssistantChoices = Callable[[], list[tuple[str, str]]]
_FORMATS = ["as saved", "auto", "text", "json_object"]


def _number(text: str) -> float | None:
    try:
        return float(text.strip()) if text.strip() else None
    except ValueError:
        return None


class VariantColumn(QFrame):
    """Settings and result of one variant; intents go to the view model by index."""

    def __init__(self, vm: CompareViewModel, index: int, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self._vm = vm
        self.index = index
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(260)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.label_edit = QLineEdit()
        self.assistant_combo = QComboBox()
        self.assistant_combo.setEditable(True)
        for assistant_id, name in choices:
            self.assistant_combo.addItem(f"{name} ({assistant_id})", assistant_id)
        self.model_edit = QLineEdit()
        self.model_edit.setPlaceholderText("as saved")
        self.temperature_edit = QLineEdit()
        self.temperature_edit.setPlaceholderText("as saved")
        self.top_p_edit = QLineEdit()
        self.top_p_edit.setPlaceholderText("as saved")
        self.format_combo = QComboBox()
        self.format_combo.addItems(_FORMATS)
        self.instructions_edit = QPlainTextEdit()
        self.instructions_edit.setPlaceholderText("Instructions as saved")
        self.instructions_edit.setMaximumHeight(70)
        self.tools_edit = QLineEdit()
        self.tools_edit.setPlaceholderText('as saved, or JSON: [{"type": "code_interpreter"}]')
        form.addRow("Name", self.label_edit)
        form.addRow("Assistant", self.assistant_combo)
        form.addRow("Model", self.model_edit)
        form.addRow("Temperature", self.temperature_edit)
        form.addRow("top_p", self.top_p_edit)
        form.addRow("Response", self.format_combo)
        form.addRow("Tools", self.tools_edit)
        layout.addLayout(form)
        layout.addWidget(self.instructions_edit)

        self.status_label = QLabel()
        self.status_label.setObjectName("compareStatus")
        self.status_label.setWordWrap(True)
        self.answer_view = SafeTextBrowser()
        self.answer_view.setMinimumHeight(140)
        self.steps_label = QLabel()
        self.steps_label.setWordWrap(True)
        self.steps_label.setTextFormat(self.steps_label.textFormat().PlainText)
        self.outputs_label = QLabel()
        self.outputs_label.setWordWrap(True)
        self.ask_label = QLabel()
        self.ask_label.setWordWrap(True)
        self.ask_edit = QLineEdit()
        self.ask_edit.setPlaceholderText("Output to send")
        self.ask_send = QPushButton("Send output")
        self.ask_skip = QPushButton("Skip")
        ask_row = QHBoxLayout()
        ask_row.addWidget(self.ask_edit, 1)
        ask_row.addWidget(self.ask_send)
        ask_row.addWidget(self.ask_skip)
        self.ask_box = QWidget()
        ask_layout = QVBoxLayout(self.ask_box)
        ask_layout.setContentsMargins(0, 0, 0, 0)
        ask_layout.addWidget(self.ask_label)
        ask_layout.addLayout(ask_row)
        self.keep_button = QPushButton("Keep this one")
        self.remove_button = QPushButton("Remove")
        buttons = QHBoxLayout()
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.remove_button)
        layout.addWidget(self.status_label)
        layout.addWidget(self.answer_view, 1)
        layout.addWidget(self.steps_label)
        layout.addWidget(self.outputs_label)
        layout.addWidget(self.ask_box)
        layout.addLayout(buttons)
        self.ask_send.clicked.connect(self.on_ask_send_clicked)
        self.ask_skip.clicked.connect(self.on_ask_skip_clicked)
        self.keep_button.clicked.connect(lambda: self._vm.keep(self.index))
        self.remove_button.clicked.connect(lambda: self._vm.remove_variant(self.index))

    def load(self, variant: Variant) -> None:
        self.label_edit.setText(variant.label)
        found = self.assistant_combo.findData(variant.assistant_id)
        if found >= 0:
            self.assistant_combo.setCurrentIndex(found)
        else:
            self.assistant_combo.setEditText(variant.assistant_id)
        o = variant.overrides
        self.model_edit.setText(str(o.get("model", "")))
        self.temperature_edit.setText("" if "temperature" not in o else str(o["temperature"]))
        self.top_p_edit.setText("" if "top_p" not in o else str(o["top_p"]))
        fmt = o.get("response_format")
        self.format_combo.setCurrentText(fmt if isinstance(fmt, str) else "as saved")
        self.instructions_edit.setPlainText(str(o.get("instructions", "")))
        self.tools_edit.setText(json.dumps(o["tools"]) if "tools" in o else "")

    def variant(self) -> Variant:
        """The settings as typed; :class:`ValueError` (plain words) for unreadable tools."""
        data = self.assistant_combo.currentData()
        text = self.assistant_combo.currentText().strip()
        assistant_id = data if isinstance(data, str) and text.endswith(f"({data})") else text
        overrides: dict[str, object] = {}
        if self.model_edit.text().strip():
            overrides["model"] = self.model_edit.text().strip()
        for key, edit in (("temperature", self.temperature_edit), ("top_p", self.top_p_edit)):
            value = _number(edit.text())
            if value is not None:
                overrides[key] = value
        if self.format_combo.currentText() != "as saved":
            overrides["response_format"] = self.format_combo.currentText()
        if self.instructions_edit.toPlainText().strip():
            overrides["instructions"] = self.instructions_edit.toPlainText()
        label = self.label_edit.text().strip() or f"Variant {self.index + 1}"
        if self.tools_edit.text().strip():
            try:
                tools = json.loads(self.tools_edit.text())
            except ValueError as exc:
                raise ValueError(f"{label}: the tools are not valid JSON ({exc}).") from None
            if not isinstance(tools, list):
                raise ValueError(f"{label}: the tools must be a JSON list of tool objects.")
            overrides["tools"] = tools
        return Variant(label, assistant_id, overrides)

    def show_result(self, column: Column) -> None:
        self.status_label.setText(
            f"{column.variant.label}: {column.facts()}"
            + (f" — {column.error}" if column.error else "")
        )
        thumbs = {}
        for file_id, data in column.images.items():
            image = QImage.fromData(data)
            if not image.isNull():
                thumbs[file_id] = image
        self.answer_view.set_local_images(thumbs)
        pictures = "".join(
            f"<p><img src='{LOCAL_IMAGE_SCHEME}:{html.escape(i)}' width='220'></p>" for i in thumbs
        )
        self.answer_view.setHtml(render_markdown(column.answer) + pictures)
        self.steps_label.setText("Steps: " + (", ".join(column.steps) or "—"))
        outputs = [f"image {i}" for i in column.image_file_ids] + [
            f"file {f}" for f in column.file_ids
        ]
        self.outputs_label.setText("Outputs: " + (", ".join(outputs) or "—"))
        self.outputs_label.setVisible(bool(outputs))
        self.ask_box.setVisible(bool(column.asking))
        self.ask_label.setText(f"{column.variant.label} asks for the output of {column.asking}")

    def on_ask_send_clicked(self) -> None:
        self._vm.answer(self.index, self.ask_edit.text())
        self.ask_edit.clear()

    def on_ask_skip_clicked(self) -> None:
        self._vm.answer(self.index, None)


class CompareView(QWidget):
    def __init__(
        self, vm: CompareViewModel, choices: AssistantChoices, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._vm = vm
        self._choices = choices
        self.columns: list[VariantColumn] = []
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.message_edit = QLineEdit()
        self.message_edit.setPlaceholderText("One message for every variant")
        self.send_button = QPushButton("Send to all")
        self.add_button = QPushButton("Add variant")
        top.addWidget(self.message_edit, 1)
        top.addWidget(self.send_button)
        top.addWidget(self.add_button)
        layout.addLayout(top)
        self.problem_label = QLabel()
        self.problem_label.setStyleSheet("color: #b00020;")
        self.problem_label.setWordWrap(True)
        layout.addWidget(self.problem_label)
        self.problem_label.hide()
        self._row = QWidget()
        self._row_layout = QHBoxLayout(self._row)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._row)
        layout.addWidget(scroll, 1)
        self._connect_signals()
        self.on_vm_columns_changed()

    def _connect_signals(self) -> None:
        self._vm.columns_changed.connect(self.on_vm_columns_changed)
        self._vm.column_changed.connect(self.on_vm_column_changed)
        self._vm.busy_changed.connect(self.on_vm_busy_changed)
        self.send_button.clicked.connect(self.on_send_clicked)
        self.message_edit.returnPressed.connect(self.on_send_clicked)
        self.add_button.clicked.connect(self.on_add_clicked)

    def on_vm_columns_changed(self) -> None:
        for column in self.columns:
            self._row_layout.removeWidget(column)
            column.deleteLater()
        choices = self._choices()
        self.columns = []
        for index, data in enumerate(self._vm.columns):
            widget = VariantColumn(self._vm, index, choices)
            widget.load(data.variant)
            widget.show_result(data)
            self._row_layout.addWidget(widget)
            self.columns.append(widget)

    def on_vm_column_changed(self, index: int) -> None:
        if 0 <= index < len(self.columns):
            self.columns[index].show_result(self._vm.columns[index])

    def on_vm_busy_changed(self, busy: bool) -> None:
        self.send_button.setEnabled(not busy)
        self.add_button.setEnabled(not busy)

    def on_send_clicked(self) -> None:
        try:
            variants = [widget.variant() for widget in self.columns]
        except ValueError as exc:
            self.problem_label.setText(str(exc))
            self.problem_label.show()
            return
        self.problem_label.setText("")
        self.problem_label.hide()
        for widget, variant in zip(self.columns, variants, strict=True):
            self._vm.update_variant(widget.index, variant)
        self._vm.send(self.message_edit.text())

    def on_add_clicked(self) -> None:
        if self._vm.columns:
            base = self._vm.columns[0].variant.assistant_id
            self._vm.add_variant(Variant(f"Variant {len(self._vm.columns) + 1}", base))
            return
        # Opened before the assistants were loaded: start with two copies of the first one.
        choices = self._choices()
        if choices:
            first = choices[0][0]
            self._vm.set_variants([Variant("A", first), Variant("B", first)])
