"""The toolbar's connection label: elided to the room it has, the full text in its tooltip.

A long connection description (two URLs) used to push the label into the toolbar's overflow
menu, where nobody sees it.
"""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from playground.ui.main_window import MainWindow
from playground.ui.messages import MessageBridge
from playground.ui.plain import tip
from playground.ui.widgets.elided_label import ElidedLabel

LONG = (
    "Connected to the embedded runtime at http://127.0.0.1:43915 "
    "(model: scripted-model at http://127.0.0.1:35361/v1)"
)

# The offscreen platform cannot pass size hints to a window manager; nothing to act on.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def _window(qtbot: QtBot, width: int) -> MainWindow:
    window = MainWindow(MessageBridge())
    qtbot.addWidget(window)
    window.resize(width, 600)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_long_connection_text_is_elided_in_a_narrow_window_not_hidden(qtbot: QtBot) -> None:
    window = _window(qtbot, 760)
    label = window.connection_label
    window.set_connection_text(LONG, ok=True)
    qtbot.waitUntil(lambda: label.text() != "Starting…", timeout=2000)
    assert label.isVisible(), "the label fell into the toolbar's overflow"
    assert label.is_elided()
    assert label.text().endswith("…") and label.text().startswith("Connected to the embedded")
    assert label.toolTip() == tip(LONG) and label.full_text == LONG
    # The label stays inside the window: elided, not clipped off its right edge.
    right = label.mapTo(window, label.rect().topRight()).x()
    assert right <= window.width()


def test_wide_window_shows_the_whole_text_and_narrowing_elides_again(qtbot: QtBot) -> None:
    window = _window(qtbot, 1500)
    label = window.connection_label
    window.set_connection_text(LONG, ok=True)
    qtbot.waitUntil(lambda: label.text() == LONG, timeout=2000)
    assert not label.is_elided()
    window.resize(700, 600)
    qtbot.waitUntil(label.is_elided, timeout=2000)
    assert label.full_text == LONG


def test_failed_state_is_red_and_server_text_is_never_rich_text(qtbot: QtBot) -> None:
    window = _window(qtbot, 1200)
    window.set_connection_text("Could not connect: <b>401</b> Unauthorized", ok=False)
    label = window.connection_label
    assert "#b00020" in label.styleSheet()
    assert label.full_text == "Could not connect: <b>401</b> Unauthorized"
    # Plain text: the tags are shown as typed, never rendered as markup.
    assert label.textFormat().name == "PlainText"


def test_label_on_its_own_reports_full_width_but_accepts_less(qtbot: QtBot) -> None:
    label = ElidedLabel()
    qtbot.addWidget(label)
    label.set_full_text(LONG)
    assert label.sizeHint().width() > label.minimumSizeHint().width() * 3
    label.resize(label.minimumSizeHint())
    label.show()
    qtbot.waitUntil(label.is_elided, timeout=2000)
    assert label.fontMetrics().horizontalAdvance(label.text()) <= label.contentsRect().width()
