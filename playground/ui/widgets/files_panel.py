"""Files of the assistant: upload (button or drag & drop) with progress and cancel, the list
of attached files by tool, Remove, and Test search (what file search finds in them, in a
non-modal :class:`SearchDialog` with its own view model, made by the files view model)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from playground.ui.dialogs.search_dialog import SearchDialog
from playground.ui.plain import plain_label, tip
from playground.ui.viewmodels.files import (
    SEARCH_TEST_TIP,
    UPLOAD_EXTENSIONS,
    AttachedFile,
    FilesViewModel,
    Target,
)

_TARGET_TEXT = {Target.CODE_INTERPRETER: "Code interpreter", Target.FILE_SEARCH: "File search"}


def _size_text(size: int | None) -> str:
    if size is None:
        return ""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


class FilesPanel(QWidget):
    def __init__(self, vm: FilesViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.setAcceptDrops(True)
        self.target_combo = QComboBox()
        for target, text in _TARGET_TEXT.items():
            self.target_combo.addItem(text, target.value)
        self.upload_button = QPushButton("Upload…")
        self.remove_button = QPushButton("Remove")
        self.search_button = QPushButton("Test search…")
        self.search_dialog: SearchDialog | None = None
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["File", "Tool", "Size", "Status"])
        self.tree.setRootIsDecorated(False)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel")
        self.progress_label = plain_label()
        self.hint = QLabel(
            "Drop files here, or Upload. Removing detaches a file from the assistant."
        )
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #667085;")

        head = QHBoxLayout()
        head.addWidget(QLabel("Attach to"))
        head.addWidget(self.target_combo, 1)
        head.addWidget(self.upload_button)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        self.progress_box = QWidget()
        progress_layout = QVBoxLayout(self.progress_box)
        progress_layout.setContentsMargins(0, 0, 0, 0)
        progress_layout.addWidget(self.progress_label)
        progress_layout.addLayout(progress_row)
        foot = QHBoxLayout()
        foot.addWidget(self.hint, 1)
        foot.addWidget(self.search_button)
        foot.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.progress_box)
        layout.addWidget(self.tree, 1)
        layout.addLayout(foot)
        self.progress_box.hide()
        self._connect_signals()
        self.on_vm_files_changed()
        self.on_vm_search_changed()

    def _connect_signals(self) -> None:
        vm = self.vm
        vm.files_changed.connect(self.on_vm_files_changed)
        vm.uploading_changed.connect(self.on_vm_uploading_changed)
        vm.upload_progress.connect(self.on_vm_upload_progress)
        vm.search_changed.connect(self.on_vm_search_changed)
        self.search_button.clicked.connect(self.on_search_clicked)
        self.upload_button.clicked.connect(self.on_upload_clicked)
        self.cancel_button.clicked.connect(vm.cancel_upload)
        self.remove_button.clicked.connect(self.on_remove_clicked)
        self.tree.currentItemChanged.connect(self._update_buttons)

    @property
    def target(self) -> Target:
        return Target(self.target_combo.currentData())

    def upload_paths(self, paths: list[Path]) -> None:
        """Upload each path to the chosen tool (one after another: one progress bar)."""
        for path in paths:
            self.vm.upload(path, self.target)

    # -- drag & drop -----------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._local_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = self._local_paths(event)
        if paths:
            event.acceptProposedAction()
            self.upload_paths(paths)

    @staticmethod
    def _local_paths(event: QDragEnterEvent | QDropEvent) -> list[Path]:
        data = event.mimeData()
        if not data.hasUrls():
            return []
        return [Path(url.toLocalFile()) for url in data.urls() if url.isLocalFile()]

    # -- slots -----------------------------------------------------------------------------

    def on_upload_clicked(self) -> None:
        patterns = " ".join(f"*.{ext}" for ext in sorted(UPLOAD_EXTENSIONS))
        names, _ = QFileDialog.getOpenFileNames(
            self, "Upload files", "", f"Supported files ({patterns})"
        )
        self.upload_paths([Path(n) for n in names])

    def on_remove_clicked(self) -> None:
        item = self.tree.currentItem()
        if item is not None:
            self.vm.remove(item.data(0, Qt.ItemDataRole.UserRole))

    def on_search_clicked(self) -> None:
        """Show the search dialog for the assistant's store and put the cursor in it."""
        dialog = self._dialog_for_store()
        if dialog is None:
            return
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        dialog.query_edit.setFocus()

    def on_vm_search_changed(self) -> None:
        blocker = self.vm.search_blocker
        self.search_button.setEnabled(not blocker)
        self.search_button.setToolTip(blocker or SEARCH_TEST_TIP)
        dialog = self.search_dialog
        if dialog is None or not dialog.isVisible():
            return
        if dialog.vm.store_id == self.vm.search_store_id:
            return
        # Another assistant (or store) is chosen: an open dialog searching the old store
        # would answer for the wrong assistant. It follows, with the query kept, without
        # taking the focus from the window the person is working in; with no store to
        # search it closes.
        followed = self._dialog_for_store()
        if followed is not None:
            followed.show()

    def _dialog_for_store(self) -> SearchDialog | None:
        """The dialog for the current store: the existing one when it searches that store,
        else a new one that starts with the query typed in the old one (which closes)."""
        store_id = self.vm.search_store_id
        old = self.search_dialog
        if old is not None and old.vm.store_id == store_id:
            return old
        if old is not None:
            old.close()
            old.deleteLater()
            self.search_dialog = None
        search_vm = self.vm.make_search_test(old.vm.query if old is not None else "")
        if search_vm is None:
            return None
        self.search_dialog = SearchDialog(search_vm, self)
        return self.search_dialog

    def on_vm_files_changed(self) -> None:
        self.tree.clear()
        for attached in self.vm.files:
            row = QTreeWidgetItem(
                [
                    attached.filename or attached.file_id,
                    _TARGET_TEXT[attached.target] if self.vm.api_family != "v1" else "Assistant",
                    _size_text(attached.size),
                    attached.status,
                ]
            )
            row.setToolTip(0, tip(attached.file_id))
            row.setData(0, Qt.ItemDataRole.UserRole, attached)
            self.tree.addTopLevelItem(row)
        self.target_combo.setVisible(self.vm.api_family != "v1")
        self._update_buttons()

    def on_vm_uploading_changed(self, uploading: bool) -> None:
        self.progress_box.setVisible(uploading)
        self.upload_button.setEnabled(not uploading)
        if uploading:
            self.progress_label.setText(f"Uploading {self.vm.upload_name}…")
            self.progress.setRange(0, 0)

    def on_vm_upload_progress(self, done: int, total: int) -> None:
        if total > 0:
            # Percent keeps the bar within int range for any file size.
            self.progress.setRange(0, 100)
            self.progress.setValue(int(done * 100 / total))
        else:
            self.progress.setRange(0, 0)

    def _update_buttons(self, *_: object) -> None:
        item = self.tree.currentItem()
        self.remove_button.setEnabled(
            item is not None and isinstance(item.data(0, Qt.ItemDataRole.UserRole), AttachedFile)
        )
