"""A plain-text JSON editor with syntax colours and an error-line marker.

Used for function parameters and the response-format schema. JSON strings cannot span lines,
so a per-line (per-block) highlighter is exact and needs no state between blocks.
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QKeyEvent,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

_INDENT = "  "


def _format(color: str, *, bold: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(color))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    return fmt


class JsonHighlighter(QSyntaxHighlighter):
    """Colours keys, string values, numbers, literals and punctuation."""

    #: (kind, pattern); later rules win where they overlap, so keys come after strings.
    RULES: tuple[tuple[str, str], ...] = (
        ("punctuation", r"[{}\[\],:]"),
        ("number", r"-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b"),
        ("literal", r"\b(?:true|false|null)\b"),
        ("string", r'"(?:[^"\\]|\\.)*"'),
        ("key", r'"(?:[^"\\]|\\.)*"(?=\s*:)'),
    )

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.formats: dict[str, QTextCharFormat] = {
            "punctuation": _format("#6b7280"),
            "number": _format("#b45309"),
            "literal": _format("#7c3aed", bold=True),
            "string": _format("#047857"),
            "key": _format("#1d4ed8", bold=True),
        }
        self._rules = [(kind, QRegularExpression(pattern)) for kind, pattern in self.RULES]

    def highlightBlock(self, text: str) -> None:
        for kind, expression in self._rules:
            matches = expression.globalMatch(text)
            while matches.hasNext():
                match = matches.next()
                self.setFormat(match.capturedStart(), match.capturedLength(), self.formats[kind])


class JsonEditor(QPlainTextEdit):
    """Signals: ``edited(str)`` — the person changed the text (not :meth:`set_text`)."""

    edited = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.setFont(font)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 2)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.highlighter = JsonHighlighter(self.document())
        self._programmatic = False
        self._error_line: int | None = None
        self.textChanged.connect(self.on_self_text_changed)

    def text(self) -> str:
        return self.toPlainText()

    def set_text(self, text: str) -> None:
        """Replace the text without emitting ``edited`` (the view model already knows it)."""
        if text == self.toPlainText():
            return
        self._programmatic = True
        try:
            self.setPlainText(text)
        finally:
            self._programmatic = False

    @property
    def error_line(self) -> int | None:
        return self._error_line

    def mark_error_line(self, line: int | None) -> None:
        """Tint the 1-based ``line`` where the JSON breaks (None clears it)."""
        self._error_line = line
        selections: list[QTextEdit.ExtraSelection] = []
        block = self.document().findBlockByNumber(line - 1) if line else None
        if block is not None and block.isValid():
            selection = QTextEdit.ExtraSelection()
            selection.format.setBackground(QColor("#fde2e1"))  # type: ignore[attr-defined]
            selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)  # type: ignore[attr-defined]
            cursor = QTextCursor(block)
            selection.cursor = cursor  # type: ignore[attr-defined]
            selections.append(selection)
        self.setExtraSelections(selections)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        from PySide6.QtCore import Qt

        # Tab indents with spaces (JSON written here is pasted elsewhere; tabs travel badly).
        if event.key() == Qt.Key.Key_Tab and not event.modifiers():
            self.insertPlainText(_INDENT)
            return
        super().keyPressEvent(event)

    def on_self_text_changed(self) -> None:
        if not self._programmatic:
            self.edited.emit(self.toPlainText())
