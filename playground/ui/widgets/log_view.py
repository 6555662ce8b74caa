"""Code-interpreter logs that stay responsive whatever their size.

A cell can print megabytes. Putting 5 MB into a text widget at once blocks the Qt thread for
seconds, so only the first and last part are shown, with a line saying how much is folded;
"Show all" then appends the rest in chunks, one chunk per event-loop turn, so the window keeps
painting and answering clicks while it loads.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QFontDatabase, QTextCursor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

#: Characters shown from each end of a long log before "Show all".
FOLD_EDGE = 16 * 1024
#: Characters appended per event-loop turn while showing everything.
CHUNK = 64 * 1024


@dataclass(frozen=True)
class FoldedText:
    """What is shown first: the head, a marker, the tail; ``hidden`` characters in between."""

    text: str
    hidden: int


def fold(text: str, edge: int = FOLD_EDGE) -> FoldedText:
    if len(text) <= 2 * edge + 256:
        return FoldedText(text, 0)
    hidden = len(text) - 2 * edge
    marker = f"\n… {hidden:,} characters folded — press “Show all” to load them …\n"
    return FoldedText(text[:edge] + marker + text[-edge:], hidden)


def chunks(text: str, size: int = CHUNK) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


class LogView(QWidget):
    """Folded log text with "Show all". ``fully_shown`` fires when the whole log is loaded."""

    fully_shown = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.note = QLabel(self)
        self.show_all_button = QPushButton("Show all", self)
        self.show_all_button.clicked.connect(self.on_show_all_clicked)
        row = QHBoxLayout()
        row.addWidget(self.note, 1)
        row.addWidget(self.show_all_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 1)
        layout.addLayout(row)
        self._full = ""
        self._pending: list[str] = []
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._append_next_chunk)
        self.set_log("")

    @property
    def loading(self) -> bool:
        return bool(self._pending)

    def full_text(self) -> str:
        return self._full

    def set_log(self, text: str) -> None:
        self._timer.stop()
        self._pending = []
        self._full = text
        folded = fold(text)
        self.text.setPlainText(folded.text)
        folded_away = folded.hidden > 0
        self.show_all_button.setVisible(folded_away)
        self.show_all_button.setEnabled(folded_away)
        size_kb = len(text.encode("utf-8", errors="replace")) / 1024
        self.note.setText(f"Log of {size_kb:,.0f} KB; the middle is folded." if folded_away else "")

    def on_show_all_clicked(self) -> None:
        if not self._full or self._pending:
            return
        self.text.clear()
        self._pending = list(reversed(chunks(self._full)))
        self.show_all_button.setEnabled(False)
        self.note.setText("Loading the whole log…")
        self._timer.start()

    def _append_next_chunk(self) -> None:
        if not self._pending:
            self._timer.stop()
            return
        piece = self._pending.pop()
        cursor = self.text.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(piece)
        if not self._pending:
            self._timer.stop()
            self.note.setText("Whole log shown.")
            self.show_all_button.setVisible(False)
            self.fully_shown.emit()
