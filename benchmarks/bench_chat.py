"""The chat pane at scale, in the real window against the real embedded runtime.

Run: ``.venv/bin/python -m benchmarks.bench_chat [--repeat 3] [--long 2000] [--only long]``.

Builds the window exactly as the app does (``PlaygroundApp.bootstrap``: main window, panes,
the embedded runtime as a child process) with the runtime's model pointed at the scripted
Chat Completions server, streaming at a controlled rate (``chunk_delay`` paced against the
clock). A QTimer firing every 5 ms on the Qt thread measures stalls: each gap between two
ticks is how long the window could not react; max and p99 are printed. A paint filter on the
chat's viewport measures how long a streamed delta waits until it is on screen.

Scenarios (issue 12), each printed next to its goal:
1. 600 tokens at 200 tok/s into a 5-message thread: max stall, update→paint p50/p95.
2. the same into a thread of 100 messages with code blocks.
3. opening that long thread: max stall until everything loaded is shown.
4. ten images arriving in one message of a long thread: max stall until all are shown.
5. a 2,000-message thread with code blocks: every message reached by scrolling to the top
   page after page; time per page and per message (from the page reaching the view model
   to all of it shown); max stall; window process RSS with all of them loaded.

The scripted model runs in a thread of this process (it costs a few MB of the RSS shown);
the runtime is its own process and is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

GOAL_STALL_MS = 50.0
GOAL_LATENCY_MS = 50.0
GOAL_RSS_MB = 300.0
#: An older page costs per message it brings, not per message already shown.
GOAL_PAGE_MS_PER_MESSAGE = 2.0
GOAL_PAGE_GROWTH = 2.0
TOKENS = 600
TOKENS_PER_S = 200.0
#: A "token" of the scripted stream: 4 characters, about an English token.
TOKEN_CHARS = 4


def _code_message(index: int) -> str:
    return (
        f"Step {index}: the function below adds things up.\n\n```python\n"
        f"def total_{index}(values):\n"
        "    result = 0\n"
        "    for value in values:\n"
        f"        result += value * {index % 7 + 1}\n"
        "    return result\n```\n\nIt returns the **weighted** sum."
    )


def _answer() -> str:
    """About ``TOKENS`` tokens of Markdown with a code block."""
    words = "The answer walks through the data and explains each step in turn".split()
    prose = " ".join(words[i % len(words)] for i in range(180))
    code = "\n".join(f"    row_{i} = compute(row_{i - 1}, {i})" for i in range(1, 30))
    text = f"{prose}\n\n```python\ndef run():\n{code}\n```\n\nDone."
    return text[: TOKENS * TOKEN_CHARS]


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _p(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class StallMonitor:
    """A 5 ms QTimer on the Qt thread; every gap between its ticks is a stall sample.

    Besides the wall-clock gap it keeps the Qt thread's own CPU time in each gap: on a
    machine shared with other work the wall gap includes time the thread waited for a core,
    the CPU gap is what the window's code itself spent.
    """

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self._timer = QTimer()
        self._timer.setInterval(5)
        self._timer.timeout.connect(self._tick)
        self.gaps: list[float] = []
        self.cpu_gaps: list[float] = []
        self._last = 0.0
        self._last_cpu = 0.0

        #: Longest garbage-collector pause seen while running (ms), a usual stall culprit.
        self.gc_max = 0.0
        self._gc_started = 0.0

    def _on_gc(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            self.gc_max = max(self.gc_max, (time.perf_counter() - self._gc_started) * 1000)

    def start(self) -> None:
        import gc

        self.gaps = []
        self.cpu_gaps = []
        self.gc_max = 0.0
        gc.callbacks.append(self._on_gc)
        self._last = time.perf_counter()
        self._last_cpu = time.thread_time()
        self._timer.start()

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        self.gaps.append((now - self._last) * 1000)
        self.cpu_gaps.append((cpu - self._last_cpu) * 1000)
        self._last, self._last_cpu = now, cpu

    @property
    def max_cpu(self) -> float:
        return max(self.cpu_gaps or [0.0])

    def stop(self) -> tuple[float, float]:
        import gc

        self._tick()
        self._timer.stop()
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)
        return max(self.gaps), _p(self.gaps, 0.99)


@dataclass
class PaintLatency:
    """update (the view model changed a message) → the chat's viewport painted it."""

    view: Any
    pending: list[float] = field(default_factory=list)
    samples: list[float] = field(default_factory=list)
    on: bool = False

    def __post_init__(self) -> None:
        from PySide6.QtCore import QEvent, QObject

        outer = self

        class Filter(QObject):
            def eventFilter(self, obj: Any, event: Any) -> bool:
                if event.type() == QEvent.Type.Paint and outer.pending:
                    outer.painted()
                return False

        self._filter = Filter()
        self.view.browser.viewport().installEventFilter(self._filter)
        self.view._vm.item_updated.connect(self.updated)

    def updated(self, _index: int) -> None:
        if self.on:
            self.pending.append(time.perf_counter())

    def painted(self) -> None:
        now = time.perf_counter()
        flushed = self.view.last_flush_at
        shown = [t for t in self.pending if t <= flushed]
        self.samples.extend((now - t) * 1000 for t in shown)
        self.pending = [t for t in self.pending if t > flushed]


