"""A viewer for one output image: zoom, fit to window, actual size, Save As."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from playground.ui.plain import neutral

ZOOM_STEP = 1.25
MIN_ZOOM = 0.05
MAX_ZOOM = 16.0


class ImageViewerDialog(QDialog):
    """Shows a decoded QImage. ``save_requested(str)`` carries the file id."""

    save_requested = Signal(str)

    def __init__(
        self, image: QImage, file_id: str, name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{neutral(name)} — {image.width()}×{image.height()}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.file_id = file_id
        self.image = image
        self.zoom = 1.0
        self.fit = True
        self._pixmap = QPixmap.fromImage(image)
        self.label = QLabel(self)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidget(self.label)
        self.scroll_area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll_area.setWidgetResizable(False)
        self.zoom_in_button = QPushButton("Zoom in", self)
        self.zoom_in_button.setShortcut(QKeySequence.StandardKey.ZoomIn)
        self.zoom_out_button = QPushButton("Zoom out", self)
        self.zoom_out_button.setShortcut(QKeySequence.StandardKey.ZoomOut)
        self.fit_button = QPushButton("Fit", self)
        self.actual_button = QPushButton("100 %", self)
        self.save_button = QPushButton("Save As…", self)
        self.save_button.setShortcut(QKeySequence.StandardKey.Save)
        self.zoom_label = QLabel(self)
        buttons = QHBoxLayout()
        for button in (self.zoom_out_button, self.zoom_in_button, self.fit_button):
            buttons.addWidget(button)
        buttons.addWidget(self.actual_button)
        buttons.addWidget(self.zoom_label, 1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll_area, 1)
        layout.addLayout(buttons)
        self._connect_signals()
        self.resize(720, 560)
        self._apply()

    def _connect_signals(self) -> None:
        self.zoom_in_button.clicked.connect(self.zoom_in)
        self.zoom_out_button.clicked.connect(self.zoom_out)
        self.fit_button.clicked.connect(self.fit_to_window)
        self.actual_button.clicked.connect(self.actual_size)
        self.save_button.clicked.connect(lambda: self.save_requested.emit(self.file_id))

    # -- intents ---------------------------------------------------------------------------

    def zoom_in(self) -> None:
        self._set_zoom(self.zoom * ZOOM_STEP)

    def zoom_out(self) -> None:
        self._set_zoom(self.zoom / ZOOM_STEP)

    def actual_size(self) -> None:
        self._set_zoom(1.0)

    def fit_to_window(self) -> None:
        self.fit = True
        self._apply()

    # -- internals -------------------------------------------------------------------------

    def _set_zoom(self, zoom: float) -> None:
        self.fit = False
        self.zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        self._apply()

    def _fit_zoom(self) -> float:
        area = self.scroll_area.viewport().size()
        if self.image.width() <= 0 or self.image.height() <= 0:
            return 1.0
        return max(
            MIN_ZOOM,
            min(
                (area.width() - 4) / self.image.width(),
                (area.height() - 4) / self.image.height(),
                MAX_ZOOM,
            ),
        )

    def _apply(self) -> None:
        if self.fit:
            self.zoom = self._fit_zoom()
        width = max(1, round(self.image.width() * self.zoom))
        height = max(1, round(self.image.height() * self.zoom))
        mode = (
            Qt.TransformationMode.SmoothTransformation
            if self.zoom < 1
            else Qt.TransformationMode.FastTransformation  # keep pixels crisp when enlarged
        )
        self.label.setPixmap(
            self._pixmap.scaled(width, height, Qt.AspectRatioMode.KeepAspectRatio, mode)
        )
        self.label.resize(width, height)
        self.zoom_label.setText(f"{self.zoom * 100:.0f} %" + (" (fit)" if self.fit else ""))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.fit:
            self._apply()
