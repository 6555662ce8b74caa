"""The assistant's settings: general fields, sampling, response format, tools and metadata.

Every edit goes straight to the editor view model (``vm.editor.update(...)``); the form
refills itself only when the whole draft is replaced (``loaded``: a selection, Revert, an
import), so typing never fights a refresh that moves the cursor.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from playground.ui.plain import plain_label
from playground.ui.viewmodels.assistant_draft import MAX_INSTRUCTIONS
from playground.ui.viewmodels.assistants import AssistantsViewModel
from playground.ui.widgets.function_list import FunctionList
from playground.ui.widgets.json_editor import JsonEditor
from playground.ui.widgets.metadata_table import MetadataTable

#: Lines longer than this are shown unwrapped (wrapping one long word is quadratic in Qt).
LONG_LINE_CHARS = 10_000

_FORMATS = (
    ("auto", "Auto (model default)"),
    ("text", "Text"),
    ("json_object", "JSON object"),
    ("json_schema", "JSON schema"),
)
#: Spin boxes show "default" at their minimum, which means "not set" (None on the wire).
_UNSET = -0.05


def _optional_spin(maximum: float) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(_UNSET, maximum)
    spin.setSingleStep(0.05)
    spin.setDecimals(2)
    spin.setSpecialValueText("default")
    spin.setValue(_UNSET)
    return spin


def _spin_value(spin: QDoubleSpinBox) -> float | None:
    return None if spin.value() <= _UNSET + 1e-9 else round(spin.value(), 2)


class AssistantForm(QWidget):
    """Fields of the editor; ``general`` and ``tools`` are two pages the pane lays out."""

    def __init__(self, vm: AssistantsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        editor = vm.editor

        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("My assistant")
        self.model_combo = QComboBox()
        self.model_combo.setEditable(True)
        self.model_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        model_line = self.model_combo.lineEdit()
        if model_line is not None:
            model_line.setPlaceholderText("model or deployment name")
        self.description_edit = QLineEdit()
        self.instructions_edit = QPlainTextEdit()
        self.instructions_edit.setPlaceholderText("You are a helpful assistant…")
        self.instructions_edit.setMinimumHeight(110)
        self.temperature_spin = _optional_spin(2.0)
        self.top_p_spin = _optional_spin(1.0)
        self.format_combo = QComboBox()
        for key, label in _FORMATS:
            self.format_combo.addItem(label, key)
        self.schema_name_edit = QLineEdit()
        self.schema_name_edit.setPlaceholderText("schema name, e.g. answer")
        self.schema_strict_box = QCheckBox("Strict")
        self.schema_edit = JsonEditor()
        self.schema_edit.setPlaceholderText('{"type": "object", "properties": {…}}')
        self.schema_edit.setMinimumHeight(110)
        self.schema_box = QWidget()
        schema_layout = QVBoxLayout(self.schema_box)
        schema_layout.setContentsMargins(0, 0, 0, 0)
        schema_head = QHBoxLayout()
        schema_head.addWidget(self.schema_name_edit, 1)
        schema_head.addWidget(self.schema_strict_box)
        schema_layout.addLayout(schema_head)
        schema_layout.addWidget(self.schema_edit)

        self.general = QWidget()
        general_form = QFormLayout(self.general)
        general_form.addRow("Name", self.name_edit)
        general_form.addRow("Model", self.model_combo)
        general_form.addRow("Description", self.description_edit)
        general_form.addRow(QLabel("Instructions"))
        general_form.addRow(self.instructions_edit)
        self.instructions_note = plain_label()
        self.instructions_note.setWordWrap(True)
        self.instructions_note.setStyleSheet("color: #8a5a00;")
        self.instructions_note.hide()
        general_form.addRow(self.instructions_note)
        sampling = QHBoxLayout()
        sampling.addWidget(QLabel("Temperature"))
        sampling.addWidget(self.temperature_spin)
        sampling.addSpacing(12)
        sampling.addWidget(QLabel("Top P"))
        sampling.addWidget(self.top_p_spin)
        sampling.addStretch(1)
        general_form.addRow(sampling)
        general_form.addRow("Response", self.format_combo)
        general_form.addRow(self.schema_box)
        self.metadata_table = MetadataTable()
        general_form.addRow(QLabel("Metadata"))
        general_form.addRow(self.metadata_table)

        self.code_interpreter_box = QCheckBox("Code interpreter")
        self.file_search_box = QCheckBox("File search")
        self.function_list = FunctionList(editor)
        self.other_tools_label = plain_label()
        self.other_tools_label.setWordWrap(True)
        self.tools = QWidget()
        tools_layout = QVBoxLayout(self.tools)
        builtin = QGroupBox("Built-in tools")
        builtin_layout = QVBoxLayout(builtin)
        builtin_layout.addWidget(self.code_interpreter_box)
        builtin_layout.addWidget(self.file_search_box)
        functions = QGroupBox("Functions")
        functions_layout = QVBoxLayout(functions)
        functions_layout.addWidget(self.function_list)
        tools_layout.addWidget(builtin)
        tools_layout.addWidget(functions, 1)
        tools_layout.addWidget(self.other_tools_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.general)
        layout.addWidget(self.tools)

        self._filling = False
        self._connect_signals()
        self.on_vm_models_changed()
        self.on_editor_loaded()

    def _connect_signals(self) -> None:
        vm, editor = self.vm, self.vm.editor
        editor.loaded.connect(self.on_editor_loaded)
        vm.models_changed.connect(self.on_vm_models_changed)
        vm.session.client_changed.connect(self.on_session_client_changed)
        self.name_edit.textEdited.connect(lambda text: self._edit(name=text))
        self.model_combo.editTextChanged.connect(lambda text: self._edit(model=text.strip()))
        self.description_edit.textEdited.connect(lambda text: self._edit(description=text))
        self.instructions_edit.textChanged.connect(
            lambda: self._edit(instructions=self.instructions_edit.toPlainText())
        )
        self.temperature_spin.valueChanged.connect(
            lambda _: self._edit(temperature=_spin_value(self.temperature_spin))
        )
        self.top_p_spin.valueChanged.connect(
            lambda _: self._edit(top_p=_spin_value(self.top_p_spin))
        )
        self.format_combo.currentIndexChanged.connect(self.on_format_changed)
        self.schema_name_edit.textEdited.connect(lambda text: self._edit(schema_name=text))
        self.schema_strict_box.toggled.connect(lambda on: self._edit(schema_strict=on))
        self.schema_edit.edited.connect(lambda text: self._edit(schema_text=text))
        self.metadata_table.pairs_edited.connect(lambda pairs: self._edit(metadata=pairs))
        self.code_interpreter_box.toggled.connect(lambda on: self._edit(code_interpreter=on))
        self.file_search_box.toggled.connect(lambda on: self._edit(file_search=on))
        editor.problems_changed.connect(self.on_editor_problems_changed)

    def _show_instructions(self, text: str) -> None:
        """Put server text in the editor without freezing it.

        Wrapping one unbroken 200,000-character line costs Qt seconds (quadratic), and a
        5 MB one froze the editor for minutes: long lines are shown unwrapped, and text over
        the API's limit is shown cut (the draft keeps it whole until the person edits).
        """
        shown = text[:MAX_INSTRUCTIONS]
        longest = max((len(line) for line in shown.split("\n")), default=0)
        wrap = (
            QPlainTextEdit.LineWrapMode.NoWrap
            if longest > LONG_LINE_CHARS
            else QPlainTextEdit.LineWrapMode.WidgetWidth
        )
        if self.instructions_edit.lineWrapMode() != wrap:
            self.instructions_edit.setLineWrapMode(wrap)
        if self.instructions_edit.toPlainText() != shown:
            self.instructions_edit.setPlainText(shown)
        note = ""
        if len(text) > MAX_INSTRUCTIONS:
            note = (
                f"The instructions are {len(text):,} characters, more than the API allows "
                f"({MAX_INSTRUCTIONS:,}); only the first {MAX_INSTRUCTIONS:,} are shown, and "
                "editing keeps only those."
            )
        self.instructions_note.setText(note)
        self.instructions_note.setVisible(bool(note))

    def _edit(self, **changes: object) -> None:
        if not self._filling:
            self.vm.editor.update(**changes)

    # -- slots -----------------------------------------------------------------------------

    def on_editor_loaded(self) -> None:
        draft = self.vm.editor.draft
        self._filling = True
        try:
            self.name_edit.setText(draft.name)
            self.model_combo.setEditText(draft.model)
            self.description_edit.setText(draft.description)
            self._show_instructions(draft.instructions)
            self.temperature_spin.setValue(
                _UNSET if draft.temperature is None else draft.temperature
            )
            self.top_p_spin.setValue(_UNSET if draft.top_p is None else draft.top_p)
            self.format_combo.setCurrentIndex(
                max(0, self.format_combo.findData(draft.response_format))
            )
            self.schema_name_edit.setText(draft.schema_name)
            self.schema_strict_box.setChecked(draft.schema_strict)
            self.schema_edit.set_text(draft.schema_text)
            self.metadata_table.set_pairs(draft.metadata)
            self.code_interpreter_box.setChecked(draft.code_interpreter)
            self.file_search_box.setChecked(draft.file_search)
        finally:
            self._filling = False
        self.schema_box.setVisible(draft.response_format == "json_schema")
        self._label_tools()

    def on_vm_models_changed(self) -> None:
        self._filling = True
        try:
            text = self.model_combo.currentText()
            self.model_combo.clear()
            self.model_combo.addItems(self.vm.models)
            self.model_combo.setEditText(text or self.vm.editor.draft.model)
        finally:
            self._filling = False

    def on_session_client_changed(self) -> None:
        self._label_tools()

    def on_format_changed(self, _: int) -> None:
        key = str(self.format_combo.currentData())
        self.schema_box.setVisible(key == "json_schema")
        self._edit(response_format=key)

    def on_editor_problems_changed(self, problems: object) -> None:
        line = None
        for problem in problems if isinstance(problems, list) else []:
            if problem.field == "response_format" and problem.line:
                line = problem.line
        self.schema_edit.mark_error_line(line)

    def _label_tools(self) -> None:
        v1 = self.vm.api_family == "v1"
        self.file_search_box.setText("Retrieval (v1)" if v1 else "File search")
        others = self.vm.editor.draft.other_tools
        if others:
            kinds = ", ".join(str(t.get("type")) for t in others)
            self.other_tools_label.setText(f"Also kept unchanged on save: {kinds}.")
        self.other_tools_label.setVisible(bool(others))
