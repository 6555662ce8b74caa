"""Long threads in the real window against the real runtime: paging, streaming, rendering once.

The chat pane renders one frame per message and pages older messages in with the API's
cursors; these tests drive the real app (``running_app``) and check behaviour, never timing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QColor, QImage, QTextImageFormat

from playground.ui.viewmodels.chat import HISTORY_LIMIT
from playground.ui.widgets.message_view import MessageView
from tests.helpers.qt_wait import until
from tests.helpers.scripted_llm import ScriptedLLM, text
from tests.ui.shell_support import Running, llm, model_env, running_app

__all__ = ["llm", "model_env"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


async def _thread_with(app: Running, count: int, word: str = "message") -> tuple[str, list[str]]:
    """A thread holding ``count`` user messages made through the API, oldest first."""
    client = app.parts.session.client
    texts = [f"{word} {i:04d}" for i in range(count)]
    thread = await client.threads.create(
        {"messages": [{"role": "user", "content": value} for value in texts]}
    )
    return thread.id, texts


async def _open(app: Running, thread_id: str, expected: int) -> MessageView:
    """Open a thread by id and wait until its first page is in the document."""
    vm = app.parts.chat_vm
    view = app.chat_pane.messages
    assert await app.parts.threads_vm.open_by_id_async(thread_id)
    await until(
        lambda: vm.thread_id == thread_id and vm.item_count == expected and view.is_caught_up,
        [vm.messages_changed, view.rendered],
        what="thread shown",
    )
    return view


def _save_screenshot(picture: Any, name: str) -> None:
    folder = os.environ.get("PLAYGROUND_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        assert picture.save(str(Path(folder) / name))


def _texts(app: Running) -> list[str]:
    return [i.text for i in app.parts.chat_vm.items]


async def test_older_messages_load_on_scroll_and_keep_their_order(
    qtbot: Any, model_env: ScriptedLLM
) -> None:
    async with running_app(qtbot) as app:
        total = HISTORY_LIMIT * 2 + 30
        thread_id, texts = await _thread_with(app, total)
        view = await _open(app, thread_id, HISTORY_LIMIT)
        vm = app.parts.chat_vm
        # The newest page, in order, and a header saying there is more.
        assert _texts(app) == texts[-HISTORY_LIMIT:]
        assert vm.has_older
        assert "Older messages" in view.header_text()
        bar = view.browser.verticalScrollBar()
        assert bar.value() == bar.maximum()  # opened at the newest message
        shown = len(texts) - HISTORY_LIMIT
        while vm.has_older:
            reading = view.shown_keys()[0]
            bar.setValue(0)  # scroll to the top, as a person does
            shown = max(0, shown - HISTORY_LIMIT)
            await until(
                lambda: not vm.loading_older and view.is_caught_up,
                [vm.history_changed, view.rendered],
                what="older page shown",
            )
            assert _texts(app) == texts[shown:]
            # What was at the top stays in view (the page went in above it).
            assert bar.value() > 0
            assert reading in view.shown_keys()
        assert _texts(app) == texts
        assert view.shown_keys() == [i.key for i in vm.items]
        plain = view.plain_text()
        positions = [plain.index(value) for value in texts]
        assert positions == sorted(positions)  # the document shows them in order too
        assert "Beginning of the thread" in view.header_text()
        # The header link works too: nothing more to load, so nothing is asked for.
        vm.load_older()
        assert not vm.loading_older


async def test_nothing_is_rendered_twice_across_thread_switches(
    qtbot: Any, model_env: ScriptedLLM
) -> None:
    async with running_app(qtbot) as app:
        long_id, long_texts = await _thread_with(app, 40, "long")
        short_id, _ = await _thread_with(app, 3, "short")
        view = await _open(app, long_id, 40)
        keys = view.shown_keys()
        assert len(keys) == 40
        frames_once = view.frames_rendered
        await _open(app, short_id, 3)
        await _open(app, long_id, 40)
        assert view.shown_keys() == keys
        # Each message converted exactly once, however often the thread was shown.
        assert all(view.conversions[key] == 1 for key in keys)
        # Showing it again writes each frame once (plus the two of the short thread).
        assert view.frames_rendered - frames_once == 3 + 40
        assert all(value in view.plain_text() for value in long_texts)


async def test_a_streamed_message_ends_as_the_stored_text(
    qtbot: Any, model_env: ScriptedLLM
) -> None:
    answer = (
        "Here is the function:\n\n```python\n"
        + "\n".join(f"def f{i}(x):\n    return x * {i}  # " + "y" * 120 for i in range(12))
        + "\n```\n\nAnd **that** is all."
    )
    model_env.queue(text(answer, chunk_delay=0.002))
    async with running_app(qtbot) as app:
        await app.create_assistant()
        vm = app.parts.chat_vm
        view = app.chat_pane.messages
        app.type_and_run("Write some code")
        status = await app.run_finished()
        assert status == "completed"
        await until(lambda: view.is_caught_up, [view.rendered], what="view caught up")
        page = await app.parts.session.client.messages.list(vm.thread_id, order="asc").page()
        stored = page.data[-1]
        shown = next(i for i in vm.items if i.key == stored.id)
        assert shown.text == stored.content[0].text.value == answer
        plain = view.plain_text()
        assert "that is all." in plain and "def f11(x):" in plain
        assert "(writing…)" not in plain  # never left behind once the run is over
        # Streaming re-rendered only the live message: the user's one was written once.
        user_key = page.data[0].id
        assert view.conversions[user_key] == 1
        # The long code line wraps in its block instead of widening the whole conversation.
        assert view.browser.horizontalScrollBar().maximum() == 0


async def test_images_appear_in_their_own_message(qtbot: Any, model_env: ScriptedLLM) -> None:
    async with running_app(qtbot) as app:
        client = app.parts.session.client
        image = QImage(40, 30, QImage.Format.Format_RGB32)
        image.fill(QColor("green"))
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]
        png = bytes(buffer.data().data())
        uploaded = await client.files.upload(png, purpose="vision", filename="plot.png")
        thread = await client.threads.create()
        keys = []
        for index in range(6):
            content: Any = f"before {index}"
            if index == 3:
                content = [
                    {"type": "text", "text": "here is the plot"},
                    {"type": "image_file", "image_file": {"file_id": uploaded.id}},
                ]
            message = await client.messages.create(thread.id, {"role": "user", "content": content})
            keys.append(message.id)
        view = await _open(app, thread.id, 6)
        assert view.outputs is not None
        name = f"chat-thumb:{uploaded.id}"

        def frame_of_image() -> str | None:
            for key in view.shown_keys():
                frame = view._frames[key]
                block = frame.firstCursorPosition().block()
                while block.isValid() and block.position() <= frame.lastPosition():
                    it = block.begin()
                    while not it.atEnd():
                        fmt = it.fragment().charFormat()
                        if fmt.isImageFormat() and QTextImageFormat(fmt).name() == name:
                            return key
                        it += 1
                    block = block.next()
            return None

        await until(
            lambda: frame_of_image() is not None,
            [view.outputs.file_changed, view.rendered],
            what="thumbnail shown",
        )
        assert frame_of_image() == keys[3]
        # Only the message showing the image was written again when the thumbnail came.
        assert all(view.conversions[key] == 1 for key in keys)


async def test_a_huge_message_is_cut_and_show_all_has_every_line(
    qtbot: Any, model_env: ScriptedLLM
) -> None:
    lines = [f"row {i} = {i * i}" for i in range(6000)]
    huge = "```text\n" + "\n".join(lines) + "\n```"
    async with running_app(qtbot) as app:
        client = app.parts.session.client
        thread = await client.threads.create()
        message = await client.messages.create(thread.id, {"role": "user", "content": "hi"})
        await client.messages.create(thread.id, {"role": "assistant", "content": huge})
        view = await _open(app, thread.id, 2)
        plain = view.plain_text()
        assert "row 10 = 100" in plain
        assert "row 5999" not in plain  # cut: the rest is not laid out
        assert "Long message (6,002 lines" in plain and "Show all" in plain
        key = view.shown_keys()[-1]
        dialog = view.show_all(key)
        assert dialog is not None
        qtbot.addWidget(dialog)
        await until(dialog.loaded, [dialog.loaded_all], what="full text loaded")
        assert dialog.editor.toPlainText() == huge
        assert message.id in view.shown_keys()


async def test_a_long_thread_says_older_messages_exist_and_keeps_code_in_its_block(
    qtbot: Any, model_env: ScriptedLLM
) -> None:
    """Also the screenshot ``docs/screenshots/chat-long-thread.png`` (PLAYGROUND_SCREENSHOTS)."""
    messages = []
    for i in range(HISTORY_LIMIT + 20):
        if i % 2 == 0:
            messages.append({"role": "user", "content": f"Question {i // 2 + 1}: sum row {i}?"})
        else:
            line = f"    return sum(values[{i}:]) * weights[{i}] + offset  # a long comment " + (
                "that keeps going " * 6
            )
            messages.append(
                {
                    "role": "assistant",
                    "content": f"Answer {i // 2 + 1}:\n\n```python\ndef row_{i}(values):\n"
                    f"{line}\n```\n\nThe result is **{i * 3}**.",
                }
            )
    async with running_app(qtbot) as app:
        thread = await app.parts.session.client.threads.create({"messages": messages})
        view = await _open(app, thread.id, HISTORY_LIMIT)
        assert app.parts.chat_vm.has_older
        assert view.browser.horizontalScrollBar().maximum() == 0  # code wraps in its block
        bar = view.browser.verticalScrollBar()
        bar.blockSignals(True)  # look at the top without asking for the older page
        bar.setValue(0)
        try:
            picture = app.window.grab()
            assert "Older messages" in view.header_text()
            _save_screenshot(picture, "chat-long-thread.png")
        finally:
            bar.blockSignals(False)


async def test_cancel_keeps_the_place_the_person_was_reading(
    qtbot: Any, model_env: ScriptedLLM
) -> None:
    model_env.queue(text("word " * 2000, chunk_delay=0.01, chunk_chars=5))
    async with running_app(qtbot) as app:
        await app.create_assistant()
        thread_id, _ = await _thread_with(app, 60, "earlier")
        view = await _open(app, thread_id, 60)
        vm = app.parts.chat_vm
        app.type_and_run("Talk for a while")
        await until(
            lambda: any(i.role == "assistant" and i.text for i in vm.items),
            [vm.item_updated, vm.messages_changed],
            what="the answer streams",
        )
        bar = view.browser.verticalScrollBar()
        bar.setValue(bar.maximum() // 2)  # the person scrolls up to read
        reading = bar.value()
        vm.cancel_run()
        status = await app.run_finished()
        assert status == "cancelled"
        await until(lambda: view.is_caught_up, [view.rendered], what="view caught up")
        assert "The run was cancelled." in view.plain_text()
        assert bar.value() == reading  # no jump to the top (or anywhere)
        assert "(writing…)" not in view.plain_text()
