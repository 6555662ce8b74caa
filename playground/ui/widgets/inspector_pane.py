"""The right pane: run steps (tree, timeline, details, raw JSON), outputs gallery, HTTP log.

``install_inspector(window, session)`` is what the composition root calls: it builds the
three view models and puts the three tabs into ``window.inspector_tabs``. It wires nothing to
other panes: the composition root (``playground/app.py``, ``_connect_signals``) connects the
chat's ``run_event`` / ``thread_changed`` to the inspector, in the one place all cross-pane
wiring lives, so this pane builds the same with or without a chat.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from playground.ui.plain import plain_label
from playground.ui.viewmodels.http_log import HttpLogViewModel
from playground.ui.viewmodels.inspector import InspectorViewModel, NodeKey
from playground.ui.viewmodels.outputs import OutputsViewModel
from playground.ui.viewmodels.session import Session
from playground.ui.widgets.gallery import GalleryView, OutputActions
from playground.ui.widgets.http_log_view import HttpLogView
from playground.ui.widgets.json_view import JsonView
from playground.ui.widgets.step_detail import StepDetailView
from playground.ui.widgets.step_tree import StepTree
from playground.ui.widgets.timeline import RunTimeline

log = logging.getLogger(__name__)

#: One display frame: the selected node is shown again at most this often while it streams.
FRAME_INTERVAL_S = 0.016
#: Showing a big node (200 KB of arguments) takes milliseconds: while it streams, the next
#: showing waits until showing it has cost at most this share of the Qt thread's time.
BUSY_SHARE = 0.25


class InspectorPane(QWidget):
    """Tree of runs on top; timeline of the selected run; details and raw JSON below.

    A streaming run changes the selected node hundreds of times a second, and its details
    and raw JSON grow with every change: re-making them per delta is quadratic. So changes
    to the selected node are coalesced: shown at once when the last showing is a frame
    (``FRAME_INTERVAL_S``) old, otherwise when a frame has passed (longer for a node that is
    slow to show, see ``BUSY_SHARE``), and each tab is made only
    when it is in front (see ``StepDetailView.update_node`` and ``JsonView.set_json_source``).
    ``refreshed()`` says the selected node was shown after a change.
    """

    refreshed = Signal()

    def __init__(
        self,
        vm: InspectorViewModel,
        outputs: OutputsViewModel | None = None,
        actions: OutputActions | None = None,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        super().__init__(parent)
        self.vm = vm
        self._clock = clock
        self._last_refresh = -math.inf
        #: How long to wait after a showing before the next one (a frame, or more if slow).
        self._refresh_interval = FRAME_INTERVAL_S
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.timeout.connect(self._refresh_now)
        self.output_actions = actions
        self.title = plain_label(parent=self)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.setToolTip("Load the thread's runs and steps again from the server.")
        self.tree = StepTree(vm, self)
        self.timeline = RunTimeline(vm, self)
        self.details = StepDetailView(vm, outputs, self)
        self.raw = JsonView(self)
        self.detail_tabs = QTabWidget(self)
        self.detail_tabs.setDocumentMode(True)
        self.detail_tabs.addTab(self.details, "Details")
        self.detail_tabs.addTab(self.raw, "Raw JSON")
        lower = QWidget(self)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.timeline)
        lower_layout.addWidget(self.detail_tabs, 1)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.tree)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        self._connect_signals()
        self.on_vm_thread_changed(vm.thread_id)

    def _connect_signals(self) -> None:
        self.tree.node_selected.connect(self.on_tree_node_selected)
        self.refresh_button.clicked.connect(self.vm.reload)
        self.vm.thread_changed.connect(self.on_vm_thread_changed)
        self.vm.loading_changed.connect(self.on_vm_loading_changed)
        self.vm.run_changed.connect(self.on_vm_run_changed)
        self.vm.step_changed.connect(self.on_vm_step_changed)
        self.vm.message_changed.connect(self.on_vm_message_changed)
        self.vm.tool_sources_changed.connect(self.details.refresh)
        if self.output_actions is not None:
            self.details.image_requested.connect(self.output_actions.view_image)

    @property
    def selected_key(self) -> NodeKey | None:
        return self.tree.key_of(self.tree.currentItem())

    def on_tree_node_selected(self, key: object) -> None:
        node = key if isinstance(key, NodeKey) else None
        self._refresh_timer.stop()
        self.timeline.set_run(node.run_id if node else None)
        if self.details.isHidden():
            self.details.update_node(node)  # Raw JSON is in front: made when shown
        else:
            self.details.show_node(node)
        self._set_raw(node)

    def on_vm_thread_changed(self, thread_id: object) -> None:
        self.title.setText(f"Thread {thread_id}" if thread_id else "No thread selected")
        self.refresh_button.setEnabled(bool(thread_id))

    def on_vm_loading_changed(self, loading: bool) -> None:
        thread = self.vm.thread_id
        suffix = " — loading…" if loading else ""
        self.title.setText((f"Thread {thread}" if thread else "No thread selected") + suffix)

    def on_vm_run_changed(self, run_id: str) -> None:
        key = self.selected_key
        if key is None and self.vm.run_ids() and self.vm.run_ids()[-1] == run_id:
            self.tree.select_key(NodeKey("run", run_id))  # follow the newest run
        elif key is not None and key.run_id == run_id:
            self._refresh_selected(key)

    def on_vm_step_changed(self, run_id: str, step_id: str) -> None:
        key = self.selected_key
        if key is not None and key.run_id == run_id and key.step_id in ("", step_id):
            self._refresh_selected(key)

    def on_vm_message_changed(self, message_id: str) -> None:
        key = self.selected_key
        if key is not None and key.kind == "message" and key.message_id == message_id:
            self._refresh_selected(key)

    def _refresh_selected(self, _key: NodeKey) -> None:
        """The selected node changed: show it now, or once a frame has passed."""
        if self._refresh_timer.isActive():
            return
        wait = self._refresh_interval - (self._clock() - self._last_refresh)
        if wait <= 0:
            self._refresh_now()
        else:
            self._refresh_timer.start(max(1, math.ceil(wait * 1000)))

    def _refresh_now(self) -> None:
        self._refresh_timer.stop()
        started = self._clock()
        key = self.selected_key
        self.details.update_node(key)
        self._set_raw(key)
        self._last_refresh = self._clock()
        cost = self._last_refresh - started
        self._refresh_interval = max(FRAME_INTERVAL_S, cost / BUSY_SHARE - cost)
        self.refreshed.emit()

    def _set_raw(self, key: NodeKey | None) -> None:
        if key is None:
            self.raw.set_json_text("")
        else:
            self.raw.set_json_source(lambda: self.vm.raw_json_for(key))


@dataclass
class InspectorParts:
    """Everything ``install_inspector`` built, for the window to keep and tests to reach."""

    inspector_vm: InspectorViewModel
    outputs_vm: OutputsViewModel
    http_log_vm: HttpLogViewModel
    actions: OutputActions
    pane: InspectorPane
    gallery: GalleryView
    http_log: HttpLogView


def install_inspector(tabs: QTabWidget, session: Session, *, parent: QWidget) -> InspectorParts:
    """Build the inspector's view models and add its three tabs to ``tabs``.

    ``parent`` owns the view models and is the parent of save dialogs (the main window).
    Nothing live reaches the inspector until the composition root connects the chat to
    ``InspectorParts.inspector_vm``; ``set_thread`` loads a thread's history on its own.
    """
    outputs_vm = OutputsViewModel(session, parent=parent)
    inspector_vm = InspectorViewModel(session, outputs_vm, parent=parent)
    http_log_vm = HttpLogViewModel(session, parent=parent)
    actions = OutputActions(outputs_vm, parent)
    pane = InspectorPane(inspector_vm, outputs_vm, actions)
    gallery = GalleryView(outputs_vm, actions)
    http_log = HttpLogView(http_log_vm)
    tabs.addTab(pane, "Run steps")
    tabs.addTab(gallery, "Outputs")
    tabs.addTab(http_log, "HTTP log")
    return InspectorParts(inspector_vm, outputs_vm, http_log_vm, actions, pane, gallery, http_log)
