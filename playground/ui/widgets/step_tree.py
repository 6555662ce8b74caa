"""The run tree: runs → steps → tool calls (and created messages), with status, time, tokens."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap, QResizeEvent
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from playground.protocol import (
    FunctionToolCall,
    MessageCreationDetails,
    RunStep,
    ToolCallsDetails,
)
from playground.ui.plain import tip
from playground.ui.viewmodels.inspector import InspectorViewModel, NodeKey
from playground.ui.viewmodels.run_records import (
    duration_s,
    format_duration,
    format_time,
    format_usage,
    step_label,
)

STATUS_COLORS: dict[str, str] = {
    "queued": "#9aa0a6",
    "in_progress": "#1a73e8",
    "requires_action": "#f29900",
    "cancelling": "#5f6368",
    "cancelled": "#5f6368",
    "completed": "#1e8e3e",
    "failed": "#d93025",
    "expired": "#8d6e63",
    "incomplete": "#f9ab00",
}
UNKNOWN_COLOR = "#c58af9"
KEY_ROLE = Qt.ItemDataRole.UserRole
#: The status the row's icon shows: an icon is set only when it changes (setting one
#: repaints the row even when it is the same, and steps stream hundreds of updates).
ICON_STATUS_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("Item", "Status", "Started", "Duration", "Tokens")
#: The "Item" column is never narrower than this label needs at its depth (a step's row).
ITEM_SAMPLE = "tool calls: code_interpreter"


@cache
def status_icon(status: str) -> QIcon:
    """A filled dot in the status colour (drawn, so no icon files are needed)."""
    pixmap = QPixmap(QSize(12, 12))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(STATUS_COLORS.get(status, UNKNOWN_COLOR)))
    if status in ("in_progress", "queued", "requires_action", "cancelling"):
        painter.drawEllipse(1, 1, 10, 10)
        painter.setBrush(QColor("white"))
        painter.drawEllipse(4, 4, 4, 4)  # a ring: still going
    else:
        painter.drawEllipse(1, 1, 10, 10)
    painter.end()
    return QIcon(pixmap)


class StepTree(QTreeWidget):
    """Bound to an InspectorViewModel; ``node_selected(object)`` carries a NodeKey or None."""

    node_selected = Signal(object)

    def __init__(self, vm: InspectorViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.setColumnCount(len(COLUMNS))
        self.setHeaderLabels(list(COLUMNS))
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setIndentation(14)
        header = self.header()
        header.setStretchLastSection(False)
        # "Item" takes the width the other columns leave, but not less than its floor: a
        # plain Stretch section shrinks to a few letters ("tool calls: …") in a narrow pane.
        # Below the floor the tree scrolls sideways instead.
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setMinimumSectionSize(40)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.sectionResized.connect(self.on_header_section_resized)
        self._run_items: dict[str, QTreeWidgetItem] = {}
        # The data columns resize to their contents inside the header's own layout pass;
        # resizing "Item" from within that pass can be undone by it, so refit just after.
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self._fit_item_column)
        self._connect_signals()
        self.rebuild()

    def _connect_signals(self) -> None:
        self.vm.runs_reset.connect(self.rebuild)
        self.vm.run_changed.connect(self.on_vm_run_changed)
        self.vm.step_changed.connect(self.on_vm_step_changed)
        self.currentItemChanged.connect(self.on_tree_current_item_changed)

    # -- reading ---------------------------------------------------------------------------

    def run_item(self, run_id: str) -> QTreeWidgetItem | None:
        return self._run_items.get(run_id)

    def key_of(self, item: QTreeWidgetItem | None) -> NodeKey | None:
        if item is None:
            return None
        key = item.data(0, KEY_ROLE)
        return key if isinstance(key, NodeKey) else None

    def find_item(self, key: NodeKey) -> QTreeWidgetItem | None:
        run_item = self._run_items.get(key.run_id)
        if run_item is None or key.kind == "run":
            return run_item
        stack = [run_item]
        while stack:
            item = stack.pop()
            if self.key_of(item) == key:
                return item
            stack.extend(_children(item))
        return None

    def item_column_floor(self) -> int:
        """Width that shows a step's label whole: text, two levels of indent, margins."""
        text = self.fontMetrics().horizontalAdvance(ITEM_SAMPLE)
        return text + 2 * self.indentation() + 16

    def select_key(self, key: NodeKey) -> bool:
        item = self.find_item(key)
        if item is not None:
            self.setCurrentItem(item)
        return item is not None

    # -- slots -----------------------------------------------------------------------------

    def rebuild(self) -> None:
        selected = self.key_of(self.currentItem())
        self.clear()
        self._run_items.clear()
        for run_id in self.vm.run_ids():
            self._fill_run(run_id)
        if selected is not None and not self.select_key(selected):
            self.node_selected.emit(None)

    def on_vm_run_changed(self, run_id: str) -> None:
        self._fill_run(run_id)

    def on_vm_step_changed(self, run_id: str, _step_id: str) -> None:
        self._fill_run(run_id)

    def on_header_section_resized(self, index: int, _old: int, _new: int) -> None:
        if index != 0:  # a data column grew or shrank with its contents
            self._fit_timer.start()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_item_column()
        self._fit_timer.start()

    def on_tree_current_item_changed(self, current: QTreeWidgetItem | None, *_: object) -> None:
        self.node_selected.emit(self.key_of(current))

    # -- building --------------------------------------------------------------------------

    def _fill_run(self, run_id: str) -> None:
        """Create or refresh one run's subtree, keeping the selection and expansion."""
        record = self.vm.record(run_id)
        if record is None:
            return
        run = record.run
        item = self._run_items.get(run_id)
        if item is None:
            item = QTreeWidgetItem()
            item.setData(0, KEY_ROLE, NodeKey("run", run_id))
            self._insert_run_item(run_id, item)
            item.setExpanded(True)
        now = self.vm.now()
        assistant = self.vm.assistant_label(run_id)
        self._set_row(
            item,
            f"Run · {assistant}" if assistant else f"Run {run_id}",
            str(run.status),
            format_time(run.started_at or run.created_at),
            format_duration(duration_s(run, now)),
            self.vm.run_totals(run_id).split(" (")[0],
        )
        item.setToolTip(4, tip(self.vm.run_totals(run_id)))
        item.setToolTip(0, tip(f"Run {run_id}" + (f" by {assistant}" if assistant else "")))
        selected = self.key_of(self.currentItem())
        existing = {self.key_of(child): child for child in _children(item)}
        for index, step in enumerate(record.steps.values()):
            key = NodeKey("step", run_id, step.id)
            step_item = existing.pop(key, None)
            if step_item is None:
                step_item = QTreeWidgetItem()
                step_item.setData(0, KEY_ROLE, key)
                item.insertChild(min(index, item.childCount()), step_item)
                step_item.setExpanded(True)
            self._set_row(
                step_item,
                step_label(step),
                str(step.status),
                format_time(step.created_at),
                format_duration(duration_s(step, now)),
                format_usage(step.usage).split(" (")[0],
            )
            step_item.setToolTip(4, tip(format_usage(step.usage)))
            self._fill_step_children(step_item, run_id, step)
        for stale in existing.values():
            item.removeChild(stale)
        if selected is not None and selected.run_id == run_id:
            current = self.find_item(selected)
            if current is not None and current is not self.currentItem():
                self.setCurrentItem(current)

    def _fit_item_column(self) -> None:
        header = self.header()
        others = sum(header.sectionSize(c) for c in range(1, self.columnCount()))
        width = max(self.item_column_floor(), self.viewport().width() - others)
        if header.sectionSize(0) != width:
            header.resizeSection(0, width)

    def _insert_run_item(self, run_id: str, item: QTreeWidgetItem) -> None:
        order = self.vm.run_ids()
        position = order.index(run_id) if run_id in order else len(self._run_items)
        self.insertTopLevelItem(min(position, self.topLevelItemCount()), item)
        self._run_items[run_id] = item

    def _fill_step_children(self, step_item: QTreeWidgetItem, run_id: str, step: RunStep) -> None:
        details = step.step_details
        wanted: list[tuple[NodeKey, str, str]] = []
        step_id = step.id
        if isinstance(details, ToolCallsDetails):
            for index, call in enumerate(details.tool_calls):
                name = str(call.type or "unknown").replace("_", " ")
                if isinstance(call, FunctionToolCall) and call.function.name:
                    name = f"function {call.function.name}"
                wanted.append((NodeKey("call", run_id, step_id, index), name, ""))
        elif isinstance(details, MessageCreationDetails) and details.message_creation.message_id:
            message_id = details.message_creation.message_id
            key = NodeKey("message", run_id, step_id, message_id=message_id)
            wanted.append((key, f"message {message_id}", ""))
        existing = {self.key_of(child): child for child in _children(step_item)}
        for key, label, status in wanted:
            child = existing.pop(key, None)
            if child is None:
                child = QTreeWidgetItem()
                child.setData(0, KEY_ROLE, key)
                step_item.addChild(child)
            self._set_row(child, label, status, "", "", "")
        for stale in existing.values():
            step_item.removeChild(stale)

    @staticmethod
    def _set_row(item: QTreeWidgetItem, *values: str) -> None:
        for column, value in enumerate(values):
            if item.text(column) != value:
                item.setText(column, value)
        status = values[1]
        if status and item.data(1, ICON_STATUS_ROLE) != status:
            item.setIcon(1, status_icon(status))
            item.setData(1, ICON_STATUS_ROLE, status)
        item.setToolTip(0, tip(values[0]))


def _children(item: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    found = (item.child(i) for i in range(item.childCount()))
    return [child for child in found if child is not None]
