"""The run timeline: status stretches and step bars on one time axis, so a slow step is seen.

Top lane: the run's statuses (queued, in progress, requires action...) as coloured stretches.
Below: one bar per step, from its creation to its end, labelled with its kind and duration.
Painted with QPainter from the view model's :class:`Timeline` data; nothing here knows HTTP.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from playground.ui.viewmodels.inspector import InspectorViewModel
from playground.ui.viewmodels.run_records import Timeline, format_duration
from playground.ui.widgets.step_tree import STATUS_COLORS, UNKNOWN_COLOR

LANE_HEIGHT = 18
LANE_GAP = 4
MARGIN = 8
AXIS_HEIGHT = 18
LABEL_WIDTH = 70
BADGE_GAP = 6


#: Ticks drawn at most, whatever the span: a span of centuries (a server's millisecond
#: timestamps) once meant 2.5×10⁸ ticks per repaint.
MAX_TICKS = 12


def tick_step(span: float) -> float:
    """A round tick spacing (1, 2 or 5 × a power of ten, or minutes/hours) for ~5 ticks."""
    for step in (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600):
        if span / step <= 6:
            return float(step)
    hours = span / 3600 / 5
    magnitude = 10 ** math.floor(math.log10(hours)) if hours > 0 else 1
    for factor in (1, 2, 5, 10):
        if hours <= factor * magnitude:
            return float(factor * magnitude * 3600)
    return float(10 * magnitude * 3600)


def ticks(span: float) -> list[float]:
    """Offsets (seconds from the start) of the axis ticks; never more than ``MAX_TICKS``."""
    if not math.isfinite(span) or span <= 0:
        return [0.0]
    step = tick_step(span)
    count = min(int(span / step + 1e-9) + 1, MAX_TICKS)
    return [i * step for i in range(count)]


def _clamp(x: float, low: float, high: float) -> float:
    """Keep a coordinate where Qt's ints can hold it (an overflow raises in PySide)."""
    return min(max(x, low), high)


