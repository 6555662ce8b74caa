"""Smaller hostile-server findings: disguised names, long step lists, Qt's own settings file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from playground.ui.qt_settings import confine_qt_settings
from playground.ui.viewmodels.inspector import InspectorViewModel
from playground.ui.viewmodels.outputs import OutputItem
from playground.ui.widgets.gallery import caption_for
from tests.helpers.hostile_server import HostileServer, Request, reply_json
from tests.helpers.qt_wait import until
from tests.ui.hostile_env import hostile_env
from tests.ui.test_hostile_timestamps import RUNS, THREAD, page, run, step

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def test_bidi_overrides_cannot_disguise_a_caption() -> None:
    item = OutputItem("file_1", "file", "invoice\u202egnp.exe", "test")
    caption = caption_for(item)
    assert caption == "invoicegnp.exe"
    assert not any(c in caption for c in BIDI)


def test_qt_settings_stay_in_the_app_config_folder(tmp_path: Path, qapp: Any) -> None:
    before = Path(QSettings(QSettings.Scope.UserScope, "QtProject").fileName()).parent
    try:
        confine_qt_settings(tmp_path / "config")
        settings = QSettings(QSettings.Scope.UserScope, "QtProject")  # what QFileDialog uses
        settings.setValue("FileDialog/lastVisited", "file:///tmp")
        settings.sync()
        written = Path(settings.fileName())
        assert written.is_file()
        assert written.is_relative_to(tmp_path / "config")
    finally:
        for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
            QSettings.setPath(fmt, QSettings.Scope.UserScope, str(before))


STEP_COUNT = 250


def paged_steps(run_id: str) -> Any:
    steps = [step(run_id, i) for i in range(STEP_COUNT)]

    async def handler(request: Request, writer: Any) -> None:
        limit = int(request.query.get("limit", "20"))
        start = 0
        if "after" in request.query:
            start = next(i for i, s in enumerate(steps) if s["id"] == request.query["after"]) + 1
        chunk = steps[start : start + limit]
        body = {"object": "list", "data": chunk, "has_more": start + limit < len(steps)}
        await reply_json(body)(request, writer)

    return handler


@pytest.fixture
def server() -> Any:
    with HostileServer() as hostile:
        hostile.route("GET", f"/threads/{THREAD}/runs", reply_json(page([run("run_many")])))
        hostile.route("GET", f"/threads/{THREAD}/runs/run_many/steps", paged_steps("run_many"))
        hostile.route("GET", f"/threads/{THREAD}/messages", reply_json(page([])))
        yield hostile


async def test_the_inspector_shows_every_step_not_just_the_first_hundred(
    qapp: Any, server: HostileServer
) -> None:
    assert RUNS  # same run/step shapes as the timestamp tests
    async with hostile_env(server) as env:
        vm = InspectorViewModel(env.session)
        vm.set_thread(THREAD)
        await until(lambda: vm.record("run_many") is not None, [vm.runs_reset], what="run loaded")
        await env.idle()
        record = vm.record("run_many")
        assert record is not None and len(record.steps) == STEP_COUNT
        assert len(server.seen("GET", f"/threads/{THREAD}/runs/run_many/steps")) >= 3


async def test_a_malformed_assistant_is_named_and_the_others_listed(qapp: Any) -> None:
    from playground.ui.viewmodels.assistants import AssistantsViewModel

    items = [
        {"id": "asst_1", "object": "assistant", "model": "m", "name": "One"},
        {"id": "asst_bad", "object": "assistant", "model": "m", "tools": "not a list"},
        {"id": "asst_3", "object": "assistant", "model": "m", "name": "Three"},
    ]
    with HostileServer() as server:
        server.route("GET", "/assistants", reply_json({"object": "list", "data": items}))
        server.route("GET", "/models", reply_json({"object": "list", "data": []}))
        async with hostile_env(server) as env:
            vm = AssistantsViewModel(env.session)
            await vm.refresh_async()
            assert [a.id for a in vm.assistants] == ["asst_1", "asst_3"]
            assert any("asst_bad" in detail for _title, detail in env.errors)


async def test_five_megabyte_single_line_instructions_do_not_freeze_the_editor(qapp: Any) -> None:
    from PySide6.QtWidgets import QPlainTextEdit

    from playground.ui.viewmodels.assistant_draft import MAX_INSTRUCTIONS
    from playground.ui.viewmodels.assistants import AssistantsViewModel
    from playground.ui.widgets.assistant_form import AssistantForm

    huge = "x" * 5_000_000  # one "word": wrapping it is quadratic in Qt
    assistant = {"id": "asst_big", "object": "assistant", "model": "m", "instructions": huge}
    with HostileServer() as server:
        server.route("GET", "/assistants", reply_json({"object": "list", "data": [assistant]}))
        server.route("GET", "/assistants/asst_big", reply_json(assistant))  # later routes win
        server.route("GET", "/models", reply_json({"object": "list", "data": []}))
        async with hostile_env(server) as env:
            vm = AssistantsViewModel(env.session)
            form = AssistantForm(vm)
            await vm.select_async("asst_big")
            edit = form.instructions_edit
            assert edit.lineWrapMode() == QPlainTextEdit.LineWrapMode.NoWrap
            assert len(edit.toPlainText()) == MAX_INSTRUCTIONS
            assert not form.instructions_note.isHidden()
            assert "5,000,000 characters" in form.instructions_note.text()
            assert vm.editor.draft.instructions == huge  # kept whole until the person edits
