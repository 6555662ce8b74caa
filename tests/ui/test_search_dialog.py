"""Test search (Files tab → "Test search…"): the button's state, the dialog against the real
runtime (passages with names and scores, nothing found, a store that is gone, hostile text
shown literally, one request per Enter, a newer query replacing one in flight), and a server
without the search endpoint."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt

from playground.ui.dialogs.search_dialog import SearchDialog
from playground.ui.viewmodels.assistants import AssistantsViewModel
from playground.ui.viewmodels.files import SEARCH_TEST_TIP, Target
from playground.ui.viewmodels.search_test import (
    NO_ENDPOINT,
    SearchState,
    SearchTestViewModel,
)
from playground.ui.widgets.files_panel import FilesPanel
from tests.helpers.hostile_server import HostileServer, Request, head, reply_json
from tests.helpers.qt_wait import until
from tests.helpers.screenshots import shoot
from tests.ui import assistant_env as support
from tests.ui.hostile_env import hostile_env
from tests.ui.support import MODEL, Env

runtime = support.runtime
env = support.env

# The offscreen platform cannot resize native windows; that notice is not a fault here.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

FILES = {
    "handbook.md": "# Handbook\n\nThe return policy allows refunds within thirty days of "
    "purchase, with the receipt. Shipping is free for orders above fifty euros.\n",
    "returns-faq.txt": "Q: Can I get a refund without a receipt?\nA: Refunds without a "
    "receipt are given as store credit, within thirty days.\n",
    "policy-2019.txt": "Old policy (2019): refunds were allowed within fourteen days of "
    "purchase.\n",
    "recipes.txt": "Pancakes need flour, eggs, milk and a pinch of salt.\n",
}
HOSTILE = "Launch notes <img src=http://x> <script>alert('tangerine')</script> tangerine"


async def _poll(check: Callable[[], Awaitable[bool]], within: float = 20) -> None:
    """Ask the server until ``check`` holds (no signal tells when it indexed a file)."""
    async with asyncio.timeout(within):
        # The server has no push for "indexed": asking again is the only way to know.
        while not await check():  # noqa: ASYNC110
            await asyncio.sleep(0.05)


async def assistant_with_files(env: Env, tmp_path: Path, files: dict[str, str]) -> FilesPanel:
    """A saved assistant with file search, ``files`` uploaded through the Files tab and
    indexed; returns the panel."""
    vm = AssistantsViewModel(env.session)
    vm.refresh()
    await env.idle()
    created = await env.client.assistants.create(
        {"model": MODEL, "name": "Help desk", "tools": [{"type": "file_search"}]}
    )
    await vm.select_async(created.id)
    await env.idle()
    panel = FilesPanel(vm.files)
    for name, text in files.items():
        path = tmp_path / name
        path.write_text(text)
        assert await vm.files.upload_async(path, Target.FILE_SEARCH) is not None
    store_id = vm.files.search_store_id
    assert store_id is not None

    async def indexed() -> bool:
        store = await env.client.vector_stores.retrieve(store_id)
        return store.file_counts.completed == len(files)

    await _poll(indexed)
    return panel


def searches(env: Env) -> list[str]:
    return [e.url for e in env.logged if e.method == "POST" and e.url.endswith("/search")]


async def settled(vm: SearchTestViewModel) -> None:
    await until(
        lambda: not vm.is_busy and vm.state is not SearchState.SEARCHING,
        [vm.status_changed, vm.busy_changed],
        what="search finished",
    )


async def test_button_follows_file_search_and_the_store(env: Env, qtbot: object) -> None:
    vm = AssistantsViewModel(env.session)
    vm.refresh()
    await env.idle()
    created = await env.client.assistants.create({"model": MODEL, "name": "No files"})
    await vm.select_async(created.id)
    await env.idle()
    panel = FilesPanel(vm.files)
    qtbot.addWidget(panel)  # type: ignore[attr-defined]
    button = panel.search_button
    assert not button.isEnabled() and "Turn on File search" in button.toolTip()
    vm.editor.update(file_search=True)
    assert not button.isEnabled() and "Upload a file" in button.toolTip()
    store = await env.client.vector_stores.create({"name": "kept"})
    vm.editor.set_resources(vector_store_ids=(store.id,))
    assert button.isEnabled() and button.toolTip() == SEARCH_TEST_TIP
    assert vm.files.search_store_id == store.id
    env.session.set_connection(None)
    assert not button.isEnabled() and "Connect" in button.toolTip()


async def test_passages_with_names_and_scores(env: Env, qtbot: object, tmp_path: Path) -> None:
    panel = await assistant_with_files(env, tmp_path, FILES)
    qtbot.addWidget(panel)  # type: ignore[attr-defined]
    assert panel.search_button.isEnabled()
    panel.search_button.click()
    dialog = panel.search_dialog
    assert isinstance(dialog, SearchDialog) and dialog.isVisible() and not dialog.isModal()
    vm = dialog.vm
    assert dialog.max_spin.value() == 10
    assert (dialog.max_spin.minimum(), dialog.max_spin.maximum()) == (1, 50)

    qtbot.keyClicks(dialog.query_edit, "refund within thirty days")  # type: ignore[attr-defined]
    qtbot.keyClick(dialog.query_edit, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    qtbot.keyClick(dialog.query_edit, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    await settled(vm)
    await env.idle()
    assert len(searches(env)) == 1  # a double Enter sends one request
    assert vm.state is SearchState.FOUND, vm.status

    rows = [dialog.results.topLevelItem(i) for i in range(dialog.results.topLevelItemCount())]
    names = [row.text(0) for row in rows if row is not None]
    assert "recipes.txt" not in names
    assert {"handbook.md", "returns-faq.txt"} <= set(names)
    scores = [float(row.text(1)) for row in rows if row is not None]
    assert all(re.fullmatch(r"\d+\.\d\d", row.text(1)) for row in rows if row is not None)
    assert scores == sorted(scores, reverse=True)
    files = len(set(names))
    assert dialog.status_label.text() == f"{len(rows)} passages from {files} files"
    first = vm.passages[0]
    assert dialog.passage_view.toPlainText() == first.text
    assert first.name in dialog.passage_title.text()
    assert dialog.query_edit.text() == "refund within thirty days"
    shoot(dialog, "file-search-test.png")

    # Fewer results, then something no file mentions.
    dialog.max_spin.setValue(1)
    qtbot.keyClick(dialog.query_edit, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    await settled(vm)
    assert dialog.results.topLevelItemCount() == 1
    assert dialog.status_label.text() == "1 passage from 1 file"
    dialog.query_edit.setText("zeppelin quantum")
    qtbot.keyClick(dialog.query_edit, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    await settled(vm)
    assert vm.state is SearchState.EMPTY
    assert dialog.status_label.text() == "Nothing in the files matches “zeppelin quantum”."
    assert dialog.results.topLevelItemCount() == 0 and dialog.passage_view.toPlainText() == ""
    assert dialog.query_edit.text() == "zeppelin quantum"
    assert env.errors == []


async def test_a_newer_query_replaces_one_in_flight(
    env: Env, qtbot: object, tmp_path: Path
) -> None:
    panel = await assistant_with_files(env, tmp_path, FILES)
    qtbot.addWidget(panel)  # type: ignore[attr-defined]
    panel.search_button.click()
    dialog = panel.search_dialog
    assert dialog is not None
    before = len(searches(env))
    dialog.query_edit.setText("refund receipt")
    dialog.on_search_requested()
    dialog.query_edit.setText("pancakes flour")
    dialog.on_search_requested()
    await settled(dialog.vm)
    await env.idle()
    assert dialog.vm.state is SearchState.FOUND
    assert [p.filename for p in dialog.vm.passages] == ["recipes.txt"]
    # The first search was cancelled before it was sent.
    assert len(searches(env)) == before + 1

    # Reopening keeps the same dialog, query and passages.
    dialog.close()
    panel.search_button.click()
    assert panel.search_dialog is dialog and dialog.query_edit.text() == "pancakes flour"


async def test_hostile_passage_text_is_shown_literally(
    env: Env, qtbot: object, tmp_path: Path
) -> None:
    panel = await assistant_with_files(env, tmp_path, {"launch.txt": HOSTILE})
    qtbot.addWidget(panel)  # type: ignore[attr-defined]
    panel.search_button.click()
    dialog = panel.search_dialog
    assert dialog is not None
    dialog.query_edit.setText("tangerine launch")
    qtbot.keyClick(dialog.query_edit, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    await settled(dialog.vm)
    assert dialog.vm.state is SearchState.FOUND, dialog.vm.status
    row = dialog.results.topLevelItem(0)
    assert row is not None
    assert "<img src=http://x>" in row.text(2) and "<script>" in row.text(2)
    shown = dialog.passage_view.toPlainText()
    assert "<img src=http://x>" in shown and "<script>alert('tangerine')</script>" in shown
    for label in (dialog.passage_title, dialog.status_label, dialog.intro):
        assert label.textFormat() is Qt.TextFormat.PlainText


async def test_a_deleted_store_is_named(env: Env, qtbot: object) -> None:
    store = await env.client.vector_stores.create({"name": "short-lived"})
    await env.client.vector_stores.delete(store.id)
    vm = SearchTestViewModel(env.session, store.id)
    dialog = SearchDialog(vm)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    dialog.query_edit.setText("anything")
    qtbot.keyClick(dialog.query_edit, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    await settled(vm)
    assert vm.state is SearchState.FAILED
    assert "no longer on the server" in dialog.status_label.text()
    assert dialog.query_edit.text() == "anything"


async def test_a_server_without_the_endpoint_says_so(qapp: object, qtbot: object) -> None:
    with HostileServer() as server:
        # The store exists; POST .../search is unknown there (an OpenAI-shaped 404).
        server.route(
            "GET",
            "/vector_stores/vs_kept",
            reply_json({"id": "vs_kept", "object": "vector_store", "name": "kept"}),
        )
        async with hostile_env(server) as made:
            vm = SearchTestViewModel(made.session, "vs_kept", title="Legacy")
            dialog = SearchDialog(vm)
            qtbot.addWidget(dialog)  # type: ignore[attr-defined]
            dialog.query_edit.setText("refund policy")
            qtbot.keyClick(dialog.query_edit, Qt.Key.Key_Return)  # type: ignore[attr-defined]
            await settled(vm)
            await made.idle()
            assert server.seen("POST", "/vector_stores/vs_kept/search")
            assert dialog.status_label.text() == NO_ENDPOINT
            assert dialog.query_edit.text() == "refund policy"
            assert made.errors == []


async def test_nothing_found_while_files_are_still_read_says_to_try_again(
    qapp: object, qtbot: object
) -> None:
    """A hosted-style server that has not finished indexing answers an empty page: the
    dialog says the files are still being read rather than that nothing matches for good."""
    empty = b'{"object":"vector_store.search_results.page","search_query":["refund"],"data":[]}'
    store = {
        "id": "vs_busy",
        "object": "vector_store",
        "name": "busy",
        "status": "in_progress",
        "file_counts": {"in_progress": 2, "completed": 1, "failed": 0, "cancelled": 0, "total": 3},
    }

    async def answer(_request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(head(200, length=len(empty)) + empty)

    with HostileServer() as server:
        server.route("POST", "/vector_stores/vs_busy/search", answer)
        server.route("GET", "/vector_stores/vs_busy", reply_json(store))
        async with hostile_env(server) as made:
            vm = SearchTestViewModel(made.session, "vs_busy")
            dialog = SearchDialog(vm)
            qtbot.addWidget(dialog)  # type: ignore[attr-defined]
            dialog.query_edit.setText("refund")
            qtbot.keyClick(dialog.query_edit, Qt.Key.Key_Return)  # type: ignore[attr-defined]
            await settled(vm)
            await made.idle()
            assert vm.state is SearchState.EMPTY
            assert dialog.status_label.text() == (
                "Nothing in the files matches “refund”. 2 files are still being read; "
                "try again in a moment."
            )
            assert made.errors == []


async def test_enter_again_while_a_search_is_on_the_wire_sends_nothing(
    qapp: object, qtbot: object
) -> None:
    """The answer is held back until the second Enter has been pressed, so that Enter comes
    while the first request is certainly on its way."""
    release = threading.Event()
    page = (
        b'{"object":"vector_store.search_results.page","search_query":["refund"],'
        b'"data":[{"file_id":"file_1","filename":"handbook.md","score":0.5,'
        b'"content":[{"type":"text","text":"Refunds within thirty days."}]}]}'
    )

    async def held(_request: Request, writer: asyncio.StreamWriter) -> None:
        await asyncio.get_running_loop().run_in_executor(None, release.wait, 30)
        writer.write(head(200, length=len(page)) + page)

    with HostileServer() as server:
        server.route("POST", "/vector_stores/vs_kept/search", held)
        async with hostile_env(server) as made:
            vm = SearchTestViewModel(made.session, "vs_kept")
            dialog = SearchDialog(vm)
            qtbot.addWidget(dialog)  # type: ignore[attr-defined]
            dialog.query_edit.setText("refund")
            qtbot.keyClick(dialog.query_edit, Qt.Key.Key_Return)  # type: ignore[attr-defined]

            async def sent() -> bool:
                return bool(server.seen("POST", "/vector_stores/vs_kept/search"))

            await _poll(sent)
            qtbot.keyClick(dialog.query_edit, Qt.Key.Key_Return)  # type: ignore[attr-defined]
            release.set()
            await settled(vm)
            await made.idle()
            assert len(server.seen("POST", "/vector_stores/vs_kept/search")) == 1
            assert dialog.status_label.text() == "1 passage from 1 file"


async def test_an_open_dialog_follows_the_chosen_assistant(
    env: Env, qtbot: object, tmp_path: Path
) -> None:
    """Choosing another assistant while the dialog is open must not leave it answering for
    the old one's store: it moves to the new store with the query kept, or closes."""
    vm = AssistantsViewModel(env.session)
    vm.refresh()
    await env.idle()
    store_a = await env.client.vector_stores.create({"name": "a"})
    store_b = await env.client.vector_stores.create({"name": "b"})

    async def assistant(name: str, store_id: str | None) -> str:
        body: dict[str, object] = {"model": MODEL, "name": name}
        if store_id is not None:
            body["tools"] = [{"type": "file_search"}]
            body["tool_resources"] = {"file_search": {"vector_store_ids": [store_id]}}
        return (await env.client.assistants.create(body)).id

    first, second, plain = (
        await assistant("First", store_a.id),
        await assistant("Second", store_b.id),
        await assistant("Plain", None),
    )
    await vm.select_async(first)
    await env.idle()
    panel = FilesPanel(vm.files)
    qtbot.addWidget(panel)  # type: ignore[attr-defined]
    panel.search_button.click()
    dialog = panel.search_dialog
    assert dialog is not None and dialog.vm.store_id == store_a.id
    qtbot.keyClicks(dialog.query_edit, "refund policy")  # type: ignore[attr-defined]

    await vm.select_async(second)
    await env.idle()
    moved = panel.search_dialog
    assert moved is not None and moved is not dialog
    assert moved.isVisible() and moved.vm.store_id == store_b.id
    assert store_b.id in moved.store_label.text()
    assert moved.query_edit.text() == "refund policy"
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()  # closed (and deleted)

    await vm.select_async(plain)
    await env.idle()
    assert panel.search_dialog is None
    assert not shiboken6.isValid(moved) or not moved.isVisible()
    assert not panel.search_button.isEnabled()
    assert searches(env) == []  # following a store never searches by itself
    assert env.errors == []
