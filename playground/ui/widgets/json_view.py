"""Read-only, copyable JSON with light colouring: the raw wire object of a run, step or message."""

from __future__ import annotations

import re

from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

#: Documents longer than this are shown without colouring (highlighting is per block and
#: cheap, but a multi-megabyte object is read, not admired).
HIGHLIGHT_LIMIT = 512 * 1024

_TOKEN = re.compile(
    r'(?P<key>"(?:[^"\\]|\\.)*"(?=\s*:))|(?P<string>"(?:[^"\\]|\\.)*")'
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


class JsonView(QWidget):
    """A read-only JSON text with a Copy button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.text.setFont(mono)
        self._highlighter: JsonHighlighter | None = None
        self.copy_button = QPushButton("Copy JSON", self)
        self.copy_button.clicked.connect(self.on_copy_clicked)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)

    def set_json_text(self, text: str) -> None:
        if self._highlighter is not None:
            self._highlighter.setDocument(None)
            self._highlighter = None
        self.text.setPlainText(text)
        if len(text) <= HIGHLIGHT_LIMIT:
            self._highlighter = JsonHighlighter(self.text.document())

    def json_text(self) -> str:
        return self.text.toPlainText()

    def on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.text.toPlainText())
