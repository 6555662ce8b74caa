"""Outputs inside the whole window, against the REAL runtime process and a scripted model.

A code-interpreter run draws a plot and writes files: the plot appears as a thumbnail in the
chat, the inspector and the gallery; a click opens the viewer, whose Save As writes the
server's bytes; the reply's ``sandbox:`` link downloads byte-exact and then offers the
containing folder; a link to a file the server no longer has says "expired". Also the
wiring between the panes: the inspector's message link scrolls the chat, function outputs
say who supplied them, cited files are named, and an assistant made elsewhere shows up in
the left pane once the chat uses it. The main-window screenshot is taken here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument

from playground.ui.viewmodels.chat_items import ChatItem
from playground.ui.viewmodels.inspector import NodeKey
from playground.ui.viewmodels.outputs import OutputStatus
from playground.ui.widgets.image_viewer import ImageViewerDialog
from playground.ui.widgets.inspector_pane import InspectorParts
from tests.helpers.qt_wait import until
from tests.helpers.screenshots import shoot
from tests.helpers.scripted_llm import ScriptedLLM, code, file_search, text, tool_calls
from tests.ui.shell_support import Running, llm, model_env, running_app

__all__ = ["llm", "model_env"]

# The offscreen platform cannot pass size hints to a window manager (the viewer is shown).
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


PLOT_AND_FILES = """
import matplotlib.pyplot as plt
import numpy as np
with open('out.csv', 'w') as f:
    f.write('a,b\\n1,2\\n')
with open('gone.txt', 'w') as f:
    f.write('soon deleted')
