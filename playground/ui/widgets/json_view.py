"""Read-only, copyable JSON with light colouring: the raw wire object of a run, step or message.

Two things keep it cheap while a run streams into the inspector. The text can be handed over
as a source (a function) and is made and shown only when the view is on screen: a hidden tab
costs nothing. And very long lines (a 200 KB function-arguments string is one line) are cut
in the view: Qt lays out a line whole, and re-laying out a 200,000-character line took
~80-120 ms on every change, so the view shows ``MAX_LINE_CHARS`` of it with a note; "Copy JSON"
copies the whole text and "Show all" opens it in a plain viewer made for huge text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QShowEvent,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

#: Documents longer than this are shown without colouring (highlighting is per block and
#: cheap, but a multi-megabyte object is read, not admired).
HIGHLIGHT_LIMIT = 512 * 1024
#: A line longer than this is cut in the view (the whole of it is copied and shown on request).
MAX_LINE_CHARS = 5_000

#: Possessive (``*+``) and a string may end at the end of the line: a line cut in the middle
#: of a string (see ``cut_long_lines``) must not make every quote in it a new, failing start.
_TOKEN = re.compile(
    r'(?P<key>"(?:[^"\\]|\\.)*+"(?=\s*:))|(?P<string>"(?:[^"\\]|\\.)*+(?:"|$))'
    r"|(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(?P<literal>\btrue\b|\bfalse\b|\bnull\b)"
)


def _format(color: str, bold: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(color))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    return fmt


class JsonHighlighter(QSyntaxHighlighter):
    """Keys, strings, numbers and literals in four colours."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._formats = {
            "key": _format("#1a5fb4", bold=True),
            "string": _format("#26803a"),
            "number": _format("#a2501d"),
            "literal": _format("#813d9c"),
        }

    def highlightBlock(self, text: str) -> None:
        for match in _TOKEN.finditer(text):
            kind = match.lastgroup
            if kind is not None:
                self.setFormat(match.start(), match.end() - match.start(), self._formats[kind])


def cut_long_lines(text: str, limit: int = MAX_LINE_CHARS) -> tuple[str, bool]:
    """``text`` with every line longer than ``limit`` cut, and whether any was."""
    if len(text) <= limit or all(len(line) <= limit for line in text.split("\n")):
        return text, False
    lines = [
        line
        if len(line) <= limit
        else f"{line[:limit]} … [{len(line) - limit:,} more characters: Show all, or Copy JSON]"
        for line in text.split("\n")
    ]
    return "\n".join(lines), True


class JsonView(QWidget):
    """A read-only JSON text with Copy and (when lines are cut) Show all buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self._shown: str | None = ""
        self._source: Callable[[], str] | None = None
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.text.setFont(mono)
        self._highlighter: JsonHighlighter | None = None
        self.copy_button = QPushButton("Copy JSON", self)
        self.copy_button.clicked.connect(self.on_copy_clicked)
        self.show_all_button = QPushButton("Show all", self)
        self.show_all_button.setToolTip("Long lines are cut here; see the whole text.")
        self.show_all_button.clicked.connect(self.on_show_all_clicked)
        self.show_all_button.hide()
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.show_all_button)
        buttons.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)

    def set_json_text(self, text: str) -> None:
        self._source = None
        self._full = text
        self._show(text)

    def set_json_source(self, source: Callable[[], str]) -> None:
        """Show ``source()``, made when the view is on screen (now, or when it is shown)."""
        self._source = source
        if self.isVisible():
            self._materialize()

    def json_text(self) -> str:
        """The whole JSON (what Copy copies), made now if it was waiting to be shown."""
        self._materialize()
        return self._full

    def shown_text(self) -> str:
        """What the view shows (long lines cut)."""
        self._materialize()
        return self.text.toPlainText()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._materialize()

    def on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.json_text())

    def on_show_all_clicked(self) -> QWidget:
        from playground.ui.widgets.full_text_dialog import FullTextDialog

        dialog = FullTextDialog(self.json_text(), title="Raw JSON", parent=self.window())
        dialog.show()
        return dialog

    def _materialize(self) -> None:
        source, self._source = self._source, None
        if source is not None:
            self._full = source()
            self._show(self._full)

    def _show(self, text: str) -> None:
        if text is self._shown or text == self._shown:
            return  # unchanged: no new layout, no new highlighting
        self._shown = text
        shown, cut = cut_long_lines(text)
        if self._highlighter is not None:
            self._highlighter.setDocument(None)
            self._highlighter = None
        self.text.setPlainText(shown)
        self.show_all_button.setVisible(cut)
        if len(shown) <= HIGHLIGHT_LIMIT:
            self._highlighter = JsonHighlighter(self.text.document())
