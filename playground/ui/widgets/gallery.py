"""The outputs gallery of a thread, and the actions on an output (view, Save As, open folder).

``OutputActions`` is shared by the gallery, the step details and (through ``download``) the
chat's ``file_path`` links, so every place offers the same Save As flow: a file dialog that
starts with the sanitised server name and asks before replacing an existing file, then a
notice with "Open containing folder".
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices, QFont, QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from playground.ui.plain import neutral, plain_label, tip
from playground.ui.viewmodels.outputs import (
    THUMBNAIL_SIZE,
    OutputItem,
    OutputStatus,
    OutputsViewModel,
)
from playground.ui.widgets.image_viewer import ImageViewerDialog

FILE_ID_ROLE = Qt.ItemDataRole.UserRole

#: (parent, suggested path) -> chosen path or None. Replaced in tests (no modal dialogs).
SavePathPrompt = Callable[[QWidget | None, Path], Path | None]


def ask_save_path(parent: QWidget | None, suggested: Path) -> Path | None:
    """The platform Save dialog; it asks itself before replacing an existing file."""
    chosen, _ = QFileDialog.getSaveFileName(parent, "Save As", str(suggested))
    return Path(chosen) if chosen else None


def open_containing_folder(path: Path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))


@cache
def placeholder_icon(kind: str, text: str) -> QIcon:
    """Drawn thumbnails: a file, a pending image, or an error ("!")."""
    size = THUMBNAIL_SIZE
    pixmap = QPixmap(QSize(size, size))
    pixmap.fill(QColor("#f1f3f4"))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if kind == "error":
        painter.setBrush(QColor("#fce8e6"))
        painter.setPen(QColor("#d93025"))
        painter.drawRoundedRect(4, 4, size - 8, size - 8, 8, 8)
        font = QFont()
        font.setPointSize(36)
        font.setBold(True)
        painter.setFont(font)
        painter.drawText(0, 0, size, size * 2 // 3, Qt.AlignmentFlag.AlignCenter, "!")
        small = QFont()
        small.setPointSize(10)
        painter.setFont(small)
        painter.drawText(8, size * 2 // 3, size - 16, size // 4, Qt.AlignmentFlag.AlignCenter, text)
    else:
        painter.setPen(QColor("#5f6368"))
        painter.setBrush(QColor("white"))
        page = (size // 4, size // 10, size // 2, size * 2 // 3)
        painter.drawRect(*page)
        painter.drawLine(size // 4 + 8, size // 10 + 24, size * 3 // 4 - 8, size // 10 + 24)
        small = QFont()
        small.setPointSize(10)
        small.setBold(True)
        painter.setFont(small)
        painter.setPen(QColor("#3c4043"))
        painter.drawText(*page, Qt.AlignmentFlag.AlignCenter.value, text)
    painter.end()
    return QIcon(pixmap)


def icon_for(item: OutputItem) -> QIcon:
    if item.thumbnail is not None:
        return QIcon(QPixmap.fromImage(item.thumbnail))
    if item.status is OutputStatus.EXPIRED:
        return placeholder_icon("error", "expired")
    if item.error:
        return placeholder_icon("error", "cannot show")
    if item.kind == "image":
        return placeholder_icon("file", "loading…" if item.status is not OutputStatus.NEW else "")
    suffix = item.name.rsplit(".", 1)[-1].upper() if "." in item.name else "FILE"
    return placeholder_icon("file", suffix[:8])


def caption_for(item: OutputItem) -> str:
    status = {
        OutputStatus.FETCHING: f"downloading {item.progress_text}",
        OutputStatus.EXPIRED: "expired",
        OutputStatus.LARGE: f"{(item.total_bytes or 0) / 2**20:.0f} MB, open to download",
    }.get(item.status, "")
    if item.error and item.status is not OutputStatus.EXPIRED:
        status = "cannot show"
    name = neutral(item.name)  # a bidi override must not disguise the extension
    return f"{name}\n{status}" if status else name


class OutputActions(QObject):
    """View / Save As / open-folder for outputs; ``notice(str)`` says what happened."""

    notice = Signal(str)
    viewer_opened = Signal(object)  # the ImageViewerDialog

    def __init__(
        self,
        vm: OutputsViewModel,
        parent_widget: QWidget | None = None,
        *,
        prompt: SavePathPrompt = ask_save_path,
    ) -> None:
        super().__init__(parent_widget)
        self.vm = vm
        self.parent_widget = parent_widget
        self.prompt = prompt
        self.save_folder = Path.home()
        vm.download_finished.connect(self.on_vm_download_finished)
        vm.saved.connect(self.on_vm_saved)

    def activate(self, file_id: str) -> None:
        """Double-click: open images, download-then-save files."""
        item = self.vm.item(file_id)
        if item is None:
            return
        if item.status is OutputStatus.LARGE:
            self.vm.fetch(file_id, allow_large=True)  # the person asked for it
        elif item.kind == "image" and item.thumbnail is not None:
            self.view_image(file_id)
        elif item.kind == "image" and item.error:
            self.notice.emit(f"{item.name}: {item.error}")
        else:
            self.save_as(file_id)

    def view_image(self, file_id: str) -> None:
        self.vm.session.runner.start(
            f"outputs.view.{file_id}", self._open_viewer(file_id), label="Opening the image"
        )

    def save_as(self, file_id: str) -> None:
        """Fetch when needed, then ask where to save."""
        item = self.vm.item(file_id)
        if item is not None and item.status is OutputStatus.READY:
            self._ask_and_save(file_id)
        else:
            self.vm.download(file_id)

    def on_vm_download_finished(self, file_id: str) -> None:
        # Downloads only ever start from a click (a link, the gallery, Save As), so a
        # finished one always continues to the Save dialog.
        self._ask_and_save(file_id)

    def on_vm_saved(self, _file_id: str, path: str) -> None:
        self.save_folder = Path(path).parent
        self.notice.emit(f"Saved {path}")

    def open_last_folder(self) -> bool:
        if self.vm.last_saved_path is None:
            return False
        return open_containing_folder(self.vm.last_saved_path)

    async def _open_viewer(self, file_id: str) -> None:
        try:
            image: QImage = await self.vm.load_full_image(file_id)
        except Exception as exc:  # refused bombs and broken files: words, not a crash
            self.notice.emit(str(exc))
            self.vm.session.bridge.post_error("Cannot open the image", str(exc))
            return
        item = self.vm.item(file_id)
        dialog = ImageViewerDialog(
            image, file_id, item.name if item else file_id, self.parent_widget
        )
        dialog.save_requested.connect(self.save_as)
        dialog.show()
        self.viewer_opened.emit(dialog)

    def _ask_and_save(self, file_id: str) -> None:
        suggested = self.save_folder / self.vm.suggested_name(file_id)
        chosen = self.prompt(self.parent_widget, suggested)
        if chosen is None:
            return
        # The dialog asked before replacing; a path typed without a dialog never overwrites.
        overwrite = self.prompt is ask_save_path and chosen.exists()
        self.vm.save_as(file_id, chosen, overwrite=overwrite)


class GalleryView(QWidget):
    """Every image and file of the current thread as thumbnails."""

    def __init__(
        self, vm: OutputsViewModel, actions: OutputActions, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.vm = vm
        self.output_actions = actions
        self.list = QListWidget(self)
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(QSize(THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        self.list.setGridSize(QSize(THUMBNAIL_SIZE + 24, THUMBNAIL_SIZE + 44))
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setWordWrap(True)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.empty_label = QLabel("Images and files this thread produces appear here.", self)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status_label = plain_label(parent=self)
        self.status_label.setWordWrap(True)
        self.open_folder_button = QPushButton("Open containing folder", self)
        self.open_folder_button.setVisible(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(self.open_folder_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.list, 1)
        layout.addLayout(bottom)
        self._items: dict[str, QListWidgetItem] = {}
        self._connect_signals()
        self.rebuild()

    def _connect_signals(self) -> None:
        self.vm.outputs_reset.connect(self.rebuild)
        self.vm.output_added.connect(self.on_vm_output_changed)
        self.vm.output_changed.connect(self.on_vm_output_changed)
        self.vm.saved.connect(self.on_vm_saved)
        self.output_actions.notice.connect(self.status_label.setText)
        self.list.itemActivated.connect(self.on_list_item_activated)
        self.list.customContextMenuRequested.connect(self.on_list_context_menu)
        self.open_folder_button.clicked.connect(self.output_actions.open_last_folder)

    def list_item(self, file_id: str) -> QListWidgetItem | None:
        return self._items.get(file_id)

    def rebuild(self) -> None:
        self.list.clear()
        self._items.clear()
        for item in self.vm.items():
            self.on_vm_output_changed(item.file_id)
        self._update_empty()

    def on_vm_output_changed(self, file_id: str) -> None:
        item = self.vm.item(file_id)
        if item is None:
            return
        widget_item = self._items.get(file_id)
        if widget_item is None:
            widget_item = QListWidgetItem()
            widget_item.setData(FILE_ID_ROLE, file_id)
            self.list.addItem(widget_item)
            self._items[file_id] = widget_item
        widget_item.setIcon(icon_for(item))
        widget_item.setText(caption_for(item))
        text = f"{item.name}\nfrom {item.origin}"
        if item.error:
            text += f"\n{item.error}"
        widget_item.setToolTip(tip(text))
        self._update_empty()

    def on_vm_saved(self, _file_id: str, _path: str) -> None:
        self.open_folder_button.setVisible(True)

    def on_list_item_activated(self, widget_item: QListWidgetItem) -> None:
        file_id = widget_item.data(FILE_ID_ROLE)
        if isinstance(file_id, str):
            self.output_actions.activate(file_id)

    def on_list_context_menu(self, position: object) -> None:
        widget_item = self.list.itemAt(position)  # type: ignore[call-overload]
        if widget_item is None:
            return
        file_id = widget_item.data(FILE_ID_ROLE)
        menu = QMenu(self)
        menu.addAction("Open", lambda: self.output_actions.activate(file_id))
        menu.addAction("Save As…", lambda: self.output_actions.save_as(file_id))
        folder = menu.addAction("Open containing folder", self.output_actions.open_last_folder)
        folder.setEnabled(self.vm.last_saved_path is not None)
        menu.exec(self.list.viewport().mapToGlobal(position))  # type: ignore[call-overload]

    def _update_empty(self) -> None:
        empty = not self._items
        self.empty_label.setVisible(empty)
        self.list.setVisible(not empty)
