"""The left pane: the assistant list on top, the editor below (General / Tools / Files), and
a footer with the unsaved-changes state, Revert and Save."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.ui.plain import plain_label
from playground.ui.viewmodels.assistant_io import ImportResult
from playground.ui.viewmodels.assistants import AssistantsViewModel
from playground.ui.viewmodels.functions import Problem
from playground.ui.widgets.assistant_form import AssistantForm
from playground.ui.widgets.assistant_list import AssistantList, Confirm, ask_yes_no
from playground.ui.widgets.files_panel import FilesPanel


def _scroll(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    # The pane is narrow: fields shrink to fit rather than hide behind a sideways scroll.
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area


class AssistantPane(QWidget):
    """Takes the :class:`AssistantsViewModel`; ``confirm`` asks yes/no questions (tests pass
    their own so no modal box blocks them)."""

    def __init__(
        self,
        vm: AssistantsViewModel,
        parent: QWidget | None = None,
        *,
        confirm: Confirm = ask_yes_no,
    ) -> None:
        super().__init__(parent)
        self.vm = vm
        self.confirm = confirm
        self.setObjectName("assistantPane")

        title = QLabel("Assistants")
        title.setStyleSheet("font-weight: 600; font-size: 14px;")
        self.new_button = QPushButton("New")
        self.duplicate_button = QPushButton("Duplicate")
        self.delete_button = QPushButton("Delete")
        self.more_button = QToolButton()
        self.more_button.setText("More")
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        more = QMenu(self.more_button)
        self.refresh_action = more.addAction("Refresh list")
        self.import_action = more.addAction("Import definition…")
        self.export_action = more.addAction("Export definition…")
        self.more_button.setMenu(more)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        for button in (self.new_button, self.duplicate_button, self.delete_button):
            head.addWidget(button)
        head.addWidget(self.more_button)

        self.list = AssistantList(vm, confirm=confirm)
        self.form = AssistantForm(vm)
        self.files_panel = FilesPanel(vm.files)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(_scroll(self.form.general), "General")
        self.tabs.addTab(_scroll(self.form.tools), "Tools")
        self.tabs.addTab(self.files_panel, "Files")
        self.editor_title = plain_label()
        self.editor_title.setStyleSheet("font-weight: 600;")
        editor_box = QWidget()
        editor_layout = QVBoxLayout(editor_box)
        editor_layout.setContentsMargins(0, 4, 0, 0)
        editor_layout.addWidget(self.editor_title)
        editor_layout.addWidget(self.tabs, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.list)
        self.splitter.addWidget(editor_box)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setChildrenCollapsible(False)

        self.status_label = plain_label()
        self.status_label.setWordWrap(True)
        self.problems_label = plain_label()
        self.problems_label.setWordWrap(True)
        self.problems_label.setStyleSheet("color: #b42318;")
        self.revert_button = QPushButton("Revert")
        self.save_button = QPushButton("Save")
        self.save_button.setDefault(True)
        foot = QHBoxLayout()
        foot.addWidget(self.status_label, 1)
        foot.addWidget(self.revert_button)
        foot.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(head)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.problems_label)
        layout.addLayout(foot)

        self._refused = ""
        self._connect_signals()
        self._update_state()
        self.splitter.setSizes([150, 600])

    def _connect_signals(self) -> None:
        vm, editor = self.vm, self.vm.editor
        self.new_button.clicked.connect(self.on_new_clicked)
        self.duplicate_button.clicked.connect(vm.duplicate)
        self.delete_button.clicked.connect(self.on_delete_clicked)
        self.save_button.clicked.connect(vm.save)
        self.revert_button.clicked.connect(vm.revert)
        self.refresh_action.triggered.connect(vm.refresh)
        self.import_action.triggered.connect(self.on_import_triggered)
        self.export_action.triggered.connect(self.on_export_triggered)
        editor.dirty_changed.connect(self._update_state)
        editor.loaded.connect(self.on_editor_loaded)
        editor.saving_changed.connect(self._update_state)
        editor.problems_changed.connect(self._update_state)
        editor.save_refused.connect(self.on_editor_save_refused)
        editor.saved.connect(self.on_editor_saved)
        vm.selected_changed.connect(self._update_state)
        vm.session.client_changed.connect(self._update_state)
        vm.imported.connect(self.on_vm_imported)

    # -- slots -----------------------------------------------------------------------------

    def on_new_clicked(self) -> None:
        if self._may_discard():
            self.vm.new_assistant()

    def on_delete_clicked(self) -> None:
        selected = self.vm.selected
        if selected is None:
            return
        label = selected.name or selected.id
        if self.confirm(
            self,
            "Delete assistant",
            f"Delete “{label}” from the server? Threads that used it keep their messages, "
            "but it cannot be run again.",
        ):
            self.vm.delete(selected.id)

    def on_import_triggered(self) -> None:
        if not self._may_discard():
            return
        name, _ = QFileDialog.getOpenFileName(
            self, "Import assistant definition", "", "JSON files (*.json)"
        )
        if name:
            self.vm.import_from(Path(name))

    def on_export_triggered(self) -> None:
        suggested = (self.vm.editor.draft.name or "assistant").replace("/", "_") + ".json"
        name, _ = QFileDialog.getSaveFileName(
            self, "Export assistant definition", suggested, "JSON files (*.json)"
        )
        if name:
            self.vm.export_to(Path(name))

    def on_editor_loaded(self) -> None:
        self._refused = ""
        self._update_state()

    def on_editor_save_refused(self, reason: str) -> None:
        self._refused = reason
        self._update_state()

    def on_editor_saved(self, _: object) -> None:
        self._refused = ""
        self.status_label.setText("Saved.")

    def on_vm_imported(self, result: ImportResult) -> None:
        if result.draft is None:
            self._refused = "Import failed: " + " ".join(result.problems)
        self._update_state()

    # -- internals -------------------------------------------------------------------------

    def _may_discard(self) -> bool:
        return not self.vm.editor.is_dirty or self.confirm(
            self, "Unsaved changes", "Discard the unsaved changes to this assistant?"
        )

    def _update_state(self, *_: object) -> None:
        vm, editor = self.vm, self.vm.editor
        connected = vm.is_connected
        saved_id = editor.assistant_id
        dirty = editor.is_dirty
        name = editor.draft.name or "(unnamed)"
        self.editor_title.setText(f"{name} — {saved_id}" if saved_id else f"New assistant: {name}")
        self.save_button.setEnabled(connected and dirty and not editor.is_saving)
        self.revert_button.setEnabled(dirty and not editor.is_saving)
        self.duplicate_button.setEnabled(connected)
        self.delete_button.setEnabled(connected and vm.selected_id is not None)
        self.new_button.setEnabled(connected)
        if editor.is_saving:
            self.status_label.setText("Saving…")
            self.status_label.setStyleSheet("color: #475467;")
        elif dirty:
            self.status_label.setText("● Unsaved changes")
            self.status_label.setStyleSheet("color: #b54708; font-weight: 600;")
        else:
            self.status_label.setText("No unsaved changes" if saved_id else "")
            self.status_label.setStyleSheet("color: #475467;")
        problems: list[Problem] = editor.problems
        lines = [f"• {p.message}" for p in problems] if dirty else []
        if self._refused:
            lines.insert(0, self._refused)
        self.problems_label.setText("\n".join(lines))
        self.problems_label.setVisible(bool(lines))
