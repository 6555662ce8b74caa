"""The composer's attachment chips: one per file, with its name, its tools and a remove button.

The chips show an :class:`AttachmentsViewModel` and forward choices to it; they rebuild when
it says ``changed`` (a handful of files, so rebuilding is simpler than diffing).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from playground.ui.viewmodels.attachments import (
    Attachment,
    AttachmentsViewModel,
    choice_label,
)

_ROWS_IN_SIGHT = 3
_CHIP_STYLE = (
    "#attachmentChip { background: #eef2f7; border: 1px solid #c9d3df; border-radius: 10px; }"
)


class AttachmentChip(QFrame):
    """One file: its name, where it goes (a combo), and ✕ to remove it."""

    def __init__(self, vm: AttachmentsViewModel, index: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachmentChip")
        self.setStyleSheet(_CHIP_STYLE)
        self._vm = vm
        self._index = index
        item: Attachment = vm.items[index]
        self.name_label = QLabel(item.name)
        self.name_label.setTextFormat(Qt.TextFormat.PlainText)
        self.name_label.setToolTip(item.path)
        self.tools = QComboBox()
        self.tools.setAccessibleName(f"Tools for {item.name}")
        self.tools.setToolTip("Which tool of the assistant gets this file")
        self._choices = vm.choices(index)
        for choice in self._choices:
            self.tools.addItem(choice_label(choice, image=item.image))
        self.tools.setCurrentIndex(self._choices.index(item.tools))
        self.remove_button = QToolButton()
        self.remove_button.setText("✕")
        self.remove_button.setAutoRaise(True)
        self.remove_button.setToolTip(f"Remove {item.name}")
        self.remove_button.setAccessibleName(f"Remove {item.name}")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 2, 2)
        layout.setSpacing(4)
        layout.addWidget(self.name_label, 1)
        layout.addWidget(self.tools)
        layout.addWidget(self.remove_button)
        self.tools.currentIndexChanged.connect(self.on_tools_changed)
        self.remove_button.clicked.connect(self.on_remove_clicked)

    def on_tools_changed(self, row: int) -> None:
        if 0 <= row < len(self._choices):
            self._vm.set_tools(self._index, self._choices[row])

    def on_remove_clicked(self) -> None:
        self._vm.remove(self._index)


class AttachmentChips(QWidget):
    """A scrolling row of chips plus a plain note about images; hidden when empty."""

    def __init__(self, vm: AttachmentsViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vm = vm
        self.chips: list[AttachmentChip] = []
        # One chip per row: the chat pane is narrow, and a row of chips would scroll sideways.
        self._column = QWidget()
        self._column_layout = QVBoxLayout(self._column)
        self._column_layout.setContentsMargins(0, 0, 0, 0)
        self._column_layout.setSpacing(2)
        self._column_layout.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(self._column)
        self.note = QLabel()
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #555555;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll_area)
        layout.addWidget(self.note)
        self._image_note = ""
        vm.changed.connect(self.refresh)
        self.refresh()

    def set_image_note(self, text: str) -> None:
        self._image_note = text
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def refresh(self) -> None:
        for chip in self.chips:
            self._column_layout.removeWidget(chip)
            chip.deleteLater()
        self.chips = [AttachmentChip(self._vm, i) for i in range(len(self._vm.items))]
        for position, chip in enumerate(self.chips):
            self._column_layout.insertWidget(position, chip)
        if self.chips:
            # Up to three chips in sight; more scroll.
            shown = min(len(self.chips), _ROWS_IN_SIGHT)
            row = self.chips[0].sizeHint().height() + 2
            self.scroll_area.setFixedHeight(shown * row + 2)
        self.setVisible(bool(self.chips))
