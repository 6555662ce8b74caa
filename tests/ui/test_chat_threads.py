"""Threads and messages in the real window against the real runtime (no runs needed here)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.qt_wait import until
from tests.helpers.scripted_llm import ScriptedLLM
from tests.ui.shell_support import Running, llm, model_env, running_app

__all__ = ["llm", "model_env"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def _texts(app: Running) -> list[str]:
    return [i.text for i in app.parts.chat_vm.items]


async def _add(app: Running, text: str) -> None:
    """Type and press Add, then wait until the message is in the chat."""
    pane = app.chat_pane
    pane.composer.setPlainText(text)
    pane.add_button.click()
    vm = app.parts.chat_vm
    await until(
        lambda: text in _texts(app) and not vm.locked, [vm.messages_changed, vm.locked_changed]
    )


async def test_add_creates_a_thread_and_shows_the_message(
    qtbot: Any, model_env: ScriptedLLM
) -> None:
    async with running_app(qtbot) as app:
        pane = app.chat_pane
        await _add(app, "Hello **there**")
        vm, threads = app.parts.chat_vm, app.parts.threads_vm
        assert vm.thread_id is not None and vm.thread_id.startswith("thread")
        assert [t.thread_id for t in threads.threads] == [vm.thread_id]
        assert threads.threads[0].title == "Hello **there**"
        assert pane.composer.toPlainText() == ""  # cleared only after the message is posted
        assert "Hello **there**" in pane.messages.plain_text()  # user text shown verbatim
        # The server really has it, once.
        page = await app.parts.session.client.messages.list(vm.thread_id).page()
        assert [m.content[0].text.value for m in page.data] == ["Hello **there**"]


async def test_switching_threads_never_mixes_messages(qtbot: Any, model_env: ScriptedLLM) -> None:
    async with running_app(qtbot) as app:
        vm, threads = app.parts.chat_vm, app.parts.threads_vm
        await _add(app, "alpha one")
        first = vm.thread_id
        threads.new_thread()
        await _add(app, "beta one")
        second = vm.thread_id
        assert first and second and first != second
        # Switch back and forth quickly; only the last switch's messages may land.
        for target in (first, second, first, second, first):
            threads.select(target)
        await until(lambda: _texts(app) == ["alpha one"], [vm.messages_changed], what="alpha shown")
        async with asyncio.timeout(20):
            await app.app.runner.wait_idle()
        assert _texts(app) == ["alpha one"]
        assert "beta" not in app.chat_pane.messages.plain_text()
        threads.select(second)
        await until(lambda: _texts(app) == ["beta one"], [vm.messages_changed], what="beta shown")


async def test_rename_delete_and_open_by_id(qtbot: Any, model_env: ScriptedLLM) -> None:
    async with running_app(qtbot) as app:
        vm, threads = app.parts.chat_vm, app.parts.threads_vm
        client = app.parts.session.client
        outside = await client.threads.create(
            {"messages": [{"role": "user", "content": "made elsewhere"}]}
        )
        assert await threads.open_by_id_async(outside.id)
        await until(lambda: _texts(app) == ["made elsewhere"], [vm.messages_changed])
        assert vm.thread_id == outside.id
        threads.rename(outside.id, "Imported")
        await until(
            lambda: threads.entry(outside.id) and threads.entry(outside.id).title == "Imported",  # type: ignore[union-attr]
            [threads.threads_changed],
        )
        list_texts = app.chat_pane.thread_list.titles()
        assert "Imported" in list_texts
        await threads.delete_async(outside.id)
        assert threads.entry(outside.id) is None
        assert vm.thread_id is None and vm.items == []
        # Opening an id that does not exist says so in words and changes nothing.
        with pytest.raises(Exception) as info:
            await threads.open_by_id_async("thread_doesnotexist")
        assert type(info.value).__name__ == "NotFoundError"
        assert threads.threads == []


async def test_draft_survives_recreating_the_window(qtbot: Any, model_env: ScriptedLLM) -> None:
    async with running_app(qtbot) as app:
        await _add(app, "first message")
        thread_id = app.parts.chat_vm.thread_id
        app.chat_pane.composer.setPlainText("half-written thought")
        vm = app.parts.chat_vm
        # The debounced save lands by itself (no flush): wait for the store to have it.
        store, profile_id = app.parts.store, app.parts.session.profile_id
        assert profile_id is not None

        def saved() -> bool:
            draft = store.drafts.load(profile_id, thread_id)
            return draft is not None and draft.text == "half-written thought"

        await until(
            lambda: not vm._draft_dirty and saved(),
            [app.app.runner.busy_changed],
            what="draft saved",
        )
    async with running_app(qtbot) as again:
        threads = again.parts.threads_vm
        await until(lambda: threads.threads, [threads.threads_changed])
        threads.select(thread_id)
        pane = again.chat_pane
        await until(
            lambda: pane.composer.toPlainText() == "half-written thought",
            [again.parts.chat_vm.draft_loaded],
        )
        assert _texts(again) == [] or "first message" in _texts(again)


async def test_server_error_keeps_the_typed_text(qtbot: Any, model_env: ScriptedLLM) -> None:
    async with running_app(qtbot) as app:
        vm, threads = app.parts.chat_vm, app.parts.threads_vm
        await _add(app, "will vanish")
        thread_id = vm.thread_id
        assert thread_id
        async with asyncio.timeout(20):
            await app.app.runner.wait_idle()
        # Delete the thread behind the window's back, then try to add to it.
        await app.parts.session.client.threads.delete(thread_id)
        pane = app.chat_pane
        pane.composer.setPlainText("keep me")
        pane.add_button.click()
        await until(
            lambda: any("Sending the message" in d for _, d in app.errors),
            [app.bridge.error_posted],
            what="error shown",
        )
        title, detail = next((t, d) for t, d in app.errors if "Sending the message" in d)
        assert title == "Not found on the server"
        assert "No thread found" in detail
        await until(lambda: not vm.locked, [vm.locked_changed])
        assert pane.composer.toPlainText() == "keep me"
        assert pane.run_button.isEnabled()
        assert app.window.banner.isVisible()
        del threads


async def test_attachments_are_uploaded_with_the_message(
    qtbot: Any, model_env: ScriptedLLM, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("The launch code is 1234.")
    async with running_app(qtbot) as app:
        pane = app.chat_pane
        pane.set_attachments([str(notes)])
        assert [c.name_label.text() for c in pane.attachment_chips.chips] == ["notes.txt"]
        await _add(app, "Please read the notes")
        vm = app.parts.chat_vm
        item = next(i for i in vm.items if i.text == "Please read the notes")
        assert item.attachments == ["notes.txt"]  # named, not by id
        uploaded = await app.parts.session.client.files.retrieve(item.attachment_ids[0])
        assert uploaded.filename == "notes.txt"
        assert pane.attachment_chips.chips == []  # cleared with the composer


async def test_the_first_message_keeps_the_composer_locked_until_posted(
    qtbot: Any, model_env: ScriptedLLM
) -> None:
    """The new thread becomes current with no moment in which the send belongs to no thread.

    The thread list owns the current thread; the chat reads it. Were there an await between
    moving the run to the new thread's id and the list making that id current, the chat
    would see no run for a moment and unlock the composer: a second Add could post twice.
    """
    async with running_app(qtbot) as app:
        from PySide6.QtCore import QTimer

        vm, threads = app.parts.chat_vm, app.parts.threads_vm
        seen: list[bool] = []
        # Sampled on every turn of the event loop, not only when a signal says so.
        sampler = QTimer()
        sampler.setInterval(0)
        sampler.timeout.connect(lambda: seen.append(vm.locked))
        switches: list[object] = []
        vm.thread_changed.connect(switches.append)
        vm.locked_changed.connect(seen.append)
        sampler.start()
        await _add(app, "first words")
        sampler.stop()
        seen.append(vm.locked)
        assert seen and seen[-1] is False
        first_unlock = seen.index(False)
        assert all(seen[:first_unlock]) and not any(seen[first_unlock:])
        assert vm.thread_id == threads.current_id and vm.thread_id is not None
        assert switches == [vm.thread_id]  # continued on screen, not reloaded
        assert _texts(app) == ["first words"]


async def test_a_thread_created_after_the_person_moved_on_is_listed_not_opened(
    qtbot: Any, model_env: ScriptedLLM
) -> None:
    async with running_app(qtbot) as app:
        vm, threads = app.parts.chat_vm, app.parts.threads_vm
        await _add(app, "older thread")
        older = vm.thread_id
        threads.new_thread()
        app.chat_pane.composer.setPlainText("sent from the new-thread view")
        app.chat_pane.add_button.click()
        threads.select(older)  # before the server has even created the new thread
        await until(lambda: len(threads.threads) == 2, [threads.threads_changed])
        async with asyncio.timeout(20):
            await app.app.runner.wait_idle()
        assert threads.current_id == older == vm.thread_id
        assert _texts(app) == ["older thread"]
        created = next(t.thread_id for t in threads.threads if t.thread_id != older)
        page = await app.parts.session.client.messages.list(created).page()
        assert [m.content[0].text.value for m in page.data] == ["sent from the new-thread view"]
        threads.select(created)
        await until(lambda: _texts(app) == ["sent from the new-thread view"], [vm.messages_changed])
