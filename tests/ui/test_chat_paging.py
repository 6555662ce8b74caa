"""Older pages of a long thread going into the chat: order, place, and few document edits.

Every edit of the chat's document costs Qt in proportion to what the document already holds,
so a page of older messages must go in with a few edits, not one per message; and the
message the person was reading stays where it was on screen. Real app, real runtime; the
view under the edit count is bound to the app's own chat view model with a stepping clock,
so how many messages fit one edit does not depend on the machine's speed.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from playground.ui.viewmodels.chat import HISTORY_LIMIT
from playground.ui.widgets.message_view import INSERT_BUDGET_S, MessageView
from tests.helpers.qt_wait import until
from tests.helpers.scripted_llm import ScriptedLLM
from tests.ui.shell_support import Running, llm, model_env, running_app

__all__ = ["llm", "model_env"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

#: The stepping clock moves this far each time the view reads it (1 ms).
TICK_S = 0.001


async def _thread_with(app: Running, count: int) -> tuple[str, list[str]]:
    client = app.parts.session.client
    texts = [f"older message {i:04d}" for i in range(count)]
    thread = await client.threads.create(
        {"messages": [{"role": "user", "content": value} for value in texts]}
    )
    return thread.id, texts


async def _open(app: Running, thread_id: str, *views: MessageView) -> None:
    vm = app.parts.chat_vm
    assert await app.parts.threads_vm.open_by_id_async(thread_id)
    await until(
        lambda: (
            vm.thread_id == thread_id
            and vm.item_count == HISTORY_LIMIT
            and all(v.is_caught_up for v in views)
        ),
        [vm.messages_changed] + [v.rendered for v in views],
        what="thread shown",
    )


async def _next_page(app: Running, *views: MessageView) -> None:
    vm = app.parts.chat_vm
    vm.load_older()
    await until(
        lambda: not vm.loading_older and all(v.is_caught_up for v in views),
        [vm.history_changed] + [v.rendered for v in views],
        what="older page shown",
    )


async def test_paging_in_keeps_the_order_and_the_message_being_read_in_place(
    qtbot: Any, model_env: ScriptedLLM
) -> None:
    async with running_app(qtbot) as app:
        thread_id, texts = await _thread_with(app, HISTORY_LIMIT * 2 + 30)
        view = app.chat_pane.messages
        await _open(app, thread_id, view)
        vm = app.parts.chat_vm
        bar = view.browser.verticalScrollBar()
        while vm.has_older:
            reading = view.shown_keys()[0]
            bar.setValue(0)  # scrolled to the top: the page is asked for by the view
            before = view.message_top(reading)
            assert before is not None
            await until(
                lambda: not vm.loading_older and view.is_caught_up,
                [vm.history_changed, view.rendered],
                what="older page shown",
            )
            # The page went in above: the message at the top did not move on screen.
            after = view.message_top(reading)
            assert after is not None and abs(after - before) <= 2
            assert bar.value() > 0
        assert view.shown_keys() == [i.key for i in vm.items]
        plain = view.plain_text()
        positions = [plain.index(value) for value in texts]
        assert positions == sorted(positions)
        assert "Beginning of the thread" in view.header_text()


async def test_an_older_page_goes_in_with_a_few_edits_not_one_per_message(
    qtbot: Any, model_env: ScriptedLLM
) -> None:
    async with running_app(qtbot) as app:
        thread_id, texts = await _thread_with(app, HISTORY_LIMIT * 2 + 30)
        ticks = itertools.count()
        # Every message costs the view at least one tick of its clock to convert and one to
        # insert: a conversion slice holds at most 10 of them, an edit at most 20.
        view = MessageView(app.parts.chat_vm, clock=lambda: next(ticks) * TICK_S)
        qtbot.addWidget(view)
        view.resize(700, 500)
        view.show()
        await _open(app, thread_id, view, app.chat_pane.messages)
        edits: list[int] = []
        view.browser.document().contentsChange.connect(lambda at, _r, _a: edits.append(at))
        per_edit = round(INSERT_BUDGET_S / TICK_S)
        for page in (1, 2):
            edits.clear()
            await _next_page(app, view, app.chat_pane.messages)
            count = min(HISTORY_LIMIT, len(texts) - page * HISTORY_LIMIT)
            # One edit per ``per_edit`` messages (the header changes in the last of them);
            # one edit per message (and one more for the header) was the old cost.
            assert 1 <= len(edits) <= -(-count // per_edit) + 1, (page, count, len(edits))
        assert view.shown_keys() == [i.key for i in app.parts.chat_vm.items]
        plain = view.plain_text()
        positions = [plain.index(value) for value in texts]
        assert positions == sorted(positions)
        assert "Beginning of the thread" in view.header_text()
