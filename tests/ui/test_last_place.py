"""The last thread, its assistant and its draft reopen at start and after Save & connect."""

from __future__ import annotations

from typing import Any

import pytest

from playground.store.last_place import Place
from tests.helpers.qt_wait import until
from tests.helpers.scripted_llm import ScriptedLLM
from tests.ui.shell_support import Running, llm, model_env, running_app

__all__ = ["llm", "model_env"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


async def _back_in_place(app: Running, thread_id: str, assistant_id: str, draft: str) -> None:
    vm, pane = app.parts.chat_vm, app.chat_pane
    await until(
        lambda: (
            vm.thread_id == thread_id
            and vm.assistant_id == assistant_id
            and pane.composer.toPlainText() == draft
            and not app.parts.place.restoring
        ),
        [vm.thread_changed, vm.assistant_changed, vm.draft_loaded, app.parts.place.restored],
        what="the last place reopened",
    )
    assistants = app.parts.assistants_vm
    await until(
        lambda: assistants.selected_id == assistant_id,
        [assistants.selected_changed],
        what="the left pane shows the assistant",
    )
    assert app.parts.threads_vm.current_id == thread_id


async def _remembered(app: Running, expected: Place) -> None:
    store, profile_id = app.parts.store, app.parts.session.profile_id
    assert profile_id is not None
    vm = app.parts.chat_vm
    await until(
        lambda: (
            store.last_place.recall(profile_id) == expected
            and not vm._draft_dirty
            and (d := store.drafts.load(profile_id, expected.thread_id)) is not None
            and d.text == "half-written"
        ),
        [app.app.runner.busy_changed],
        what="place and draft saved",
    )


async def test_thread_assistant_and_draft_reopen_after_restart_and_reconnect(
    qtbot: Any, model_env: ScriptedLLM
) -> None:
    async with running_app(qtbot) as app:
        assistant_id = await app.create_assistant(name="Reopener")
        pane, vm = app.chat_pane, app.parts.chat_vm
        pane.composer.setPlainText("first message")
        pane.add_button.click()
        await until(lambda: vm.thread_id and not vm.locked, [vm.locked_changed, vm.thread_changed])
        thread_id = vm.thread_id
        assert thread_id is not None
        pane.composer.setPlainText("half-written")
        await _remembered(app, Place(thread_id=thread_id, assistant_id=assistant_id))
    async with running_app(qtbot) as again:
        await _back_in_place(again, thread_id, assistant_id, "half-written")
        await until(
            lambda: [i.text for i in again.parts.chat_vm.items] == ["first message"],
            [again.parts.chat_vm.messages_changed],
            what="history loaded",
        )
        # Save & connect (the Connections dialog's path) reconnects; the place survives it.
        session = again.parts.session
        old_client = session.client
        profile = session.profile
        assert profile is not None
        await again.parts.connection_vm.save_async(profile)
        assert session.is_connected and session.client is not old_client
        await _back_in_place(again, thread_id, assistant_id, "half-written")
