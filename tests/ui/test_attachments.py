"""Attachments in the real window against the real runtime: routing, chips, names, images."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QColor, QImage

from playground.ui.viewmodels.attachments import CODE, SEARCH, default_tools
from tests.helpers.qt_wait import until
from tests.helpers.scripted_llm import ScriptedLLM
from tests.ui.shell_support import Running, llm, model_env, running_app

__all__ = ["llm", "model_env"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def _png(path: Path) -> Path:
    image = QImage(24, 16, QImage.Format.Format_RGB32)
    image.fill(QColor("#3366cc"))
    assert image.save(str(path), "PNG")
    return path


async def _tools_known(app: Running, expected: set[str]) -> None:
    vm = app.parts.chat_vm.attachments
    await until(lambda: vm.available == expected, [vm.available_changed], what="assistant tools")


async def _add(app: Running, text: str) -> Any:
    pane, vm = app.chat_pane, app.parts.chat_vm
    pane.composer.setPlainText(text)
    pane.add_button.click()
    await until(
        lambda: any(i.text == text for i in vm.items) and not vm.locked,
        [vm.messages_changed, vm.locked_changed],
        what="message added",
    )
    page = await app.parts.session.client.messages.list(vm.thread_id, order="desc").page()
    return page.data[0]


def test_defaults_follow_the_file_type_and_the_assistant() -> None:
    both = frozenset({CODE, SEARCH})
    assert default_tools("a.csv", both) == {CODE}
    assert default_tools("a.PNG", both) == {CODE}
    assert default_tools("a.pdf", both) == {SEARCH}
    assert default_tools("a.md", frozenset({CODE})) == {CODE}  # the only tool it has
    assert default_tools("a.png", frozenset({SEARCH})) == frozenset()  # shown, not searched
    assert default_tools("a.xlsx", frozenset({SEARCH})) == {SEARCH}
    assert default_tools("a.txt", frozenset()) == frozenset()


async def test_files_go_to_the_tools_the_assistant_has(
    qtbot: Any, model_env: ScriptedLLM, tmp_path: Path
) -> None:
    chart = _png(tmp_path / "chart.png")
    table = tmp_path / "data.csv"
    table.write_text("a,b\n1,2\n")
    notes = tmp_path / "notes.txt"
    notes.write_text("nothing to see")
    async with running_app(qtbot) as app:
        pane = app.chat_pane
        await app.create_assistant(tools=[{"type": "code_interpreter"}])
        await _tools_known(app, {CODE})
        # Runs name the assistant, not its id.
        assert pane.assistant_label.text() == "Runs use the assistant Test helper"
        pane.set_attachments([str(chart), str(table), str(notes)])
        chips = pane.attachment_chips.chips
        assert [c.name_label.text() for c in chips] == ["chart.png", "data.csv", "notes.txt"]
        assert [c.tools.currentText() for c in chips] == ["Code interpreter"] * 3
        # The scripted endpoint may take images: they go as pictures.
        assert "go to the model as pictures" in pane.attachment_chips.note.text()
        folder = os.environ.get("PLAYGROUND_SCREENSHOTS")
        if folder:
            pane.composer.setPlainText("Plot the table")
            assert pane.grab().save(str(Path(folder) / "attachments.png"))
        chips[2].remove_button.click()  # ✕ on notes.txt
        await until(
            lambda: len(pane.attachment_chips.chips) == 2, [app.parts.chat_vm.attachments.changed]
        )
        assert [c.name_label.text() for c in pane.attachment_chips.chips] == [
            "chart.png",
            "data.csv",
        ]
        message = await _add(app, "Plot the table")
        # The routing as the runtime stored it from the request body.
        routed = [(a.file_id, [t.type for t in a.tools]) for a in message.attachments]
        assert [tools for _, tools in routed] == [["code_interpreter"], ["code_interpreter"]]
        image_parts = [p for p in message.content if p.type == "image_file"]
        assert [p.image_file.file_id for p in image_parts] == [routed[0][0]]
        # The chat names the files (not their ids) and shows the image inline.
        item = next(i for i in app.parts.chat_vm.items if i.text == "Plot the table")
        assert item.attachments == ["chart.png", "data.csv"]
        assert item.images == [routed[0][0]]
        assert "data.csv" in pane.messages.plain_text()
        assert routed[1][0] not in pane.messages.plain_text()
        assert not pane.attachment_chips.isVisible()  # cleared with the composer


async def test_both_tools_and_documents_to_file_search(
    qtbot: Any, model_env: ScriptedLLM, tmp_path: Path
) -> None:
    table = tmp_path / "sales.csv"
    table.write_text("month,total\njan,3\n")
    doc = tmp_path / "guide.md"
    doc.write_text("# Guide\nThe answer is forty-two.\n")
    async with running_app(qtbot) as app:
        pane = app.chat_pane
        await app.create_assistant(tools=[{"type": "code_interpreter"}, {"type": "file_search"}])
        await _tools_known(app, {CODE, SEARCH})
        pane.set_attachments([str(table), str(doc)])
        chips = pane.attachment_chips.chips
        assert [c.tools.currentText() for c in chips] == ["Code interpreter", "File search"]
        chips[0].tools.setCurrentIndex(chips[0].tools.findText("Both tools"))
        await until(
            lambda: pane.attachment_chips.chips[0].tools.currentText() == "Both tools",
            [app.parts.chat_vm.attachments.changed],
        )
        message = await _add(app, "Use both")
        routed = [sorted(t.type for t in a.tools) for a in message.attachments]
        assert routed == [["code_interpreter", "file_search"], ["file_search"]]


async def test_an_attached_image_reaches_a_vision_model_as_a_picture(
    qtbot: Any, model_env: ScriptedLLM, tmp_path: Path
) -> None:
    """Window → embedded runtime → model: the picture itself arrives (a data: URL of the
    very bytes attached), next to the text, when the model endpoint takes images."""
    import base64

    chart = _png(tmp_path / "chart.png")
    async with running_app(qtbot) as app:
        pane = app.chat_pane
        await app.create_assistant()
        await _tools_known(app, set())
        pane.set_attachments([str(chart)])
        assert "go to the model as pictures" in pane.attachment_chips.note.text()
        before = len(model_env.requests)
        app.type_and_run("What colour is this chart?")
        assert await app.run_finished() == "completed"
        (request,) = model_env.requests[before:]
        user = [m for m in request["messages"] if m["role"] == "user"][-1]
        kinds = [part["type"] for part in user["content"]]
        assert kinds == ["text", "image_url"]
        assert user["content"][0]["text"] == "What colour is this chart?"
        url = user["content"][1]["image_url"]["url"]
        assert url.startswith("data:image/png;base64,")
        assert base64.b64decode(url.split(",", 1)[1]) == chart.read_bytes()


async def test_a_text_only_model_is_named_in_the_image_note(tmp_path: Path) -> None:
    """With the offline model (or none) the person learns before sending that the model
    will only be told the image's name."""
    from playground.connection.contract import Connection
    from playground.store.profiles import ConnectionProfile, ProfileKind
    from playground.ui.viewmodels.attachments import AttachmentsViewModel
    from tests.ui.support import make_env

    env = make_env()
    vm = AttachmentsViewModel(env.session)
    vm.add([str(_png(tmp_path / "photo.png"))])
    profile = ConnectionProfile(name="Embedded", kind=ProfileKind.EMBEDDED)
    for text_only, words in ((True, "reads text only"), (False, "as pictures")):
        env.session.set_connection(
            Connection(
                profile=profile,
                client=None,  # type: ignore[arg-type]  # the note reads no client
                driver=None,  # type: ignore[arg-type]
                text_only_model=text_only,
            )
        )
        assert words in vm.image_note(), vm.image_note()
