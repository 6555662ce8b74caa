"""The whole text of a message too long for the chat, in a plain read-only viewer.

The chat lays out only the beginning of a very long message as rich text (a 200,000-line
code block laid out as rich text took 26 s and 3.4 GB). Here the text is plain: a
``QPlainTextEdit`` lays out only the lines in view, without wrapping (a wrapped 400,000-
character word is quadratic in Qt's line breaker), and the text goes in chunk by chunk on
the event loop, so even a huge message never freezes the window.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QFont, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

#: Characters added per turn of the event loop.
CHUNK_CHARS = 256 * 1024


class FullTextDialog(QDialog):
    """Shows ``text`` verbatim; ``loaded()`` tells whether all of it is in yet.

    ``loaded_all()`` is emitted once the last chunk is in.
    """

    loaded_all = Signal()

    def __init__(self, text: str, *, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(900, 640)
        self._text = text
        self._at = 0
        self.status = QLabel()
        self.editor = QPlainTextEdit()
        self.editor.setReadOnly(True)
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.editor.setFont(QFont("monospace"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.editor, 1)
        layout.addWidget(buttons)
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._add_chunk)
        self._add_chunk()
        if not self.loaded():
            self._timer.start()

    def loaded(self) -> bool:
        return self._at >= len(self._text)

    def _add_chunk(self) -> None:
        chunk = self._text[self._at : self._at + CHUNK_CHARS]
        self._at += len(chunk)
        cursor = QTextCursor(self.editor.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(chunk)
        if self.loaded():
            self._timer.stop()
            lines = self._text.count("\n") + 1
            self.status.setText(f"{lines:,} lines, {len(self._text):,} characters")
            self.loaded_all.emit()
        else:
            self.status.setText(f"Loading… {self._at * 100 // max(1, len(self._text))} %")
