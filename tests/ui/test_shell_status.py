"""Who answers runs: a few words in the toolbar, the full advice in a wrapping info line."""

from __future__ import annotations

from typing import Any

import pytest

from playground.app import connection_summary, missing_display_reason
from playground.connection.embedded import ModelSource
from playground.connector import embedded_description
from playground.ui.main_window import MainWindow
from playground.ui.messages import MessageBridge

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

ROOT = "http://127.0.0.1:43123"


def test_offline_model_gets_short_headline_and_full_sentence() -> None:
    detail = embedded_description(ROOT, ModelSource.OFFLINE, "offline SmolLM2 (llama.cpp)")
    headline, info = connection_summary(
        "connected",
        detail,
        on_embedded=True,
        base_url=ROOT,
        model_description="offline SmolLM2-135M-Instruct (llama.cpp)",
    )
    assert headline == "Connected · embedded runtime 127.0.0.1:43123 · offline model"
    assert info == detail and "SmolLM2-135M) is answering" in info


def test_no_model_and_endpoint_headlines() -> None:
    detail = embedded_description(ROOT, ModelSource.NONE, "none (why)")
    headline, info = connection_summary(
        "connected", detail, on_embedded=True, base_url=ROOT, model_description="none (why)"
    )
    assert headline.endswith("· no model") and "runs will fail" in info
    headline, info = connection_summary(
        "connected",
        "whatever",
        on_embedded=True,
        base_url=ROOT,
        model_description="qwen2.5 at http://gpu:8000/v1",
    )
    assert headline == "Connected · embedded runtime 127.0.0.1:43123 · model qwen2.5"
    assert info == ""


def test_other_states_and_profiles_keep_their_detail() -> None:
    for state, embedded in (("failed", True), ("connecting", True), ("connected", False)):
        headline, info = connection_summary(
            state,
            "Could not connect: 401",
            on_embedded=embedded,
            base_url=None,
            model_description=None,
        )
        assert (headline, info) == ("Could not connect: 401", "")


def test_info_line_wraps_and_stays_visible(qtbot: Any) -> None:
    window = MainWindow(MessageBridge())
    qtbot.addWidget(window)
    window.resize(700, 500)
    window.show()
    qtbot.waitExposed(window)
    sentence = embedded_description(ROOT, ModelSource.OFFLINE, "offline x")
    window.set_info(sentence)
    assert window.info_label.isVisible()
    assert window.info_label.text() == sentence
    assert window.info_label.wordWrap()
    # Wrapped onto several lines, never cut: it needs more height than one line.
    line = window.info_label.fontMetrics().height()
    qtbot.waitUntil(lambda: window.info_label.height() > 2 * line, timeout=3000)
    assert "#e8f1fb" in window.info_label.styleSheet()  # information, not the error red
    window.set_info("")
    assert not window.info_label.isVisible()


def test_missing_display_is_detected_only_on_linux_without_any_display() -> None:
    assert "QT_QPA_PLATFORM=offscreen" in missing_display_reason({}, "linux")
    assert missing_display_reason({"DISPLAY": ":0"}, "linux") == ""
    assert missing_display_reason({"WAYLAND_DISPLAY": "wayland-0"}, "linux") == ""
    assert missing_display_reason({"QT_QPA_PLATFORM": "offscreen"}, "linux") == ""
    assert missing_display_reason({}, "win32") == ""
    assert missing_display_reason({}, "darwin") == ""