print('rows written')
x = np.linspace(0, 6.28, 200)
plt.figure(figsize=(4, 3))
plt.plot(x, np.sin(x))
plt.title('sine wave')
plt.show()
"""

REPLY = (
    "Here is the sine wave. [Download the CSV](sandbox:/mnt/data/out.csv), "
    "and the note: sandbox:/mnt/data/gone.txt"
)


def _inspector(app: Running) -> InspectorParts:
    parts = app.parts.inspector
    assert isinstance(parts, InspectorParts)
    return parts


def _assistant_item(app: Running) -> ChatItem:
    items = [i for i in app.parts.chat_vm.items if i.role == "assistant"]
    assert items, "no assistant message"
    return items[-1]


def _click(app: Running, url: str) -> None:
    """What a click on a link of the chat does (the browser's own signal)."""
    app.chat_pane.messages.browser.anchorClicked.emit(QUrl(url))


async def _poll(check: Callable[[], Awaitable[bool]], within: float = 20, what: str = "") -> None:
    """Ask the server until ``check`` holds (no Qt signal tells when it indexed a file)."""
    async with asyncio.timeout(within):
        # The server has no push for "indexed": asking again is the only way to know.
        while not await check():  # noqa: ASYNC110
            await asyncio.sleep(0.05)


async def test_code_interpreter_outputs_in_chat_inspector_and_gallery(
    qtbot: Any, model_env: ScriptedLLM, tmp_path: Path
) -> None:
    model_env.queue(code(PLOT_AND_FILES), text(REPLY))
    async with running_app(qtbot) as app:
        await app.create_assistant(tools=[{"type": "code_interpreter"}])
        inspector = _inspector(app)
        chosen: list[Path] = []
        targets = iter([tmp_path / "plot.png", tmp_path / "data.csv", tmp_path / "never"])

        def pick(_parent: object, suggested: Path) -> Path:
            chosen.append(suggested)
            return next(targets)

        inspector.actions.prompt = pick
        app.type_and_run("Plot a sine wave and save a CSV.")
        assert await app.run_finished(within=60) == "completed"
        vm = app.parts.chat_vm
        await until(lambda: _assistant_item(app).images, [vm.messages_changed, vm.item_updated])
        item = _assistant_item(app)
        (image_id,) = item.images
        files = {note.name: note.target for note in item.footnotes if note.kind == "file"}
        assert set(files) == {"out.csv", "gone.txt"}

        # The thumbnail is in the chat, as an in-memory image only the app handed over.
        outputs = inspector.outputs_vm
        view = app.chat_pane.messages
        chat_outputs = app.parts.chat_outputs
        await until(
            lambda: (
                chat_outputs is not None
                and image_id in chat_outputs.thumbnails()
                and f"chat-thumb:{image_id}" in view.browser.toHtml()
            ),
            [outputs.output_changed, view.rendered],
            what="thumbnail in the chat",
        )
        shown = view.browser.document().resource(
            QTextDocument.ResourceType.ImageResource.value, QUrl(f"chat-thumb:{image_id}")
        )
        assert not shown.isNull() and shown.width() <= 160
        assert view.browser.refused_resources == []
        assert "click to open" in view.plain_text()
        assert "sandbox:" not in view.plain_text()

        # The same image in the inspector's code step and in the gallery.
        pane = inspector.pane
        (run_id,) = inspector.inspector_vm.run_ids()
        record = inspector.inspector_vm.record(run_id)
        assert record is not None
        code_step = next(iter(record.steps))
        assert pane.tree.select_key(NodeKey("call", run_id, code_step, 0))
        assert "np.sin" in pane.details.browser.toPlainText()
        assert f"thumb:{image_id}" in pane.details.browser.toHtml()
        assert inspector.gallery.list_item(image_id) is not None
        assert inspector.gallery.list.count() == 3  # the plot and the two linked files

        # Clicking the thumbnail opens the viewer; its Save As writes the server's bytes.
        opened: list[ImageViewerDialog] = []
        inspector.actions.viewer_opened.connect(opened.append)
        _click(app, f"playground:image/{image_id}")
        await until(lambda: opened, [inspector.actions.viewer_opened], what="the viewer")
        viewer = opened[0]  # owned by the window; it deletes itself on close
        assert viewer.image.width() > 160  # the full image, not the thumbnail
        saved: list[tuple[str, str]] = []
        outputs.saved.connect(lambda fid, path: saved.append((fid, path)))
        viewer.save_button.click()
        await until(lambda: saved, [outputs.saved], what="image saved")
        server_png = await app.parts.session.client.files.download(image_id)
        assert server_png.startswith(b"\x89PNG")
        assert (tmp_path / "plot.png").read_bytes() == server_png
        viewer.close()

        # The file_path link downloads (with progress shown in the chat), then Save As.
        csv_id = files["out.csv"]
        progress: list[OutputStatus] = []
        outputs.output_changed.connect(
            lambda fid: progress.append(outputs.item(fid).status) if fid == csv_id else None  # type: ignore[union-attr]
        )
        _click(app, f"playground:file/{csv_id}")
        await until(lambda: len(saved) == 2, [outputs.saved], what="CSV saved")
        assert OutputStatus.FETCHING in progress
        assert saved[1] == (csv_id, str(tmp_path / "data.csv"))
        assert (tmp_path / "data.csv").read_bytes() == b"a,b\n1,2\n"
        assert chosen[1].name == "out.csv"  # the dialog starts with the real file name
        await until(
            lambda: "open containing folder" in view.plain_text(),
            [view.rendered],
            what="the folder link",
        )
        assert "folder/" + csv_id in view.browser.toHtml()

        # The window as a person sees it after the run: the screenshot in the README.
        assert app.window.width() <= 1320, "the panes need more room than the window has"
        assert pane.tree.select_key(NodeKey("call", run_id, code_step, 0))
        shoot(app.window, "main-window.png")

        # A file the server no longer has: "expired", a plain message, nothing saved.
        gone_id = files["gone.txt"]
        await app.parts.session.client.files.delete(gone_id)
        errors_before = len(app.errors)
        _click(app, f"playground:file/{gone_id}")
        await until(lambda: "expired" in view.plain_text(), [view.rendered], what="expired shown")
        assert outputs.item(gone_id).status is OutputStatus.EXPIRED  # type: ignore[union-attr]
        await until(lambda: len(app.errors) > errors_before, [app.bridge.error_posted])
        assert app.errors[-1][0] == "File expired"
        assert len(saved) == 2 and not (tmp_path / "never").exists()

        # The inspector's message link brings the reply into view in the chat (the view made
        # short, so the conversation scrolls).
        app.chat_pane.splitter.setSizes([90, 600])
        view.browser.grab()  # lay out at the new size so the scroll range is known
        bar = view.browser.verticalScrollBar()
        assert bar.maximum() > 0
        bar.setValue(0)
        pane.details.on_browser_anchor_clicked(QUrl(f"inspector:message/{item.key}"))
        assert bar.value() > 0


async def test_function_outputs_say_who_supplied_them(qtbot: Any, model_env: ScriptedLLM) -> None:
    weather = {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
    model_env.queue(tool_calls(("get_weather", {"city": "Oslo"})), text("Snow in Oslo."))
    async with running_app(qtbot) as app:
        await app.create_assistant(tools=[weather])
        app.type_and_run("Oslo?")
        vm = app.parts.chat_vm
        await until(
            lambda: vm.prompt is not None and vm.prompt.is_ready,
            [vm.tool_prompt_requested, vm.run_state_changed],
            what="the tool prompt",
        )
        prompt = vm.prompt
        assert prompt is not None
        dialog = app.chat_pane.prompt_dialog
        assert dialog is not None
        dialog.boxes[0].output.setPlainText('{"weather": "snow"}')  # type: ignore[attr-defined]
        dialog.submit_button.click()  # type: ignore[attr-defined]
        assert await app.run_finished(within=60) == "completed"
        call_id = next(
            m["tool_call_id"] for m in model_env.requests[-1]["messages"] if m["role"] == "tool"
        )
        inspector = _inspector(app).inspector_vm
        assert inspector.tool_source(call_id) == "you"
        (run_id,) = inspector.run_ids()
        record = inspector.record(run_id)
        assert record is not None
        step_id = next(iter(record.steps))
        details = _inspector(app).pane.details
        assert _inspector(app).pane.tree.select_key(NodeKey("call", run_id, step_id, 0))
        assert "you" in details.browser.toPlainText()


async def test_cited_file_is_named_in_the_footnote(qtbot: Any, model_env: ScriptedLLM) -> None:
    async with running_app(qtbot) as app:
        client = app.parts.session.client
        uploaded = await client.files.upload(
            b"Project Falcon: the launch code is 7741.", filename="falcon.txt"
        )
        store = await client.vector_stores.create({"name": "notes", "file_ids": [uploaded.id]})

        async def indexed() -> bool:
            found = await client.vector_stores.retrieve(store.id)
            return bool(found.file_counts.completed == 1)

        await _poll(indexed, what="file indexed")
        model_env.queue(file_search("launch code"), text("It is 7741【0:0†falcon.txt】."))
        await app.create_assistant(
            tools=[{"type": "file_search"}],
            tool_resources={"file_search": {"vector_store_ids": [store.id]}},
        )
        app.type_and_run("Launch code?")
        assert await app.run_finished(within=60) == "completed"
        view = app.chat_pane.messages
        await until(
            lambda: "file citation: falcon.txt" in view.plain_text(),
            [view.rendered, app.parts.chat_vm.file_names_changed],
            what="cited file named",
        )
        assert "【" not in view.plain_text()


async def test_assistant_made_elsewhere_shows_when_the_chat_uses_it(
    qtbot: Any, model_env: ScriptedLLM
) -> None:
    model_env.queue(text("Hi from the first."))
    async with running_app(qtbot) as app:
        first = await app.create_assistant()
        app.type_and_run("Hello")
        assert await app.run_finished(within=60) == "completed"
        thread_id = app.parts.chat_vm.thread_id
        assert thread_id
        assistants = app.parts.assistants_vm
        assert assistants is not None
        # Made with the API, not the pane: the list has not seen it.
        other = await app.parts.session.client.assistants.create(
            {"model": "scripted-model", "name": "Made elsewhere"}
        )
        assert other.id not in [a.id for a in assistants.assistants]
        app.parts.chat_vm.set_assistant(other.id)
        await until(
            lambda: assistants.selected_id == other.id,
            [assistants.selected_changed],
            what="the left pane follows the chat",
        )
        assert other.id in [a.id for a in assistants.assistants]
        # Back in the first thread, the chat and the pane go back to its assistant.
        app.parts.threads_vm.select(None)
        await until(lambda: app.parts.chat_vm.thread_id is None, [app.parts.chat_vm.thread_changed])
        app.parts.threads_vm.select(thread_id)
        await until(
            lambda: assistants.selected_id == first and app.parts.chat_vm.assistant_id == first,
            [assistants.selected_changed, app.parts.chat_vm.assistant_changed],
            what="the thread's own assistant",
        )
        assert app.errors == []


async def test_message_images_show_as_thumbnails_or_say_why_not(
    qtbot: Any, model_env: ScriptedLLM
) -> None:
    from tests.ui.inspector_env import bomb_png, png_bytes

    async with running_app(qtbot) as app:
        client = app.parts.session.client
        good = await client.files.upload(png_bytes(40, 30), filename="red.png", purpose="vision")
        gone = await client.files.upload(png_bytes(8, 8), filename="gone.png", purpose="vision")
        bomb = await client.files.upload(bomb_png(), filename="bomb.png", purpose="vision")
        parts = [
            {"type": "text", "text": "Three pictures"},
            *({"type": "image_file", "image_file": {"file_id": f.id}} for f in (good, gone, bomb)),
        ]
        thread = await client.threads.create({"messages": [{"role": "user", "content": parts}]})
        await client.files.delete(gone.id)
        assert await app.parts.threads_vm.open_by_id_async(thread.id)
        view = app.chat_pane.messages
        outputs = _inspector(app).outputs_vm

        def settled() -> bool:
            items = [outputs.item(f.id) for f in (good, gone, bomb)]
            return all(i is not None and i.status.value in ("ready", "expired") for i in items)

        await until(settled, [outputs.output_changed, view.rendered], what="images settled")
        view.render_now()
        html = view.browser.toHtml()
        assert f"chat-thumb:{good.id}" in html
        assert f"chat-thumb:{gone.id}" not in html and f"chat-thumb:{bomb.id}" not in html
        shown = view.plain_text()
        assert "expired" in shown
        assert "cannot be shown" in shown and "megapixels" in shown
        assert view.browser.refused_resources == []
        assert app.errors == []  # shown where the image would be, not as an error box
