"""The function editor: name, description, parameters as JSON (checked live), templates, and
how the playground answers the function when a run calls it (ask / canned output / local
Python). Save stays disabled, with the reasons shown, while the definition is invalid.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from playground.store.function_modes import MAX_TIMEOUT_S, FunctionMode, FunctionModeKind
from playground.ui.function_templates import TEMPLATES
from playground.ui.plain import plain_label
from playground.ui.viewmodels.functions import FunctionCheck, FunctionEditorViewModel
from playground.ui.widgets.json_editor import JsonEditor

_MODE_LABELS = (
    (FunctionModeKind.ASK, "Ask me for the output"),
    (FunctionModeKind.CANNED, "Send a canned output"),
    (FunctionModeKind.LOCAL_PYTHON, "Run a local Python function"),
)


class FunctionEditorDialog(QDialog):
    """Edits one function through a :class:`FunctionEditorViewModel`.

    After ``exec()`` returns Accepted, read ``vm.result()`` and ``vm.mode``.
    """

    def __init__(self, vm: FunctionEditorViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.setWindowTitle("New function" if vm.is_new else f"Edit function “{vm.name}”")
        self.resize(640, 680)

        self.template_button = QPushButton("Start from a template")
        menu = QMenu(self.template_button)
        for item in TEMPLATES:
            action = menu.addAction(item.title)
            action.setData(item.key)
        self.template_menu = menu
        self.template_button.setMenu(menu)

        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("get_weather")
        self.name_edit.setMaxLength(200)  # longer than allowed on purpose: the check explains
        self.description_edit = QLineEdit()
        self.description_edit.setPlaceholderText("What the function does; the model reads this.")
        self.strict_box = QCheckBox("Strict (the model must follow the schema exactly)")
        self.parameters_edit = JsonEditor()
        self.parameters_edit.setPlaceholderText('{"type": "object", "properties": {}}')
        self.format_button = QPushButton("Format JSON")
        self.problems_label = plain_label()
        self.problems_label.setWordWrap(True)
        self.problems_label.setObjectName("functionProblems")

        form = QFormLayout()
        form.addRow("Name", self.name_edit)
        form.addRow("Description", self.description_edit)
        form.addRow("", self.strict_box)
        params_head = QHBoxLayout()
        params_head.addWidget(QLabel("Parameters (JSON Schema)"))
        params_head.addStretch(1)
        params_head.addWidget(self.format_button)

        self.mode_combo = QComboBox()
        for kind, label in _MODE_LABELS:
            self.mode_combo.addItem(label, kind.value)
        self.mode_pages = QStackedWidget()
        self.mode_pages.addWidget(QLabel("A prompt shows the arguments and you type the output."))
        self.canned_edit = JsonEditor()
        self.canned_edit.setPlaceholderText('{"temperature": 21, "unit": "celsius"}')
        self.canned_edit.setMaximumHeight(90)
        # Wrapped so the page's size hint honours that maximum (a bare widget's does not).
        canned_page = QWidget()
        canned_layout = QVBoxLayout(canned_page)
        canned_layout.setContentsMargins(0, 0, 0, 0)
        canned_layout.addWidget(self.canned_edit)
        self.mode_pages.addWidget(canned_page)
        python_page = QWidget()
        python_form = QFormLayout(python_page)
        python_form.setContentsMargins(0, 0, 0, 0)
        self.python_path_edit = QLineEdit()
        self.python_path_edit.setPlaceholderText("/path/to/tools.py")
        self.browse_button = QPushButton("Browse…")
        path_row = QHBoxLayout()
        path_row.addWidget(self.python_path_edit, 1)
        path_row.addWidget(self.browse_button)
        self.callable_edit = QLineEdit()
        self.callable_edit.setPlaceholderText("get_weather")
        self.timeout_spin = QDoubleSpinBox()
        self.timeout_spin.setRange(0.5, MAX_TIMEOUT_S)
        self.timeout_spin.setSuffix(" s")
        python_form.addRow("File", path_row)
        python_form.addRow("Function", self.callable_edit)
        python_form.addRow("Timeout", self.timeout_spin)
        self.mode_pages.addWidget(python_page)
        self.mode_problems_label = plain_label()
        self.mode_problems_label.setWordWrap(True)
        self.mode_problems_label.setStyleSheet("color: #b42318;")
        mode_box = QGroupBox("When a run calls this function")
        mode_layout = QVBoxLayout(mode_box)
        mode_layout.addWidget(self.mode_combo)
        mode_layout.addWidget(self.mode_pages)
        mode_layout.addWidget(self.mode_problems_label)
        # The schema gets the spare height; the mode box takes only what it needs.
        mode_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.mode_pages.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addStretch(1)
        top.addWidget(self.template_button)
        layout.addLayout(top)
        layout.addLayout(form)
        layout.addLayout(params_head)
        layout.addWidget(self.parameters_edit, 1)
        layout.addWidget(self.problems_label)
        layout.addWidget(mode_box)
        layout.addWidget(self.buttons)

        self._filling = False
        self._fill_fields()
        self._fill_mode(vm.mode)
        self._connect_signals()
        self.on_vm_check_changed(vm.check)

    def _connect_signals(self) -> None:
        vm = self.vm
        vm.check_changed.connect(self.on_vm_check_changed)
        vm.loaded.connect(self.on_vm_loaded)
        self.template_menu.triggered.connect(lambda action: vm.apply_template(action.data()))
        self.name_edit.textEdited.connect(vm.set_name)
        self.description_edit.textEdited.connect(vm.set_description)
        self.strict_box.toggled.connect(self.on_strict_toggled)
        self.parameters_edit.edited.connect(vm.set_parameters)
        self.format_button.clicked.connect(vm.format_parameters)
        self.mode_combo.currentIndexChanged.connect(self.on_mode_edited)
        self.canned_edit.edited.connect(self.on_mode_edited)
        self.python_path_edit.textEdited.connect(self.on_mode_edited)
        self.callable_edit.textEdited.connect(self.on_mode_edited)
        self.timeout_spin.valueChanged.connect(self.on_mode_edited)
        self.browse_button.clicked.connect(self.on_browse_clicked)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    # -- filling ---------------------------------------------------------------------------

    def _fill_fields(self) -> None:
        self._filling = True
        try:
            self.name_edit.setText(self.vm.name)
            self.description_edit.setText(self.vm.description)
            self.strict_box.setChecked(self.vm.strict)
            self.parameters_edit.set_text(self.vm.parameters)
        finally:
            self._filling = False

    def _fill_mode(self, mode: FunctionMode) -> None:
        self._filling = True
        try:
            self.mode_combo.setCurrentIndex(self.mode_combo.findData(mode.kind.value))
            self._show_mode_page(self.mode_combo.currentIndex())
            self.canned_edit.set_text(mode.canned_output)
            self.python_path_edit.setText(mode.python_path)
            self.callable_edit.setText(mode.callable_name or self.vm.name)
            self.timeout_spin.setValue(mode.timeout_s)
        finally:
            self._filling = False
        self._show_mode_problems(mode)

    def _show_mode_page(self, index: int) -> None:
        # A stacked widget is as tall as its tallest page; ignoring the hidden pages' sizes
        # lets the box fit the page on show and leaves the height to the schema.
        for i in range(self.mode_pages.count()):
            page = self.mode_pages.widget(i)
            policy = QSizePolicy.Policy.Preferred if i == index else QSizePolicy.Policy.Ignored
            if page is not None:
                page.setSizePolicy(policy, policy)
        self.mode_pages.setCurrentIndex(index)
        self.mode_pages.adjustSize()

    def _mode_from_fields(self) -> FunctionMode:
        return FunctionMode(
            kind=FunctionModeKind(self.mode_combo.currentData()),
            canned_output=self.canned_edit.text(),
            python_path=self.python_path_edit.text().strip(),
            callable_name=self.callable_edit.text().strip(),
            timeout_s=self.timeout_spin.value(),
        )

    def _show_mode_problems(self, mode: FunctionMode) -> None:
        problems = mode.problems()
        if mode.kind is FunctionModeKind.CANNED and not mode.canned_output.strip():
            problems.append("Enter the output to send.")
        self.mode_problems_label.setText(" ".join(problems))
        self.mode_problems_label.setVisible(bool(problems))
        self._update_save()

    def _update_save(self) -> None:
        mode_ok = not self.mode_problems_label.text()
        self.save_button.setEnabled(self.vm.check.ok and mode_ok)

    # -- slots -----------------------------------------------------------------------------

    def on_vm_check_changed(self, check: FunctionCheck) -> None:
        if check.ok:
            self.problems_label.setStyleSheet("color: #067647;")
            self.problems_label.setText("✓ The function is valid.")
        else:
            self.problems_label.setStyleSheet("color: #b42318;")
            self.problems_label.setText("\n".join(f"• {p.message}" for p in check.problems))
        error_line = next((p.line for p in check.problems if p.line), None)
        self.parameters_edit.mark_error_line(error_line)
        self._update_save()

    def on_vm_loaded(self) -> None:
        self._fill_fields()
        if not self.callable_edit.text().strip():
            self.callable_edit.setText(self.vm.name)

    def on_strict_toggled(self, checked: bool) -> None:
        if not self._filling:
            self.vm.set_strict(checked)

    def on_mode_edited(self, *_: object) -> None:
        if self._filling:
            return
        self._show_mode_page(self.mode_combo.currentIndex())
        mode = self._mode_from_fields()
        self.vm.set_mode(mode)
        self._show_mode_problems(mode)

    def on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose the Python file", "", "Python files (*.py)"
        )
        if path:
            self.python_path_edit.setText(path)
            self.on_mode_edited()

    def accept(self) -> None:
        # The button is disabled while invalid; Enter in a field must not get around that.
        if not self.save_button.isEnabled():
            return
        super().accept()
