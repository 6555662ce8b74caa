"""A one-line label that shortens its text with "…" to the width it is given.

Long, variable text (a connection description with two URLs) in a toolbar would otherwise
either push the label into the toolbar's overflow menu or widen the window. The label asks
for its full width but accepts far less; the full text stays in the tooltip and in
``full_text``.

The ``Qt`` namespace is imported only when needed: building its enums costs ~60 ms, and the
window holding this label is painted before that is paid (see ``playground.app``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

if TYPE_CHECKING:
    from PySide6.QtGui import QResizeEvent

#: Enough for a few words before the ellipsis; below this the toolbar may move it aside.
MIN_CHARS = 12


class ElidedLabel(QLabel):
    """Plain-text label eliding on the right; set its text with ``set_full_text``."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        """``text`` is the app's own placeholder; anything from a server goes through
        ``set_full_text``, which switches to plain text first."""
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._full_text = text
        self.setToolTip(text)
        self._elide()

    @property
    def full_text(self) -> str:
        return self._full_text

    def set_full_text(self, text: str) -> None:
        """Show ``text`` (elided to fit) and keep all of it in the tooltip."""
        from PySide6.QtCore import Qt

        # Server-supplied text (URLs, error details) is never interpreted as rich text.
        from playground.ui.plain import tip

        self.setTextFormat(Qt.TextFormat.PlainText)
        self._full_text = text
        self.setToolTip(tip(text))  # a tooltip has no plain mode: escaped rich text
        self._elide()
        self.updateGeometry()

    def is_elided(self) -> bool:
        return self.text() != self._full_text

    def sizeHint(self) -> QSize:
        margins = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance(self._full_text)
        return QSize(width + margins.left() + margins.right(), super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        margins = self.contentsMargins()
        width = self.fontMetrics().averageCharWidth() * MIN_CHARS
        return QSize(width + margins.left() + margins.right(), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        available = self.contentsRect().width()
        metrics = self.fontMetrics()
        shown = self._full_text
        if metrics.horizontalAdvance(shown) > available:
            from PySide6.QtCore import Qt

            shown = metrics.elidedText(shown, Qt.TextElideMode.ElideRight, available)
        if shown != self.text():
            # setText would re-run the layout; only do it when the visible text changes.
            super().setText(shown)
