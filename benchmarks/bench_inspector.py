"""The run-step inspector while a run streams: Qt-thread time per delta and the worst stall.

Run: ``.venv/bin/python -m benchmarks.bench_inspector [--deltas 2000] [--args-kb 200]
[--interval-ms 2]``.

The inspector's view model and its pane (tree, timeline, details, raw JSON), offscreen,
fed the same ``playground.runs.events`` the chat hands it in the app: the snapshots are
folded from wire deltas by ``playground.protocol.merge`` exactly as the run driver does.
Deltas arrive one per ``--interval-ms`` on a Qt timer (500 a second by default, faster than
a model streams), each in its own turn of the event loop. Four cases: a streaming answer of
``--deltas`` message deltas and a ``--args-kb`` function-arguments stream, each with the
streaming item selected and the Details tab shown, then the Raw JSON tab shown.

Printed per case, next to its goal: the Qt thread's CPU time per delta (making the next
snapshot is measured apart and left out: it is the driver's work, not the inspector's),
and the longest gap between two ticks of a 5 ms timer (wall, and the CPU spent in it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

GOAL_MS_PER_DELTA = 2.0
GOAL_GAP_MS = 50.0
RUN_ID, THREAD_ID, STEP_ID, MESSAGE_ID, CALL_ID = "run_b", "thread_b", "step_b", "msg_b", "call_b"
T0 = 1_700_000_000


@dataclass
class Case:
    name: str
    selected: str  # "message" | "call"
    tab: int  # 0 Details, 1 Raw JSON
    cpu_per_delta_ms: float = 0.0
    worst_gap_ms: float = 0.0
    worst_gap_cpu_ms: float = 0.0
    shown_final: bool = False


def _start_events(kind: str) -> list[Any]:
    from playground.protocol import Message, Run, RunStep
    from playground.runs.events import MessageCreated, RunCreated, StepCreated

    run = Run.model_validate(
        {"id": RUN_ID, "thread_id": THREAD_ID, "created_at": T0, "status": "in_progress"}
    )
    if kind == "message":
        details: dict[str, Any] = {
            "type": "message_creation",
            "message_creation": {"message_id": MESSAGE_ID},
        }
    else:
        details = {
            "type": "tool_calls",
            "tool_calls": [
                {
                    "id": CALL_ID,
                    "type": "function",
                    "function": {"name": "store_report", "arguments": "", "output": None},
                }
            ],
        }
    step = RunStep.model_validate(
        {
            "id": STEP_ID,
            "run_id": RUN_ID,
            "thread_id": THREAD_ID,
            "created_at": T0 + 1,
            "type": details["type"],
            "status": "in_progress",
            "step_details": details,
        }
    )
    events: list[Any] = [RunCreated(run), StepCreated(step)]
    if kind == "message":
        message = Message.model_validate(
            {
                "id": MESSAGE_ID,
                "thread_id": THREAD_ID,
                "run_id": RUN_ID,
                "role": "assistant",
                "status": "in_progress",
                "content": [],
            }
        )
        events.append(MessageCreated(message))
    return events


def _message_deltas(count: int, start: Any) -> Iterator[Any]:
    """``count`` MessageDelta events of about one token (4 characters) each."""
    from playground.protocol.deltas import MessageDelta as WireDelta
    from playground.protocol.merge import apply_message_delta
    from playground.runs.events import MessageDelta

    snapshot = start
    words = "the answer walks through each step of the data in turn".split()
    for n in range(count):
        piece = words[n % len(words)] + " "
        wire = WireDelta.model_validate(
            {
                "id": MESSAGE_ID,
                "delta": {
                    "content": [{"index": 0, "type": "text", "text": {"value": piece}}],
                },
            }
        )
        snapshot = apply_message_delta(snapshot, wire)
        yield MessageDelta(MESSAGE_ID, piece, snapshot)


def _argument_deltas(total_bytes: int, count: int, start: Any) -> Iterator[Any]:
    """StepUpdated events growing one function call's arguments to ``total_bytes``."""
    from playground.protocol.deltas import RunStepDelta
    from playground.protocol.merge import apply_step_delta
    from playground.runs.events import StepUpdated

    body = '{"rows": [' + ", ".join(f'{{"n": {i}, "v": "value {i}"}}' for i in range(20_000))
    text = (body[: total_bytes - 2] + "]}") if len(body) > total_bytes else body + "]}"
    size = max(1, len(text) // count)
    snapshot = start
    for n in range(count):
        piece = text[n * size : (n + 1) * size] if n < count - 1 else text[n * size :]
        wire = RunStepDelta.model_validate(
            {
                "id": STEP_ID,
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
        snapshot = apply_step_delta(snapshot, wire)
        yield StepUpdated(snapshot)


def _run_case(case: Case, args: argparse.Namespace, make_pane: Callable[[], Any]) -> Case:
    from PySide6.QtCore import QEventLoop, QTimer

    from benchmarks.bench_chat import StallMonitor
    from playground.ui.viewmodels.inspector import NodeKey

    vm, pane = make_pane()
    start = _start_events(case.selected)
    for event in start:
        vm.on_chat_run_event(event)
    if case.selected == "message":
        key = NodeKey("message", RUN_ID, STEP_ID, message_id=MESSAGE_ID)
        deltas = _message_deltas(args.deltas, start[-1].message)
        final = "".join(
            "the answer walks through each step of the data in turn".split()[n % 11] + " "
            for n in range(args.deltas)
        )
        probe = final[-40:]
    else:
        key = NodeKey("call", RUN_ID, STEP_ID, 0)
        deltas = _argument_deltas(args.args_kb * 1024, args.deltas, start[1].step)
        probe = ""
    assert pane.tree.select_key(key), key
    pane.detail_tabs.setCurrentIndex(case.tab)

    loop = QEventLoop()
    made_cpu = 0.0
    fed = 0
    last_event: list[Any] = []

    def feed() -> None:
        nonlocal made_cpu, fed
        before = time.thread_time()
        event = next(deltas, None)
        made_cpu += time.thread_time() - before
        if event is None:
            timer.stop()
            # Let any coalesced update land, then stop.
            QTimer.singleShot(200, loop.quit)
            return
        last_event[:] = [event]
        vm.on_chat_run_event(event)
        fed += 1

    timer = QTimer()
    timer.setInterval(args.interval_ms)
    timer.timeout.connect(feed)
    monitor = StallMonitor()
    monitor.start()
    cpu_start = time.thread_time()
    timer.start()
    loop.exec()
    cpu = time.thread_time() - cpu_start - made_cpu
    monitor.stop()
    # The idle 200 ms at the end costs (almost) nothing; the monitor's ticks are counted in.
    case.cpu_per_delta_ms = cpu * 1000 / max(fed, 1)
    case.worst_gap_ms = max(monitor.gaps)
    case.worst_gap_cpu_ms = monitor.max_cpu
    if case.selected == "message":
        shown = pane.details.browser.toPlainText() if case.tab == 0 else pane.raw.json_text()
        case.shown_final = probe.strip() in shown
    else:
        step = last_event[0].step
        arguments = step.step_details.tool_calls[0].function.arguments
        if case.tab == 0:
            case.shown_final = arguments[:200] in pane.details.browser.toPlainText() or (
                '"rows"' in pane.details.browser.toPlainText()
            )
        else:
            case.shown_final = arguments[-60:] in pane.raw.json_text().replace("\\", "")
    pane.close()
    pane.deleteLater()
    vm.deleteLater()
    return case


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deltas", type=int, default=2000, help="deltas per stream")
    parser.add_argument("--args-kb", type=int, default=200, help="size of the arguments")
    parser.add_argument("--interval-ms", type=int, default=2, help="between two deltas")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    home = tempfile.TemporaryDirectory()
    os.environ["ASSISTANTS_PLAYGROUND_HOME"] = home.name
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["PYTHON_KEYRING_BACKEND"] = "tests.helpers.memory_keyring.MemoryKeyring"

    from PySide6.QtWidgets import QApplication

    from playground.store.store import open_store
    from playground.ui.messages import MessageBridge
    from playground.ui.tasks import TaskRunner
    from playground.ui.viewmodels.inspector import InspectorViewModel
    from playground.ui.viewmodels.outputs import OutputsViewModel
    from playground.ui.viewmodels.session import Session
    from playground.ui.widgets.inspector_pane import InspectorPane

    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qt_app, QApplication)
    bridge = MessageBridge()
    session = Session(open_store(), TaskRunner(bridge), bridge)
    # As main() does once the window is up: start-up objects leave the full collections
    # (without it, a full collection over them is the worst stall measured here, ~35 ms).
    from playground.app import _freeze_startup_objects

    _freeze_startup_objects()

    def make_pane() -> tuple[Any, Any]:
        outputs = OutputsViewModel(session)
        vm = InspectorViewModel(session, outputs)
        pane = InspectorPane(vm, outputs)
        pane.resize(520, 900)
        pane.show()
        qt_app.processEvents()
        return vm, pane

    print(
        f"bench_inspector: {args.deltas} deltas per stream, one every {args.interval_ms} ms; "
        f"function arguments {args.args_kb} KB",
        flush=True,
    )
    cases = [
        ("message deltas, message selected, Details tab", "message", 0),
        ("message deltas, message selected, Raw JSON tab", "message", 1),
        (f"{args.args_kb} KB arguments, call selected, Details tab", "call", 0),
        (f"{args.args_kb} KB arguments, call selected, Raw JSON tab", "call", 1),
    ]
    met = total = 0
    for name, selected, tab in cases:
        runs = [_run_case(Case(name, selected, tab), args, make_pane) for _ in range(args.repeat)]
        per_delta = statistics.median(c.cpu_per_delta_ms for c in runs)
        gap = statistics.median(c.worst_gap_ms for c in runs)
        gap_cpu = statistics.median(c.worst_gap_cpu_ms for c in runs)
        final = all(c.shown_final for c in runs)
        ok_delta, ok_gap = per_delta <= GOAL_MS_PER_DELTA, gap <= GOAL_GAP_MS
        met += ok_delta + ok_gap + final
        total += 3
        print(f"  {name}:", flush=True)
        print(
            f"    Qt-thread CPU per delta {per_delta:.3f} ms "
            f"({per_delta / GOAL_MS_PER_DELTA:.2f}x the goal <= {GOAL_MS_PER_DELTA:.0f} ms) "
            f"{'OK' if ok_delta else 'MISSED'}",
            flush=True,
        )
        print(
            f"    worst gap {gap:.0f} ms wall, {gap_cpu:.0f} ms Qt-thread CPU in it "
            f"({gap / GOAL_GAP_MS:.2f}x the goal <= {GOAL_GAP_MS:.0f} ms) "
            f"{'OK' if ok_gap else 'MISSED'}",
            flush=True,
        )
        print(f"    the last delta is shown: {'yes' if final else 'NO'}", flush=True)
    home.cleanup()
    print(f"\n{met} of {total} goals met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
