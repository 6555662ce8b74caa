"""The main window: connection bar on top, three panes in a splitter, messages below.

Left: assistant configuration (``AssistantPane``), middle: the chat, right: the inspector
tabs (``inspector_tabs``, filled by the inspector pane). The window is built empty and panes
are installed once the app has loaded its store, so the first paint does not wait for
SQLite, pydantic or the runtime.

Start-up goes one step further: ``MainWindow()`` without a bridge is a light shell (title
and size, no text yet) that paints at about the cost of a bare ``QMainWindow``;
:meth:`MainWindow.build` adds the toolbar, banners and the three-pane splitter after that
first paint. Passing a bridge builds everything at once (tests, benchmarks).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QCloseEvent, QPaintEvent

    from playground.ui.messages import MessageBridge

WINDOW_TITLE = "Assistants Playground"
_NOTICE_TIMEOUT_MS = 8000
#: Information, not an error: a calm blue strip, unlike the red error banner.
_INFO_STYLE = (
    "#infoLabel { background: #e8f1fb; border: 1px solid #b6d0ee; border-radius: 4px;"
    " padding: 4px 8px; color: #123c69; }"
)


def _placeholder(text: str) -> QWidget:
    label = QLabel(text)
    # A style property, not Qt.AlignmentFlag: touching the ``Qt`` namespace builds all of its
    # enums (~50 ms), which start-up defers until after the first paint.
    label.setStyleSheet("qproperty-alignment: AlignCenter;")
    label.setWordWrap(True)
    label.setEnabled(False)
    return label


class ErrorBanner(QFrame):
    """A dismissible strip at the top of the window for the latest error (not a modal box,
    so an error never blocks typing or a running test)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorBanner")
        self.setStyleSheet(
            "#errorBanner { background: #fdecea; border: 1px solid #f5c2c0; border-radius: 4px; }"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        self.label = QLabel()
        self.label.setWordWrap(True)
        close = QPushButton("Dismiss")
        close.setFlat(True)
        close.clicked.connect(self.hide)
        layout.addWidget(self.label, 1)
        layout.addWidget(close)
        self.hide()

    def show_error(self, title: str, detail: str) -> None:
        from PySide6.QtCore import Qt

        # Server text is shown as typed, never interpreted as rich text.
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setText(f"{title}. {detail}" if detail else title)
        self.show()

    @property
    def text(self) -> str:
        return self.label.text()


class MainWindow(QMainWindow):
    """Signals: ``profile_selected(str)``, ``connections_requested()``,
    ``testing_requested()`` (open Compare / Replay / Suites), ``closing()``."""

    profile_selected = Signal(str)
    connections_requested = Signal()
    testing_requested = Signal()
    closing = Signal()

    def __init__(self, bridge: MessageBridge | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(WINDOW_TITLE)
        self._updating_profiles = False
        self.has_painted = False
        self.is_built = False
        if bridge is not None:
            self.build(bridge)
        # Otherwise a light shell: an empty window of the right size. No text on purpose: the
        # first text drawn loads the font database (~150 ms), which a bare window never does.

    def build(self, bridge: MessageBridge) -> None:
        """The toolbar, banners and panes (``main`` calls this after the first paint)."""
        from playground.ui.widgets.elided_label import ElidedLabel

        self._bridge = bridge
        toolbar = QToolBar("Connection")
        toolbar.setObjectName("connectionToolbar")
        toolbar.setMovable(False)
        self.addToolBar(toolbar)
        toolbar.addWidget(QLabel(" Connection: "))
        self.profile_combo = QComboBox()
        self.profile_combo.setMinimumWidth(220)
        self.profile_combo.setAccessibleName("Connection profile")
        toolbar.addWidget(self.profile_combo)
        self.connections_button = QPushButton("Connections…")
        toolbar.addWidget(self.connections_button)
        self.testing_button = QPushButton("Test assistants…")
        self.testing_button.setToolTip("Compare variants, replay a thread, run test suites")
        toolbar.addWidget(self.testing_button)
        # Elided, not clipped: the description (two URLs) is often wider than what is left of
        # the toolbar, and a plain label would drop into the toolbar's overflow menu.
        self.connection_label = ElidedLabel("Starting…")
        self.connection_label.setObjectName("connectionLabel")
        self.connection_label.setContentsMargins(12, 0, 0, 0)
        toolbar.addWidget(self.connection_label)

        self.banner = ErrorBanner()
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        self.note_label.setStyleSheet("color: #8a5a00;")
        self.note_label.hide()
        # Who answers runs is a full sentence with advice; the toolbar only has room for a
        # few words, so the sentence lives here, where it wraps and stays in view.
        self.info_label = QLabel()
        self.info_label.setObjectName("infoLabel")
        self.info_label.setWordWrap(True)
        self.info_label.setStyleSheet(_INFO_STYLE)
        self.info_label.hide()
        # Issue 9: shown, in red, for as long as code runs without a sandbox.
        self.unsafe_label = QLabel(
            "Code interpreter runs WITHOUT a sandbox (--unsafe-code-interpreter): "
            "model-written code can read and change your files and use the network."
        )
        self.unsafe_label.setObjectName("unsafeCodeInterpreterLabel")
        self.unsafe_label.setWordWrap(True)
        self.unsafe_label.setStyleSheet(
            "color: white; background: #b00020; padding: 4px 8px; font-weight: bold;"
        )
        self.unsafe_label.hide()

        self.splitter = QSplitter()  # horizontal by default
        self.splitter.setChildrenCollapsible(False)
        self.left_pane: QWidget = _placeholder("Loading assistants…")
        self.chat_pane: QWidget = _placeholder("Loading the chat…")
        self.inspector_tabs = QTabWidget()
        self.inspector_tabs.setObjectName("inspectorTabs")
        self.inspector_tabs.setDocumentMode(True)
        self.splitter.addWidget(self.left_pane)
        self.splitter.addWidget(self.chat_pane)
        self.splitter.addWidget(self.inspector_tabs)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setStretchFactor(2, 3)
        self.splitter.setSizes([320, 560, 420])

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.banner)
        layout.addWidget(self.info_label)
        layout.addWidget(self.unsafe_label)
        layout.addWidget(self.note_label)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.statusBar().showMessage("Starting…")
        self._connect_signals()
        self.is_built = True
        if self.has_painted:
            QTimer.singleShot(0, self._after_first_paint)

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.has_painted:
            self.has_painted = True
            QTimer.singleShot(0, self._after_first_paint)
        super().paintEvent(event)

    def _after_first_paint(self) -> None:
        # Key sequences build Qt's enum namespace (~50 ms): not before the window is seen.
        if self.is_built:
            self.connections_button.setShortcut("Ctrl+,")

    def wait_first_paint(self, app: QCoreApplication, timeout_s: float = 2.0) -> bool:
        """Process events until the window has painted once (start-up shows it first)."""
        deadline = time.monotonic() + timeout_s
        while not self.has_painted and time.monotonic() < deadline:
            app.processEvents()
        return self.has_painted

    def sizeHint(self) -> QSize:
        return QSize(1320, 820)

    # -- panes ----------------------------------------------------------------------------

    def set_left_pane(self, widget: QWidget) -> None:
        self.left_pane = self._replace(0, self.left_pane, widget)

    def set_left_pane_message(self, text: str) -> None:
        """Say why the left pane is empty (it failed to load)."""
        self.set_left_pane(_placeholder(text))

    def set_chat_pane(self, widget: QWidget) -> None:
        self.chat_pane = self._replace(1, self.chat_pane, widget)

    def balance_panes(self) -> None:
        """Share the width once the real panes are in: the inspector needs room too.

        Each pane gets its share of the width (left 25 %, chat 30 %, the rest to the
        inspector, whose run tree has five columns) but never less than it needs to show its
        controls.
        """
        total = sum(self.splitter.sizes()) or self.width()
        left = max(self.left_pane.minimumSizeHint().width(), int(total * 0.25))
        chat = max(self.chat_pane.minimumSizeHint().width(), int(total * 0.30))
        self.splitter.setSizes([left, chat, max(total - left - chat, 200)])

    def _replace(self, index: int, old: QWidget, new: QWidget) -> QWidget:
        sizes = self.splitter.sizes()
        self.splitter.replaceWidget(index, new)
        old.deleteLater()
        self.splitter.setSizes(sizes)
        return new

    # -- what the app feeds in ------------------------------------------------------------

    def set_profiles(self, profiles: list[tuple[str, str]], current: str | None) -> None:
        """(id, name) pairs for the selector; does not emit ``profile_selected``."""
        self._updating_profiles = True
        try:
            self.profile_combo.clear()
            for profile_id, name in profiles:
                self.profile_combo.addItem(name, profile_id)
            self.set_current_profile(current)
        finally:
            self._updating_profiles = False

    def set_current_profile(self, profile_id: str | None) -> None:
        self._updating_profiles = True
        try:
            index = self.profile_combo.findData(profile_id) if profile_id else -1
            self.profile_combo.setCurrentIndex(index)
        finally:
            self._updating_profiles = False

    def set_connection_text(self, text: str, *, ok: bool) -> None:
        """Show the connection state; the label elides it, its tooltip holds all of it."""
        self.connection_label.set_full_text(text)
        self.connection_label.setStyleSheet("" if ok else "color: #b00020;")

    def set_info(self, text: str) -> None:
        """Show (or, with ``""``, hide) the information line under the toolbar."""
        from PySide6.QtCore import Qt

        from playground.ui.plain import tip

        self.info_label.setTextFormat(Qt.TextFormat.PlainText)
        self.info_label.setText(text)
        self.info_label.setToolTip(tip(text))
        self.info_label.setVisible(bool(text))

    def set_unsafe_code_notice(self, visible: bool) -> None:
        """The red notice while the code interpreter runs without isolation."""
        self.unsafe_label.setVisible(visible)

    def set_note(self, text: str) -> None:
        from PySide6.QtCore import Qt

        self.note_label.setTextFormat(Qt.TextFormat.PlainText)  # notes quote server text
        self.note_label.setText(text)
        self.note_label.setVisible(bool(text))

    # -- wiring ---------------------------------------------------------------------------

    def _connect_signals(self) -> None:
        self._bridge.error_posted.connect(self.on_bridge_error_posted)
        self._bridge.notice_posted.connect(self.on_bridge_notice_posted)
        self.profile_combo.currentIndexChanged.connect(self.on_profile_combo_changed)
        self.connections_button.clicked.connect(self.connections_requested)
        self.testing_button.clicked.connect(self.testing_requested)

    def on_bridge_error_posted(self, title: str, detail: str) -> None:
        self.banner.show_error(title, detail)

    def on_bridge_notice_posted(self, text: str) -> None:
        self.statusBar().showMessage(text, _NOTICE_TIMEOUT_MS)

    def on_profile_combo_changed(self, index: int) -> None:
        if self._updating_profiles or index < 0:
            return
        profile_id = self.profile_combo.itemData(index)
        if isinstance(profile_id, str):
            self.profile_selected.emit(profile_id)

    def closeEvent(self, event: QCloseEvent) -> None:
        # The app stops runs and the runtime after the loop sees the window go.
        self.closing.emit()
        super().closeEvent(event)
