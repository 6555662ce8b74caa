"""The inspector while a run streams: what it shows after a burst of deltas, not how fast.

The pane coalesces changes of the selected node (at most one showing per frame), makes each
tab only while it is in front, and cuts very long JSON lines in the view; these tests check
that nothing is lost by that: the final text is shown, a hidden tab catches up when shown,
and Copy gives the whole JSON.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from playground.protocol import Message, Run, RunStep
from playground.protocol.deltas import MessageDelta as WireMessageDelta
from playground.protocol.deltas import RunStepDelta
from playground.protocol.merge import apply_message_delta, apply_step_delta
from playground.runs.events import (
    MessageCreated,
    MessageDelta,
    RunCreated,
    StepCreated,
    StepUpdated,
)
from playground.store.store import open_store
from playground.ui.messages import MessageBridge
from playground.ui.tasks import TaskRunner
from playground.ui.viewmodels.inspector import InspectorViewModel, NodeKey
from playground.ui.viewmodels.session import Session
from playground.ui.widgets.inspector_pane import InspectorPane
from playground.ui.widgets.json_view import MAX_LINE_CHARS, JsonView, cut_long_lines
from tests.helpers.qt_wait import until

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

THREAD, RUN, STEP, MESSAGE = "thread_s", "run_s", "step_s", "msg_s"


@pytest.fixture
def session(qapp: object) -> Iterator[Session]:
    bridge = MessageBridge()
    runner = TaskRunner(bridge)
    yield Session(open_store(), runner, bridge)
    runner.cancel_all()


def _start(vm: InspectorViewModel, details: dict[str, Any]) -> RunStep:
    vm.on_chat_run_event(
        RunCreated(Run.model_validate({"id": RUN, "thread_id": THREAD, "status": "in_progress"}))
    )
    step = RunStep.model_validate(
        {
            "id": STEP,
            "run_id": RUN,
            "thread_id": THREAD,
            "type": details["type"],
            "status": "in_progress",
            "step_details": details,
        }
    )
    vm.on_chat_run_event(StepCreated(step))
    return step


def _pane(vm: InspectorViewModel, qtbot: QtBot) -> InspectorPane:
    pane = InspectorPane(vm)
    qtbot.addWidget(pane)
    pane.resize(520, 800)
    pane.show()
    return pane


async def test_a_burst_of_message_deltas_ends_with_the_whole_text_shown(
    session: Session, qtbot: QtBot
) -> None:
    vm = InspectorViewModel(session)
    pane = _pane(vm, qtbot)
    _start(vm, {"type": "message_creation", "message_creation": {"message_id": MESSAGE}})
    message = Message.model_validate(
        {"id": MESSAGE, "thread_id": THREAD, "run_id": RUN, "role": "assistant", "content": []}
    )
    vm.on_chat_run_event(MessageCreated(message))
    assert pane.tree.select_key(NodeKey("message", RUN, STEP, message_id=MESSAGE))
    words = [f"word{n} " for n in range(500)]
    for word in words:  # one burst: every delta in the same turn of the event loop
        wire = WireMessageDelta.model_validate(
            {
                "id": MESSAGE,
                "delta": {"content": [{"index": 0, "type": "text", "text": {"value": word}}]},
            }
        )
        message = apply_message_delta(message, wire)
        vm.on_chat_run_event(MessageDelta(MESSAGE, word, message))
    final = "".join(words).strip()
    await until(
        lambda: final in pane.details.browser.toPlainText(),
        [pane.refreshed],
        what="the whole answer in the details",
    )
    # Raw JSON was behind its tab all along; shown, it has the final text too.
    pane.detail_tabs.setCurrentWidget(pane.raw)
    assert final in pane.raw.shown_text()


async def test_streamed_arguments_in_a_hidden_raw_tab_are_whole_when_it_is_shown(
    session: Session, qtbot: QtBot
) -> None:
    vm = InspectorViewModel(session)
    pane = _pane(vm, qtbot)
    details = {
        "type": "tool_calls",
        "tool_calls": [
            {"id": "call_s", "type": "function", "function": {"name": "f", "arguments": ""}}
        ],
    }
    step = _start(vm, details)
    assert pane.tree.select_key(NodeKey("call", RUN, STEP, 0))
    pieces = [f'{{"n": {n}, "text": "{"x" * 90}"}}, ' for n in range(600)]  # ~60 KB
    for piece in pieces:
        wire = RunStepDelta.model_validate(
            {
                "id": STEP,
                "delta": {
                    "step_details": {
                        "type": "tool_calls",
                        "tool_calls": [
                            {"index": 0, "type": "function", "function": {"arguments": piece}}
                        ],
                    }
                },
            }
        )
        step = apply_step_delta(step, wire)
        vm.on_chat_run_event(StepUpdated(step))
    arguments = "".join(pieces)
    await until(
        lambda: '{"n": 0' in pane.details.browser.toPlainText(),
        [pane.refreshed],
        what="the arguments in the details",
    )
    # The whole JSON is there to copy; the view cuts the one very long line.
    pane.detail_tabs.setCurrentWidget(pane.raw)
    whole = pane.raw.json_text()
    assert arguments.replace('"', '\\"') in whole
    shown = pane.raw.shown_text()
    assert len(arguments) > MAX_LINE_CHARS and "more characters" in shown
    assert all(len(line) < MAX_LINE_CHARS + 100 for line in shown.split("\n"))
    assert pane.raw.show_all_button.isVisible()
    pane.raw.on_copy_clicked()
    assert QGuiApplication.clipboard().text() == whole


def test_short_json_is_shown_as_it_is_and_a_cut_string_still_highlights(qtbot: QtBot) -> None:
    assert cut_long_lines('{\n  "a": 1\n}') == ('{\n  "a": 1\n}', False)
    view = JsonView()
    qtbot.addWidget(view)
    line = '{"arguments": "' + '\\"k\\": 1, ' * 5000 + '"}'
    view.set_json_text(line)
    assert view.json_text() == line
    shown = view.shown_text()
    assert shown.startswith(line[:MAX_LINE_CHARS]) and "more characters" in shown
    assert not view.show_all_button.isHidden()
    dialog = view.on_show_all_clicked()
    qtbot.addWidget(dialog)
