"""FilesViewModel against the real runtime: upload with progress, cancel, attach to the code
interpreter or to a (new) vector store, remove, refuse unsupported types; and the panel."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from playground.ui.viewmodels.assistants import AssistantsViewModel
from playground.ui.viewmodels.files import Target, upload_problem
from playground.ui.widgets.files_panel import FilesPanel
from tests.helpers.qt_wait import until
from tests.ui import assistant_env as support
from tests.ui.support import MODEL, Env

# The shared fixtures: a real runtime per module and a connected session per test.
runtime = support.runtime
env = support.env

# The offscreen platform cannot resize native windows; that notice is not a fault here.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


async def saved_assistant(env: Env) -> AssistantsViewModel:
    vm = AssistantsViewModel(env.session)
    vm.refresh()
    await env.idle()
    created = await env.client.assistants.create(
        {"model": MODEL, "name": "Files", "tools": [{"type": "file_search"}]}
    )
    await vm.select_async(created.id)
    await env.idle()
    return vm


def test_upload_problem_names_allowed_types(tmp_path: Path) -> None:
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ")
    assert "file type" in (upload_problem(exe) or "") and "pdf" in (upload_problem(exe) or "")
    assert "no file" in (upload_problem(tmp_path / "missing.txt") or "")
    ok = tmp_path / "notes.MD"
    ok.write_text("# hi")
    assert upload_problem(ok) is None


async def test_upload_to_code_interpreter_with_progress(env: Env, tmp_path: Path) -> None:
    vm = await saved_assistant(env)
    files = vm.files
    path = tmp_path / "data.csv"
    path.write_text("a,b\n" + "1,2\n" * 50_000)  # ~200 KB: several progress steps
    progress: list[tuple[int, int]] = []
    files.upload_progress.connect(lambda done, total: progress.append((done, total)))
    attached = await files.upload_async(path, Target.CODE_INTERPRETER)
    assert attached is not None and attached.filename == "data.csv"
    size = path.stat().st_size
    assert progress[0] == (0, size) and progress[-1] == (size, size)
    assert len(progress) > 2
    assert [p[0] for p in progress] == sorted(p[0] for p in progress)
    server = await env.client.assistants.retrieve(vm.editor.assistant_id or "")
    assert server.tool_resources is not None and server.tool_resources.code_interpreter
    assert server.tool_resources.code_interpreter.file_ids == [attached.file_id]
    assert not vm.editor.is_dirty  # written to the server at once
    assert [f.file_id for f in files.files] == [attached.file_id]

    await files.remove_async(files.files[0])
    server = await env.client.assistants.retrieve(server.id)
    assert server.tool_resources is not None and server.tool_resources.code_interpreter
    assert server.tool_resources.code_interpreter.file_ids == []
    assert files.files == []
    assert env.errors == []


async def test_upload_to_file_search_creates_a_vector_store(env: Env, tmp_path: Path) -> None:
    vm = await saved_assistant(env)
    files = vm.files
    first = tmp_path / "guide.md"
    first.write_text("# Guide\nThe launch code is tangerine.")
    second = tmp_path / "faq.txt"
    second.write_text("Q: colour? A: teal.")
    one = await files.upload_async(first, Target.FILE_SEARCH)
    assert one is not None and one.store_id
    server = await env.client.assistants.retrieve(vm.editor.assistant_id or "")
    assert server.tool_resources and server.tool_resources.file_search
    assert server.tool_resources.file_search.vector_store_ids == [one.store_id]
    two = await files.upload_async(second, Target.FILE_SEARCH)
    assert two is not None and two.store_id == one.store_id  # same store, no second one
    names = sorted(f.filename for f in files.files)
    assert names == ["faq.txt", "guide.md"]
    assert all(f.target is Target.FILE_SEARCH for f in files.files)

    await files.remove_async(next(f for f in files.files if f.filename == "faq.txt"))
    linked = [x.id async for x in env.client.vector_store_files.list(one.store_id)]
    assert linked == [one.file_id]
    assert [f.filename for f in files.files] == ["guide.md"]


async def test_upload_for_an_unsaved_assistant_goes_into_the_draft(
    env: Env, tmp_path: Path
) -> None:
    vm = AssistantsViewModel(env.session)
    vm.refresh()
    await env.idle()
    vm.new_assistant()
    path = tmp_path / "script.py"
    path.write_text("print('hi')\n")
    attached = await vm.files.upload_async(path, Target.CODE_INTERPRETER)
    assert attached is not None
    assert vm.editor.draft.code_interpreter_file_ids == (attached.file_id,)
    assert vm.editor.is_dirty
    vm.editor.update(code_interpreter=True)
    saved = await vm.save_async()
    assert saved is not None
    server = await env.client.assistants.retrieve(saved.id)
    assert server.tool_resources and server.tool_resources.code_interpreter
    assert server.tool_resources.code_interpreter.file_ids == [attached.file_id]


async def test_cancel_upload(env: Env, tmp_path: Path) -> None:
    vm = await saved_assistant(env)
    files = vm.files
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * (24 * 1024 * 1024))
    finished: list[object] = []
    files.upload_finished.connect(finished.append)

    def cancel_once_started(done: int, total: int) -> None:
        if done > 0:
            files.cancel_upload()

    files.upload_progress.connect(cancel_once_started)
    files.upload(path, Target.CODE_INTERPRETER)
    await until(lambda: finished, [files.upload_finished], what="upload finished")
    await env.idle()
    assert finished == [None]
    assert not files.is_uploading
    assert vm.editor.draft.code_interpreter_file_ids == ()
    names = [f.filename async for f in env.client.files.list()]
    assert "big.txt" not in names
    assert env.errors == []  # a cancel is not an error


async def test_unsupported_type_is_refused_with_a_message(env: Env, tmp_path: Path) -> None:
    vm = await saved_assistant(env)
    path = tmp_path / "movie.mp4"
    path.write_bytes(b"\x00" * 10)
    assert await vm.files.upload_async(path, Target.FILE_SEARCH) is None
    assert env.errors[-1][0] == "This file cannot be uploaded"
    assert "movie.mp4" in env.errors[-1][1]


async def test_panel_drop_uploads_and_lists(env: Env, tmp_path: Path, qtbot: object) -> None:
    vm = await saved_assistant(env)
    panel = FilesPanel(vm.files)
    qtbot.addWidget(panel)  # type: ignore[attr-defined]
    panel.target_combo.setCurrentIndex(panel.target_combo.findData(Target.CODE_INTERPRETER.value))
    path = tmp_path / "dropped.json"
    path.write_text('{"a": 1}')
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    shown: list[bool] = []
    vm.files.uploading_changed.connect(
        lambda _: shown.append(panel.progress_box.isVisibleTo(panel))
    )
    panel.dropEvent(event)
    await until(lambda: panel.tree.topLevelItemCount() == 1, [vm.files.files_changed])
    await env.idle()
    assert panel.tree.topLevelItem(0).text(0) == "dropped.json"  # type: ignore[union-attr]
    assert panel.tree.topLevelItem(0).text(1) == "Code interpreter"  # type: ignore[union-attr]
    assert shown == [True, False]  # the progress bar showed during the upload, then hid
