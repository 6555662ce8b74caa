"""InspectorViewModel and its widgets fed with ``playground.runs.events`` directly (no server)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QUrl
from pytestqt.qtbot import QtBot

from playground.protocol import Message, Run, RunStep, Usage
from playground.runs.events import (
    MessageCompleted,
    RunCompleted,
    RunCreated,
    RunFailed,
    RunStatusChanged,
    StepCreated,
    StepUpdated,
)
from playground.store.store import open_store
from playground.ui.messages import MessageBridge
from playground.ui.tasks import TaskRunner
from playground.ui.viewmodels.inspector import InspectorViewModel, NodeKey
from playground.ui.viewmodels.run_records import build_timeline
from playground.ui.viewmodels.session import Session
from playground.ui.widgets.inspector_pane import InspectorPane
from playground.ui.widgets.log_view import FOLD_EDGE, LogView
from playground.ui.widgets.step_detail import StepDetailView
from playground.ui.widgets.step_tree import StepTree
from playground.ui.widgets.timeline import RunTimeline

T0 = 1_700_000_000
THREAD = "thread_abc"


def run(status: str, **extra: Any) -> Run:
    data = {"id": "run_1", "thread_id": THREAD, "created_at": T0, "status": status, **extra}
    return Run.model_validate(data)


def step(step_id: str, status: str, details: dict[str, Any], **extra: Any) -> RunStep:
    data = {
        "id": step_id,
        "run_id": "run_1",
        "thread_id": THREAD,
        "created_at": T0 + 1,
        "type": details.get("type", "tool_calls"),
        "status": status,
        "step_details": details,
        **extra,
    }
    return RunStep.model_validate(data)


def code_details(logs: str = "rows written\n", image: str | None = "file-img") -> dict[str, Any]:
    outputs: list[dict[str, Any]] = [{"type": "logs", "logs": logs}]
    if image:
        outputs.append({"type": "image", "image": {"file_id": image}})
    return {
        "type": "tool_calls",
        "tool_calls": [
            {
                "id": "call_ci",
                "type": "code_interpreter",
                "code_interpreter": {"input": "import math\nprint(math.pi)", "outputs": outputs},
            }
        ],
    }


def message_details(message_id: str = "msg_1") -> dict[str, Any]:
    return {"type": "message_creation", "message_creation": {"message_id": message_id}}


@pytest.fixture
def session(qapp: object) -> Iterator[Session]:
    bridge = MessageBridge()
    runner = TaskRunner(bridge)
    yield Session(open_store(), runner, bridge)
    runner.cancel_all()


@pytest.fixture
def vm(session: Session) -> InspectorViewModel:
    clock = iter(float(T0 + n) for n in range(10_000))
    return InspectorViewModel(session, clock=lambda: next(clock))


def feed_full_run(vm: InspectorViewModel) -> None:
    vm.on_chat_run_event(RunCreated(run("queued")))
    vm.on_chat_run_event(RunStatusChanged(run("in_progress", started_at=T0 + 1), "queued"))
    vm.on_chat_run_event(StepCreated(step("step_ci", "in_progress", code_details(image=None))))
    usage = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
    vm.on_chat_run_event(
        StepUpdated(step("step_ci", "completed", code_details(), completed_at=T0 + 4, usage=usage))
    )
    vm.on_chat_run_event(StepCreated(step("step_msg", "in_progress", message_details())))
    message = Message.model_validate(
        {"id": "msg_1", "thread_id": THREAD, "run_id": "run_1", "role": "assistant", "content": []}
    )
    vm.on_chat_run_event(MessageCompleted(message))
    vm.on_chat_run_event(
        StepUpdated(step("step_msg", "completed", message_details(), completed_at=T0 + 6))
    )
    total = {"prompt_tokens": 30, "completion_tokens": 12, "total_tokens": 42}
    vm.on_chat_run_event(
        RunCompleted(run("completed", started_at=T0 + 1, completed_at=T0 + 6, usage=total))
    )


def test_live_events_build_runs_steps_transitions_and_usage(vm: InspectorViewModel) -> None:
    changed: list[str] = []
    vm.run_changed.connect(changed.append)
    feed_full_run(vm)
    assert vm.thread_id == THREAD  # adopted from the first event
    assert vm.run_ids() == ["run_1"]
    record = vm.record("run_1")
    assert record is not None
    assert [m.status for m in record.transitions] == ["queued", "in_progress", "completed"]
    assert list(record.steps) == ["step_ci", "step_msg"]
    assert vm.run_totals("run_1").startswith("42 tokens")
    assert "run_1" in changed
    raw = vm.raw_json_for(NodeKey("step", "run_1", "step_ci"))
    assert '"rows written\\n"' in raw and '"file-img"' in raw
    assert vm.raw_json_for(NodeKey("message", "run_1", "step_msg", message_id="msg_1")).count(
        '"msg_1"'
    )


def test_timeline_has_status_stretches_and_step_bars(vm: InspectorViewModel) -> None:
    feed_full_run(vm)
    record = vm.record("run_1")
    assert record is not None
    timeline = build_timeline(record, now=T0 + 100)
    assert [s.status for s in timeline.statuses] == ["queued", "in_progress"]
    assert timeline.statuses[1].start == T0 + 1 and timeline.statuses[1].end == T0 + 6
    bars = {bar.step_id: bar for bar in timeline.steps}
    assert bars["step_ci"].end - bars["step_ci"].start == 3
    assert timeline.start == T0 and timeline.end == T0 + 6


def test_running_step_usage_is_summed_until_the_run_reports(vm: InspectorViewModel) -> None:
    vm.on_chat_run_event(RunCreated(run("in_progress", started_at=T0)))
    usage = {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}
    vm.on_chat_run_event(StepUpdated(step("s1", "completed", code_details(), usage=usage)))
    assert vm.run_totals("run_1") == "7 tokens so far (from 1 finished step(s))"


def test_events_of_another_thread_are_ignored(vm: InspectorViewModel) -> None:
    vm.set_thread(THREAD, load=False)
    other = Run.model_validate({"id": "run_x", "thread_id": "thread_other", "status": "queued"})
    vm.on_chat_run_event(RunCreated(other))
    vm.on_chat_run_event(object())  # not an event at all
    assert vm.run_ids() == []


def test_failed_run_keeps_the_plain_reason(vm: InspectorViewModel, qtbot: QtBot) -> None:
    vm.on_chat_run_event(RunCreated(run("queued")))
    failed = run("failed", failed_at=T0 + 2, last_error={"code": "server_error", "message": "x"})
    vm.on_chat_run_event(RunFailed(failed, "The model endpoint did not answer."))
    detail = StepDetailView(vm)
    qtbot.addWidget(detail)
    detail.show_node(NodeKey("run", "run_1"))
    text = detail.browser.toPlainText()
    assert "The model endpoint did not answer." in text and "server_error" in text


def test_step_without_its_run_gets_a_placeholder_run(vm: InspectorViewModel) -> None:
    vm.on_chat_run_event(StepCreated(step("s1", "in_progress", message_details())))
    assert vm.run_ids() == ["run_1"]
    record = vm.record("run_1")
    assert record is not None and list(record.steps) == ["s1"]


def test_tree_shows_runs_steps_and_calls_and_follows_updates(
    vm: InspectorViewModel, qtbot: QtBot
) -> None:
    tree = StepTree(vm)
    qtbot.addWidget(tree)
    feed_full_run(vm)
    assert tree.topLevelItemCount() == 1
    run_item = tree.run_item("run_1")
    assert run_item is not None and run_item.text(1) == "completed"
    assert run_item.text(4).startswith("42 tokens")
    assert run_item.childCount() == 2
    code_item = run_item.child(0)
    assert code_item is not None
    assert code_item.text(0) == "tool calls: code_interpreter" and code_item.text(3) == "3.0 s"
    call_item = code_item.child(0)
    assert call_item is not None and tree.key_of(call_item) == NodeKey(
        "call", "run_1", "step_ci", 0
    )
    selected: list[object] = []
    tree.node_selected.connect(selected.append)
    assert tree.select_key(NodeKey("call", "run_1", "step_ci", 0))
    assert selected[-1] == NodeKey("call", "run_1", "step_ci", 0)
    # A later update keeps the selection.
    vm.on_chat_run_event(StepUpdated(step("step_ci", "completed", code_details("more"))))
    assert tree.key_of(tree.currentItem()) == NodeKey("call", "run_1", "step_ci", 0)


def test_code_interpreter_detail_highlights_input_and_shows_logs(
    vm: InspectorViewModel, qtbot: QtBot
) -> None:
    feed_full_run(vm)
    detail = StepDetailView(vm)
    qtbot.addWidget(detail)
    detail.show_node(NodeKey("call", "run_1", "step_ci", 0))
    html = detail.browser.toHtml()
    assert "math" in detail.browser.toPlainText()
    assert "color:" in html  # pygments colours
    assert detail.log_view.full_text() == "rows written\n"
    assert not detail.log_box.isHidden()


def test_message_creation_link_asks_the_chat_to_scroll(
    vm: InspectorViewModel, qtbot: QtBot
) -> None:
    feed_full_run(vm)
    detail = StepDetailView(vm)
    qtbot.addWidget(detail)
    detail.show_node(NodeKey("step", "run_1", "step_msg"))
    assert "Show this message in the chat" in detail.browser.toPlainText()
    with qtbot.waitSignal(vm.scroll_to_message_requested) as blocker:
        detail.on_browser_anchor_clicked(QUrl("inspector:message/msg_1"))
    assert blocker.args == ["msg_1"]
    with qtbot.assertNotEmitted(vm.scroll_to_message_requested):
        detail.on_browser_anchor_clicked(QUrl("https://example.com/message/msg_1"))


def test_function_call_shows_pretty_arguments_output_and_who_supplied_it(
    vm: InspectorViewModel, qtbot: QtBot
) -> None:
    details = {
        "type": "tool_calls",
        "tool_calls": [
            {
                "id": "call_fn",
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "arguments": '{"city":"Paris","days":2}',
                    "output": '{"temp": 21}',
                },
            }
        ],
    }
    vm.on_chat_run_event(StepUpdated(step("s_fn", "completed", details)))
    vm.set_tool_output_source("call_fn", "canned")
    detail = StepDetailView(vm)
    qtbot.addWidget(detail)
    detail.show_node(NodeKey("call", "run_1", "s_fn", 0))
    text = detail.browser.toPlainText()
    assert "get_weather" in text and '"city": "Paris"' in text and '"temp": 21' in text
    assert "canned text" in text


def test_file_search_results_names_scores_and_escaped_text(
    vm: InspectorViewModel, qtbot: QtBot
) -> None:
    details = {
        "type": "tool_calls",
        "tool_calls": [
            {
                "id": "call_fs",
                "type": "file_search",
                "file_search": {
                    "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0.0},
                    "results": [
                        {
                            "file_id": "file-notes",
                            "file_name": "notes.txt",
                            "score": 0.8123,
                            "content": [{"type": "text", "text": "<script>alert(1)</script>"}],
                        },
                        {"file_id": "file-2", "file_name": "other.md", "score": 0.1},
                    ],
                },
            }
        ],
    }
    vm.on_chat_run_event(StepUpdated(step("s_fs", "completed", details)))
    detail = StepDetailView(vm)
    qtbot.addWidget(detail)
    detail.show_node(NodeKey("call", "run_1", "s_fs", 0))
    text = detail.browser.toPlainText()
    assert "notes.txt" in text and "0.812" in text and "other.md" in text
    assert "<script>alert(1)</script>" in text  # shown as characters, not run
    assert "(text not returned)" in text


def test_unknown_tool_call_and_step_types_are_shown_without_crashing(
    vm: InspectorViewModel, qtbot: QtBot
) -> None:
    odd_call = {
        "type": "tool_calls",
        "tool_calls": [{"id": "call_x", "type": "quantum_oracle", "quantum_oracle": {"q": 1}}],
    }
    vm.on_chat_run_event(StepUpdated(step("s_odd", "completed", odd_call)))
    vm.on_chat_run_event(StepUpdated(step("s_new", "completed", {"type": "telepathy", "x": 1})))
    tree = StepTree(vm)
    detail = StepDetailView(vm)
    qtbot.addWidget(tree)
    qtbot.addWidget(detail)
    detail.show_node(NodeKey("call", "run_1", "s_odd", 0))
    assert "no special view" in detail.browser.toPlainText()
    assert '"quantum_oracle"' in vm.raw_json_for(NodeKey("call", "run_1", "s_odd", 0))
    detail.show_node(NodeKey("step", "run_1", "s_new"))
    assert "not known to this app" in detail.browser.toPlainText()


def test_hostile_message_text_is_escaped_and_remote_images_never_load(
    vm: InspectorViewModel, qtbot: QtBot
) -> None:
    message = Message.model_validate(
        {
            "id": "msg_evil",
            "thread_id": THREAD,
            "run_id": "run_1",
            "role": "assistant",
            "content": [
                {
                    "type": "text",
                    "text": {
                        "value": '<script>x()</script><img src="http://evil.test/t.png">',
                        "annotations": [],
                    },
                },
                {"type": "image_url", "image_url": {"url": "http://evil.test/pixel.gif"}},
                {"type": "hologram", "hologram": {}},
            ],
        }
    )
    vm.on_chat_run_event(RunCreated(run("queued")))
    vm.on_chat_run_event(MessageCompleted(message))
    detail = StepDetailView(vm)
    detail.resize(500, 400)
    qtbot.addWidget(detail)
    detail.show_node(NodeKey("message", "run_1", "s", message_id="msg_evil"))
    text = detail.browser.toPlainText()
    assert '<img src="http://evil.test/t.png">' in text
    assert "Remote image (not loaded)" in text and "hologram" in text
    detail.browser.grab()  # lay out and paint: any image would be requested now
    assert not [url for url in detail.browser.refused if "evil" in url]


async def test_five_megabyte_log_is_folded_and_loads_in_chunks(qtbot: QtBot) -> None:
    view = LogView()
    qtbot.addWidget(view)
    log = "".join(f"line {n:07d} {'x' * 40}\n" for n in range(100_000))
    assert len(log) > 5_000_000
    view.set_log(log)
    shown = view.text.toPlainText()
    assert len(shown) < 2 * FOLD_EDGE + 200
    assert shown.startswith("line 0000000") and shown.rstrip().endswith("x" * 40)
    assert "folded" in shown and not view.show_all_button.isHidden()
    done = asyncio.Event()
    view.fully_shown.connect(done.set)
    turns = 0

    async def count_turns() -> None:
        nonlocal turns
        while not done.is_set():
            await asyncio.sleep(0.001)
            turns += 1

    counter = asyncio.ensure_future(count_turns())
    view.on_show_all_clicked()
    assert view.loading
    async with asyncio.timeout(30):
        await done.wait()
    await counter
    assert view.text.toPlainText() == log
    assert turns > 5  # the event loop kept turning while the log loaded


def test_timeline_widget_paints_and_grows_with_steps(vm: InspectorViewModel, qtbot: QtBot) -> None:
    widget = RunTimeline(vm)
    qtbot.addWidget(widget)
    empty_height = widget.height()
    feed_full_run(vm)
    widget.set_run("run_1")
    widget.resize(420, widget.height())
    image = widget.grab().toImage()
    assert not image.isNull() and widget.height() > empty_height
    widget.set_run(None)
    assert widget.timeline is None


def test_a_finished_run_ends_in_a_badge_naming_its_outcome(
    vm: InspectorViewModel, qtbot: QtBot
) -> None:
    from PySide6.QtGui import QColor

    from playground.ui.widgets import timeline as lanes
    from playground.ui.widgets.step_tree import STATUS_COLORS

    widget = RunTimeline(vm)
    qtbot.addWidget(widget)
    vm.on_chat_run_event(RunCreated(run("queued")))
    vm.on_chat_run_event(RunStatusChanged(run("in_progress", started_at=T0 + 1), "queued"))
    widget.set_run("run_1")
    assert widget.timeline is not None and widget.timeline.final_status == ""
    feed_full_run(vm)
    assert widget.timeline is not None and widget.timeline.final_status == "completed"
    # The stretch while it ran is still "in progress"; the end of the lane says "completed".
    statuses = [s.status for s in widget.timeline.statuses]
    assert statuses[-1] == "in_progress" and "completed" not in statuses
    widget.resize(420, widget.height())
    image = widget.grab().toImage()
    lane_y = lanes.MARGIN + lanes.AXIS_HEIGHT + lanes.LANE_HEIGHT // 2
    end = image.pixelColor(widget.width() - lanes.MARGIN - 4, lane_y)
    assert end.name() == QColor(STATUS_COLORS["completed"]).name()


def test_pane_selects_the_newest_run_and_shows_raw_json(
    vm: InspectorViewModel, qtbot: QtBot
) -> None:
    pane = InspectorPane(vm)
    qtbot.addWidget(pane)
    feed_full_run(vm)
    assert pane.selected_key == NodeKey("run", "run_1")
    assert '"run_1"' in pane.raw.json_text()
    assert pane.timeline.run_id == "run_1"
    assert pane.title.text() == f"Thread {THREAD}"


def test_usage_formatting_round_trip() -> None:
    from playground.ui.viewmodels.run_records import format_usage

    assert format_usage(Usage(prompt_tokens=1, completion_tokens=2, total_tokens=3)) == (
        "3 tokens (1 prompt + 2 completion)"
    )


def test_tree_item_column_keeps_step_labels_whole_and_fills_the_width(
    vm: InspectorViewModel, qtbot: QtBot
) -> None:
    tree = StepTree(vm)
    qtbot.addWidget(tree)
    feed_full_run(vm)
    run_item = tree.run_item("run_1")
    assert run_item is not None
    code_item = run_item.child(0)
    assert code_item is not None
    header = tree.header()
    # A step sits one level below its run: the label needs its text plus two indents.
    needed = tree.fontMetrics().horizontalAdvance(code_item.text(0)) + 2 * tree.indentation()

    tree.resize(320, 240)  # narrower than all five columns want
    tree.show()
    qtbot.waitUntil(lambda: header.sectionSize(0) >= needed, timeout=2000)
    assert tree.visualItemRect(code_item).width() > 0
    assert header.sectionSize(0) >= tree.item_column_floor()

    tree.resize(1200, 240)  # wide: "Item" takes what the data columns leave, no gap
    others = lambda: sum(header.sectionSize(c) for c in range(1, tree.columnCount()))  # noqa: E731
    qtbot.waitUntil(
        lambda: header.sectionSize(0) + others() == tree.viewport().width(), timeout=2000
    )
    assert header.sectionSize(0) > tree.item_column_floor()
    # Scroll bars follow the columns on the next layout pass.
    qtbot.waitUntil(lambda: not tree.horizontalScrollBar().isVisible(), timeout=2000)