class RunTimeline(QWidget):
    """Shows the timeline of one run (``set_run``); repaints when that run changes."""

    def __init__(self, vm: InspectorViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.run_id: str | None = None
        self.timeline: Timeline | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(self._height_for(0))
        vm.run_changed.connect(self.on_vm_run_changed)
        vm.step_changed.connect(self.on_vm_step_changed)
        vm.runs_reset.connect(self.on_vm_runs_reset)

    def set_run(self, run_id: str | None) -> None:
        self.run_id = run_id
        self._reload()

    def sizeHint(self) -> QSize:
        steps = len(self.timeline.steps) if self.timeline else 0
        return QSize(360, self._height_for(steps))

    # -- slots -----------------------------------------------------------------------------

    def on_vm_run_changed(self, run_id: str) -> None:
        if run_id == self.run_id:
            self._reload()

    def on_vm_step_changed(self, run_id: str, _step_id: str) -> None:
        if run_id == self.run_id:
            self._reload()

    def on_vm_runs_reset(self) -> None:
        if self.run_id is not None and self.vm.record(self.run_id) is None:
            self.run_id = None
        self._reload()

    # -- painting --------------------------------------------------------------------------

    def _reload(self) -> None:
        self.timeline = self.vm.timeline(self.run_id) if self.run_id else None
        steps = len(self.timeline.steps) if self.timeline else 0
        self.setFixedHeight(self._height_for(steps))
        self.update()

    @staticmethod
    def _height_for(steps: int) -> int:
        return MARGIN * 2 + AXIS_HEIGHT + (LANE_HEIGHT + LANE_GAP) * (1 + max(steps, 1))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        timeline = self.timeline
        if timeline is None:
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(
                self.rect(), Qt.AlignmentFlag.AlignCenter, "Select a run to see its timeline."
            )
            painter.end()
            return
        metrics = QFontMetrics(self.font())
        left = MARGIN + LABEL_WIDTH
        final_label = timeline.final_status.replace("_", " ")
        # A finished run ends in a badge naming its outcome, right of the time axis.
        badge = metrics.horizontalAdvance(final_label) + 12 if final_label else 0
        width = max(10.0, self.width() - left - MARGIN - (badge + BADGE_GAP if badge else 0))
        span = max(timeline.end - timeline.start, 0.001)
        if not math.isfinite(span):
            span = 0.001

        def x_of(t: float) -> float:
            return _clamp(left + (t - timeline.start) / span * width, left, left + width)

        text_color = self.palette().text().color()
        # Axis with ticks in seconds from the start of the run.
        axis_y = MARGIN + AXIS_HEIGHT - 4
        painter.setPen(QPen(QColor("#9aa0a6"), 1))
        painter.drawLine(int(left), axis_y, int(left + width), axis_y)
        for t in ticks(span):
            x = x_of(timeline.start + t)
            painter.drawLine(int(x), axis_y - 3, int(x), axis_y)
            painter.drawText(int(x) + 2, axis_y - 5, format_duration(t) or "0 s")
        y = MARGIN + AXIS_HEIGHT
        painter.setPen(text_color)
        painter.drawText(MARGIN, y + LANE_HEIGHT - 5, "status")
        for segment in timeline.statuses:
            self._bar(painter, x_of(segment.start), x_of(segment.end), y, segment.status, "")
            label = segment.label.replace("_", " ")
            x0, x1 = x_of(segment.start), x_of(segment.end)
            if metrics.horizontalAdvance(label) + 6 < x1 - x0:
                painter.setPen(QColor("white"))
                painter.drawText(int(x0) + 3, y + LANE_HEIGHT - 5, label)
        if badge:
            x0 = left + width + BADGE_GAP
            self._bar(painter, x0, x0 + badge, y, timeline.final_status, "")
            painter.setPen(QColor("white"))
            painter.drawText(int(x0) + 6, y + LANE_HEIGHT - 5, final_label)
        for index, step in enumerate(timeline.steps):
            y = MARGIN + AXIS_HEIGHT + (LANE_HEIGHT + LANE_GAP) * (index + 1)
            painter.setPen(text_color)
            painter.drawText(MARGIN, y + LANE_HEIGHT - 5, f"step {index + 1}")
            x0, x1 = x_of(step.start), x_of(step.end)
            self._bar(painter, x0, x1, y, step.status, "")
            label = f"{step.label} · {format_duration(step.end - step.start)}"
            painter.setPen(text_color)
            fits = metrics.horizontalAdvance(label) + 6 < x1 - x0
            if fits:
                painter.setPen(QColor("white"))
                painter.drawText(int(x0) + 3, y + LANE_HEIGHT - 5, label)
            elif x1 + metrics.horizontalAdvance(label) + 4 < self.width():
                painter.drawText(int(x1) + 4, y + LANE_HEIGHT - 5, label)
            elif x0 - metrics.horizontalAdvance(label) - 4 > left:
                painter.drawText(
                    int(x0) - metrics.horizontalAdvance(label) - 4, y + LANE_HEIGHT - 5, label
                )
            else:
                # Room nowhere: shorten it inside the bar (never over the lane's name).
                room = max(int(x1 - x0) - 6, 0)
                short = metrics.elidedText(label, Qt.TextElideMode.ElideRight, room)
                painter.setPen(QColor("white"))
                painter.drawText(int(x0) + 3, y + LANE_HEIGHT - 5, short)
        painter.end()

    @staticmethod
    def _bar(painter: QPainter, x0: float, x1: float, y: int, status: str, _label: str) -> None:
        color = QColor(STATUS_COLORS.get(status, UNKNOWN_COLOR))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawRoundedRect(QRectF(x0, y, max(x1 - x0, 3.0), LANE_HEIGHT), 3, 3)