async def _until(predicate: Callable[[], Any], within: float = 120.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        await asyncio.sleep(0.005)


async def _open(app: Any, thread_id: str) -> None:
    vm = app.parts.chat_vm
    view = app.window.chat_pane.messages
    assert await app.parts.threads_vm.open_by_id_async(thread_id)
    await _until(lambda: vm.thread_id == thread_id and vm.item_count and view.is_caught_up)


async def _thread(app: Any, contents: list[Any]) -> str:
    client = app.parts.session.client
    messages = [
        {"role": "user" if i % 2 == 0 else "assistant", "content": c}
        for i, c in enumerate(contents)
    ]
    thread = await client.threads.create({"messages": messages})
    return str(thread.id)


async def _stream(app: Any, llm: Any, latency: PaintLatency) -> StallMonitor:
    from tests.helpers.scripted_llm import text

    llm.queue(text(_answer(), chunk_delay=1 / TOKENS_PER_S, chunk_chars=TOKEN_CHARS))
    vm = app.parts.chat_vm
    pane = app.window.chat_pane
    monitor = StallMonitor()
    latency.on = True
    monitor.start()
    pane.composer.setPlainText("Explain the data, with code.")
    pane.composer.submit.emit()
    await _until(lambda: vm.run is not None and vm.run.active)
    await _until(lambda: vm.run is not None and not vm.run.active and pane.messages.is_caught_up)
    latency.on = False
    monitor.stop()
    return monitor


@dataclass
class Figures:
    rows: list[tuple[str, str, str, bool]] = field(default_factory=list)

    def add(self, scenario: str, value: str, goal: str, ok: bool) -> None:
        self.rows.append((scenario, value, goal, ok))
        print(f"  {scenario}: {value} (goal {goal}) {'OK' if ok else 'MISSED'}", flush=True)

    def stall(self, scenario: str, monitors: list[StallMonitor]) -> None:
        """Median over repeats of the max gap (wall), with p99 and the CPU-only max."""
        worst = statistics.median(max(m.gaps) for m in monitors)
        p99 = statistics.median(_p(m.gaps, 0.99) for m in monitors)
        cpu = statistics.median(m.max_cpu for m in monitors)
        gc_pause = statistics.median(m.gc_max for m in monitors)
        self.add(
            scenario,
            f"{worst:.0f} ms wall (p99 gap {p99:.0f} ms; most Qt-thread CPU in one gap "
            f"{cpu:.0f} ms; longest GC pause {gc_pause:.0f} ms; median of {len(monitors)})",
            f"<= {GOAL_STALL_MS:.0f} ms",
            worst <= GOAL_STALL_MS,
        )


async def _scenarios(app: Any, llm: Any, args: argparse.Namespace) -> Figures:
    figures = Figures()
    session = app.parts.session
    await _until(lambda: session.state.value in ("connected", "failed"))
    assert session.is_connected, session.state_detail
    assistant = await session.client.assistants.create(
        {"model": "scripted-model", "name": "Bench", "instructions": "Be brief."}
    )
    app.parts.chat_vm.set_assistant(assistant.id)
    view = app.window.chat_pane.messages
    latency = PaintLatency(view)

    if args.only == "long":
        short_id = await _thread(app, ["hello", "hi"])
        await _long_thread(app, figures, args, short_id)
        return figures

    for label, size in (("5-message thread", 4), ("100-message thread with code", 99)):
        monitors: list[StallMonitor] = []
        latency.samples = []
        for _ in range(args.repeat):
            thread_id = await _thread(app, [_code_message(i) for i in range(size)])
            await _open(app, thread_id)
            app.parts.chat_vm.set_assistant(assistant.id)
            monitors.append(await _stream(app, llm, latency))
        figures.stall(f"max stall, {TOKENS} tokens at {TOKENS_PER_S:.0f} tok/s, {label}", monitors)
        p50, p95 = _p(latency.samples, 0.5), _p(latency.samples, 0.95)
        figures.add(
            f"update -> painted, {label}",
            f"p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {max(latency.samples or [0]):.0f} ms"
            f" ({len(latency.samples)} updates)",
            f"p95 <= {GOAL_LATENCY_MS:.0f} ms",
            p95 <= GOAL_LATENCY_MS,
        )

    # Opening a long thread (from a short one).
    monitors = []
    long_id = await _thread(app, [_code_message(i) for i in range(100)])
    short_id = await _thread(app, ["hello", "hi"])
    for _ in range(args.repeat):
        await _open(app, short_id)
        view._bodies.clear()  # measure a thread never shown before
        monitor = StallMonitor()
        monitor.start()
        await _open(app, long_id)
        monitor.stop()
        monitors.append(monitor)
    figures.stall("open a 100-message thread with code: max stall", monitors)

    # Ten images in one message of a long thread.
    monitors = []
    for round_ in range(args.repeat):
        file_ids = [await _upload_png(app, f"plot-{round_}-{i}.png", i) for i in range(10)]
        contents: list[Any] = [_code_message(i) for i in range(100)]
        contents.append(
            [{"type": "text", "text": "Ten plots:"}]
            + [{"type": "image_file", "image_file": {"file_id": f}} for f in file_ids]
        )
        thread_id = await _thread(app, contents)
        await _open(app, short_id)
        monitor = StallMonitor()
        await _open(app, thread_id)
        monitor.start()  # the thread is shown: from here on, thumbnails arrive
        outputs = view.outputs
        assert outputs is not None

        def all_shown(outputs: Any = outputs, file_ids: list[str] = file_ids) -> bool:
            shown = [f for f in file_ids if outputs.thumbnail(f) is not None]
            return len(shown) == len(file_ids) and bool(view.is_caught_up)

        await _until(all_shown)
        monitor.stop()
        monitors.append(monitor)
    figures.stall("10 thumbnails arriving in a long thread: max stall", monitors)

    await _long_thread(app, figures, args, short_id)
    return figures


async def _long_thread(app: Any, figures: Figures, args: argparse.Namespace, short_id: str) -> None:
    """A 2,000-message thread: everything reachable by scrolling up; memory bounded.

    Each page is timed from the moment its messages reach the view model
    (``items_inserted``) until the view shows them all: wall time and the Qt thread's CPU
    time, per page and per message, so a cost that grows with the thread's length shows
    as a per-message figure that grows from the first page to the last.
    """
    view = app.window.chat_pane.messages
    thread_id = await _thread(app, [_code_message(i) for i in range(args.long)])
    await _open(app, short_id)
    rss_before = _rss_mb()
    vm = app.parts.chat_vm
    inserted: list[tuple[float, float, int]] = []

    def on_inserted(start: int, count: int) -> None:
        if start == 0:
            inserted.append((time.perf_counter(), time.thread_time(), count))

    vm.items_inserted.connect(on_inserted)
    monitor = StallMonitor()
    monitor.start()
    started = time.perf_counter()
    await _open(app, thread_id)
    pages = 1
    bar = view.browser.verticalScrollBar()
    page_times: list[tuple[int, int, float, float]] = []  # (shown before, count, wall, cpu)
    while vm.has_older:
        shown_before = len(view.shown_keys())
        inserted.clear()
        bar.setValue(0)  # a person scrolling to the top
        await _until(lambda: vm.loading_older or not vm.has_older)
        await _until(lambda: not vm.loading_older and view.is_caught_up)
        done, done_cpu = time.perf_counter(), time.thread_time()
        if inserted:
            at, at_cpu, count = inserted[0]
            page_times.append((shown_before, count, (done - at) * 1000, (done_cpu - at_cpu) * 1000))
        pages += 1
    elapsed = time.perf_counter() - started
    monitor.stop()
    vm.items_inserted.disconnect(on_inserted)
    reached = len(view.shown_keys())
    for shown_before, count, wall, cpu in page_times:
        print(
            f"    page of {count} above {shown_before:5d} shown: {wall:6.0f} ms wall, "
            f"{cpu:6.0f} ms Qt-thread CPU ({wall / count:.2f} ms / {cpu / count:.2f} ms "
            "per message)",
            flush=True,
        )
    if page_times:
        total_wall = sum(p[2] for p in page_times)
        total_cpu = sum(p[3] for p in page_times)
        messages = sum(p[1] for p in page_times)
        first, last = page_times[0], page_times[-1]
        growth = (last[2] / last[1]) / max(first[2] / first[1], 1e-9)
        figures.add(
            f"{args.long}-message thread: time to show an older page",
            f"{total_wall / len(page_times):.0f} ms per page, {total_wall / messages:.2f} ms "
            f"per message wall ({total_cpu / messages:.2f} ms Qt-thread CPU); last page "
            f"{last[2] / last[1]:.2f} ms per message = {growth:.1f}x the first",
            f"<= {GOAL_PAGE_MS_PER_MESSAGE:.1f} ms per message, last page <= "
            f"{GOAL_PAGE_GROWTH:.0f}x the first",
            total_wall / messages <= GOAL_PAGE_MS_PER_MESSAGE and growth <= GOAL_PAGE_GROWTH,
        )
    figures.add(
        f"{args.long}-message thread: messages reachable",
        f"{reached} in {pages} pages, {elapsed:.1f} s of scrolling to the top",
        f"all {args.long}",
        reached == args.long,
    )
    figures.stall(f"{args.long}-message thread: max stall while paging in", [monitor])
    rss = _rss_mb()
    figures.add(
        f"window process RSS with all {args.long} loaded",
        f"{rss:.0f} MB (before opening: {rss_before:.0f} MB)",
        f"<= {GOAL_RSS_MB:.0f} MB",
        rss <= GOAL_RSS_MB,
    )


async def _upload_png(app: Any, name: str, seed: int) -> str:
    from PySide6.QtCore import QBuffer, QIODevice
    from PySide6.QtGui import QColor, QImage, QPainter

    image = QImage(800, 600, QImage.Format.Format_RGB32)
    image.fill(QColor.fromHsv((seed * 36) % 360, 120, 230))
    painter = QPainter(image)
    for i in range(0, 800, 20):
        painter.drawLine(i, 0, 800 - i, 600)
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]
    uploaded = await app.parts.session.client.files.upload(
        bytes(buffer.data().data()), purpose="vision", filename=name
    )
    return str(uploaded.id)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--long", type=int, default=2000, help="messages in the long thread")
    parser.add_argument(
        "--only",
        choices=("all", "long"),
        default="all",
        help="'long': only scenario 5 (paging a long thread in), with per-page figures",
    )
    args = parser.parse_args(argv)
    home = tempfile.TemporaryDirectory()
    os.environ["ASSISTANTS_PLAYGROUND_HOME"] = home.name
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # The in-memory keyring the tests use: a benchmark must not touch the person's keyring.
    os.environ["PYTHON_KEYRING_BACKEND"] = "tests.helpers.memory_keyring.MemoryKeyring"

    import qasync
    from PySide6.QtWidgets import QApplication

    from playground.app import PlaygroundApp, install_asyncgen_hooks
    from playground.ui.main_window import MainWindow
    from playground.ui.messages import MessageBridge
    from playground.ui.tasks import TaskRunner
    from tests.helpers.scripted_llm import MODEL_ID, ScriptedLLM

    with ScriptedLLM() as llm:
        os.environ["PLAYGROUND_MODEL_BASE_URL"] = llm.base_url
        os.environ["PLAYGROUND_MODEL"] = MODEL_ID
        qt_app = QApplication.instance() or QApplication(sys.argv[:1])
        assert isinstance(qt_app, QApplication)
        qt_app.setQuitOnLastWindowClosed(False)
        loop = qasync.QEventLoop(qt_app)
        asyncio.set_event_loop(loop)
        install_asyncgen_hooks(loop)
        bridge = MessageBridge()
        runner = TaskRunner(bridge, loop=loop)
        window = MainWindow(bridge)
        window.resize(1320, 820)
        window.show()
        app = PlaygroundApp(window, bridge, runner)
        app.freeze_after_start = True  # as main() does

        async def run() -> Figures:
            try:
                await app.bootstrap()
                return await _scenarios(app, llm, args)
            finally:
                await app.shutdown()
                window.close()

        print(f"bench_chat: {args.repeat} repeats, long thread {args.long} messages", flush=True)
        with loop:
            figures = loop.run_until_complete(run())
    home.cleanup()
    missed = [row for row in figures.rows if not row[3]]
    print(f"\n{len(figures.rows) - len(missed)} of {len(figures.rows)} goals met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
