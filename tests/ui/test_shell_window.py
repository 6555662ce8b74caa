"""The main window frame: panes, selector, error banner, notices; the app when the runtime fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel, QTabWidget

from playground.ui.main_window import MainWindow
from playground.ui.messages import MessageBridge
from playground.ui.viewmodels.chat_items import ChatItem, Footnote, item_from_message
from playground.ui.widgets.message_view import render_item
from tests.helpers.qt_wait import until
from tests.ui.shell_support import running_app

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def test_three_panes_and_inspector_tabs(qtbot: Any) -> None:
    window = MainWindow(MessageBridge())
    qtbot.addWidget(window)
    assert window.splitter.count() == 3
    assert isinstance(window.inspector_tabs, QTabWidget)
    assert window.splitter.widget(2) is window.inspector_tabs
    left = QLabel("left")
    window.set_left_pane(left)
    assert window.splitter.widget(0) is left and window.left_pane is left
    chat = QLabel("chat")
    window.set_chat_pane(chat)
    assert window.splitter.widget(1) is chat


def test_errors_show_in_the_banner_and_notices_in_the_status_bar(qtbot: Any) -> None:
    bridge = MessageBridge()
    window = MainWindow(bridge)
    qtbot.addWidget(window)
    window.show()
    assert not window.banner.isVisible()
    bridge.post_error("Could not reach the server", "Is it running?")
    assert window.banner.isVisible()
    assert window.banner.text == "Could not reach the server. Is it running?"
    bridge.post_notice("Saved.")
    assert window.statusBar().currentMessage() == "Saved."


def test_profile_selector_emits_only_for_the_person(qtbot: Any) -> None:
    window = MainWindow(MessageBridge())
    qtbot.addWidget(window)
    chosen: list[str] = []
    window.profile_selected.connect(chosen.append)
    window.set_profiles([("p1", "One"), ("p2", "Two")], "p2")
    assert window.profile_combo.currentText() == "Two"
    assert chosen == []  # filling the list is not a choice
    window.profile_combo.setCurrentIndex(0)
    assert chosen == ["p1"]


def test_annotations_become_footnote_markers() -> None:
    from playground.protocol import Message

    message = Message.model_validate(
        {
            "id": "msg_1",
            "role": "assistant",
            "content": [
                {
                    "type": "text",
                    "text": {
                        "value": "See the report【4:0†source】 and the chart sandbox:/mnt/data/c.png.",
                        "annotations": [
                            {
                                "type": "file_citation",
                                "text": "【4:0†source】",
                                "start_index": 14,
                                "end_index": 26,
                                "file_citation": {"file_id": "file-abc", "quote": "Q3 grew"},
                            },
                            {
                                "type": "file_path",
                                "text": "sandbox:/mnt/data/c.png",
                                "start_index": 41,
                                "end_index": 64,
                                "file_path": {"file_id": "file-png"},
                            },
                        ],
                    },
                }
            ],
        }
    )
    item = item_from_message(message)
    assert "【" not in item.text and "sandbox:" not in item.text
    assert "[[1]](#fn-1)" in item.text and "[[2]](#fn-2)" in item.text
    assert item.footnotes == [
        Footnote(1, "file citation", "file-abc", "Q3 grew"),
        Footnote(2, "file", "file-png", name="c.png"),
    ]
    # The sandbox path became a link named after the file, handled by the chat.
    assert "[c.png](playground:file/file-png)" in item.text
    html = render_item(item)
    assert 'href="#fn-1"' in html and 'name="fn-2"' in html
    assert "Q3 grew" in html


def test_hostile_message_text_is_rendered_inert() -> None:
    item = ChatItem(
        key="m",
        role="assistant",
        text="<script>x()</script> ![p](https://evil.example/p.gif) [j](javascript:x())",
    )
    html = render_item(item)
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    user = render_item(ChatItem(key="u", role="user", text="<b>not bold</b>"))
    assert "&lt;b&gt;not bold&lt;/b&gt;" in user


async def test_window_opens_and_says_why_when_the_runtime_cannot_start(
    qtbot: Any, playground_home: Path
) -> None:
    # A file where the runtime's data folder should be: the runtime cannot start.
    data = playground_home / "data"
    data.mkdir(parents=True)
    (data / "runtime").write_text("not a folder")
    async with running_app(qtbot, connect=False) as app:
        await app.parts.connection_vm.open_last()
        session = app.parts.session
        await until(lambda: session.state.value == "failed", [session.state_changed])
        assert app.window.isVisible()
        assert "data folder" in session.state_detail
        assert app.window.banner.isVisible()
        assert "The embedded runtime did not start" in app.window.banner.text
        assert "cannot be created" in app.window.banner.text
