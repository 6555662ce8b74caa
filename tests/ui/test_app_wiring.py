"""The composition root is the one place panes meet: what it joins works in the real app.

``install_inspector`` and the chat's view model know nothing of each other; the app's
``_connect_signals`` connects them. These tests drive one side through its public intents
and see the other side follow, through the app built exactly as ``main`` builds it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers.qt_wait import until
from tests.ui.shell_support import llm, model_env, running_app

__all__ = ["llm", "model_env"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")  # offscreen sizing


async def test_the_inspector_follows_the_thread_the_chat_opens(
    qtbot: Any, model_env: object
) -> None:
    async with running_app(qtbot) as app:
        inspector = app.parts.inspector
        assert inspector is not None
        ivm = inspector.inspector_vm
        thread = await app.parts.session.client.threads.create(
            {"messages": [{"role": "user", "content": "hello"}]}
        )
        assert await app.parts.threads_vm.open_by_id_async(thread.id)
        await until(
            lambda: ivm.thread_id == thread.id,
            [ivm.thread_changed],
            what="the inspector on the chat's thread",
        )
        assert inspector.outputs_vm.thread_id == thread.id


async def test_a_message_link_in_the_inspector_scrolls_the_chat(
    qtbot: Any, model_env: object
) -> None:
    async with running_app(qtbot) as app:
        inspector = app.parts.inspector
        assert inspector is not None
        chat = app.parts.chat_vm
        thread = await app.parts.session.client.threads.create(
            {"messages": [{"role": "user", "content": "hello"}]}
        )
        assert await app.parts.threads_vm.open_by_id_async(thread.id)
        await until(lambda: chat.item_count == 1, [chat.messages_changed], what="message shown")
        message_id = chat.item_at(0).key
        with qtbot.waitSignal(chat.scroll_requested, timeout=5000) as blocker:
            inspector.inspector_vm.open_message(message_id)  # a step's message link
        assert blocker.args == [message_id]


async def test_output_notices_reach_the_message_bridge(
    qtbot: Any, model_env: object, tmp_path: Path
) -> None:
    async with running_app(qtbot) as app:
        inspector = app.parts.inspector
        assert inspector is not None
        saved = str(tmp_path / "plot.png")
        with qtbot.waitSignal(app.bridge.notice_posted, timeout=5000) as blocker:
            inspector.actions.on_vm_saved("file-plot", saved)  # what a finished save says
        assert blocker.args == [f"Saved {saved}"]
