"""What the chat shows of a thread's outputs: inline thumbnails, file links, their state.

The chat's messages name files by id (``image_file`` parts, ``file_path`` annotations). This
object connects them to the one ``OutputsViewModel`` the inspector and gallery use, so a
file is fetched once whichever pane asks, and every pane offers the same View / Save As /
"open containing folder" flow (``OutputActions``). The message view asks it, while
rendering, for a file's state and for the decoded thumbnails it may show; clicks on the
chat's ``playground:`` links come back here.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QImage

from playground.ui.viewmodels.chat import ChatViewModel
from playground.ui.viewmodels.chat_items import ChatItem
from playground.ui.viewmodels.output_refs import OutputRef
from playground.ui.viewmodels.outputs import OutputItem, OutputsViewModel
from playground.ui.widgets.gallery import OutputActions, open_containing_folder


def referenced_files(items: list[ChatItem]) -> list[OutputRef]:
    """The images and ``file_path`` files the chat's messages refer to, in order."""
    refs: list[OutputRef] = []
    for item in items:
        origin = f"message {item.key}"
        for file_id in item.images:
            refs.append(OutputRef(file_id, "image", f"{file_id}.png", origin))
        for note in item.footnotes:
            if note.kind == "file" and note.target:
                refs.append(OutputRef(note.target, "file", note.name or note.target, origin))
    return refs


class ChatOutputs(QObject):
    """The chat's view of outputs.

    ``file_changed(str)``: the state of one file the chat shows changed (a thumbnail arrived,
    progress, saved), so the view updates only the messages naming it; ``changed()``:
    anything else (another thread's outputs, cited file names).
    """

    changed = Signal()
    file_changed = Signal(str)

    def __init__(
        self,
        chat: ChatViewModel,
        outputs: OutputsViewModel,
        actions: OutputActions,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.chat = chat
        self.outputs = outputs
        self.actions = actions
        self._saved: dict[str, str] = {}
        self._shown: set[str] = set()
        self._connect_signals()
        self.on_chat_items_changed()

    def _connect_signals(self) -> None:
        self.chat.messages_changed.connect(self.on_chat_items_changed)
        self.chat.item_updated.connect(self.on_chat_item_updated)
        self.chat.file_names_changed.connect(self.changed)
        self.outputs.outputs_reset.connect(self.on_outputs_reset)
        self.outputs.output_added.connect(self.on_outputs_output_changed)
        self.outputs.output_changed.connect(self.on_outputs_output_changed)
        self.outputs.saved.connect(self.on_outputs_saved)

    # -- what the message view asks while rendering -----------------------------------------

    def item(self, file_id: str) -> OutputItem | None:
        return self.outputs.item(file_id)

    def saved_path(self, file_id: str) -> str | None:
        return self._saved.get(file_id)

    def file_name(self, file_id: str) -> str | None:
        """A cited file's name (looked up by the chat), or an output's name once known."""
        name = self.chat.file_name(file_id)
        if name:
            return name
        item = self.outputs.item(file_id)
        return item.name if item is not None else None

    def thumbnails(self) -> dict[str, QImage]:
        """Decoded thumbnails of the chat's images, keyed by file id (the only images shown)."""
        out: dict[str, QImage] = {}
        for file_id in self._shown:
            item = self.outputs.item(file_id)
            if item is not None and item.thumbnail is not None:
                out[file_id] = item.thumbnail
        return out

    # -- clicks ----------------------------------------------------------------------------

    def handle_link(self, url: QUrl) -> bool:
        """A ``playground:`` link of the chat was clicked; True when it was ours."""
        kind, _, raw = url.path().partition("/")
        file_id = unquote(raw)
        if not file_id:
            return False
        if kind == "image":
            self.actions.view_image(file_id)
        elif kind == "file":
            self._note(referenced_files(self.chat.items))
            # Fetches with progress when needed (the link shows it), then asks where to save.
            self.actions.save_as(file_id)
        elif kind == "folder":
            path = self._saved.get(file_id)
            if path:
                open_containing_folder(Path(path))
        else:
            return False
        return True

    # -- slots -----------------------------------------------------------------------------

    def on_chat_items_changed(self, *_: object) -> None:
        self._note(referenced_files(self.chat.items))

    def on_chat_item_updated(self, index: int) -> None:
        # A streaming delta: only that message can have new references (not the whole list).
        if 0 <= index < self.chat.item_count:
            self._note(referenced_files([self.chat.item_at(index)]))

    def on_outputs_reset(self) -> None:
        # Another thread: what we knew was saved belongs to the old one.
        self._saved.clear()
        self._shown.clear()
        self._note(referenced_files(self.chat.items))
        self.changed.emit()

    def on_outputs_output_changed(self, file_id: str) -> None:
        if file_id in self._shown:
            self.file_changed.emit(file_id)

    def on_outputs_saved(self, file_id: str, path: str) -> None:
        self._saved[file_id] = path
        if file_id in self._shown:
            self.file_changed.emit(file_id)

    def thumbnail(self, file_id: str) -> QImage | None:
        """The decoded thumbnail of one image the chat shows, once there is one."""
        item = self.outputs.item(file_id) if file_id in self._shown else None
        return item.thumbnail if item is not None else None

    def _note(self, refs: list[OutputRef]) -> None:
        """Register what the chat shows; images start fetching for their thumbnails."""
        if self.outputs.thread_id is None and self.chat.thread_id is not None:
            # No inspector follows the chat: keep the outputs on the chat's thread ourselves.
            self.outputs.set_thread(self.chat.thread_id)
        for ref in refs:
            self._shown.add(ref.file_id)
            self.outputs.add_reference(ref)
