"""The task runner on the real Qt event loop (qasync)."""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Iterator

import pytest
import qasync
from PySide6.QtCore import QTimer

from playground.ui.messages import MessageBridge
from playground.ui.tasks import TaskRunner


@pytest.fixture
def bridge(qapp: object) -> MessageBridge:
    return MessageBridge()


@pytest.fixture
def errors(bridge: MessageBridge) -> list[tuple[str, str]]:
    received: list[tuple[str, str]] = []
    bridge.error_posted.connect(lambda title, detail: received.append((title, detail)))
    return received


@pytest.fixture
def runner(bridge: MessageBridge) -> Iterator[TaskRunner]:
    r = TaskRunner(bridge)
    yield r
    r.cancel_all()


async def settle(runner: TaskRunner) -> None:
    async with asyncio.timeout(5):
        await runner.wait_idle()


async def test_async_tests_run_on_the_qt_loop() -> None:
    assert isinstance(asyncio.get_running_loop(), qasync.QEventLoop)
    fired = asyncio.Event()
    QTimer.singleShot(5, fired.set)  # a Qt timer can only fire if Qt events are processed
    async with asyncio.timeout(5):
        await fired.wait()


async def test_start_returns_task_result_and_runner_becomes_idle(runner: TaskRunner) -> None:
    async def work() -> int:
        await asyncio.sleep(0)
        return 42

    task = runner.start("work", work())
    assert not runner.is_idle()
    assert runner.is_running("work")
    assert await task == 42
    await settle(runner)
    assert runner.is_idle()
    assert not runner.is_running("work")


async def test_named_task_preempts_previous_and_waits_for_its_cleanup(runner: TaskRunner) -> None:
    order: list[str] = []
    first_started = asyncio.Event()

    async def load(tag: str, hold: bool) -> str:
        order.append(f"{tag}:start")
        first_started.set()
        try:
            if hold:
                await asyncio.Event().wait()  # forever, until cancelled
            return tag
        finally:
            await asyncio.sleep(0.01)  # clean-up that itself awaits
            order.append(f"{tag}:end")

    old = runner.start("thread-load", load("old", hold=True))
    async with asyncio.timeout(5):
        await first_started.wait()
    new = runner.start("thread-load", load("new", hold=False))
    assert await new == "new"
    assert old.cancelled()
    assert order == ["old:start", "old:end", "new:start", "new:end"]


async def test_preempting_a_waiting_task_never_starts_it(runner: TaskRunner) -> None:
    ran: list[str] = []
    gate = asyncio.Event()

    async def job(tag: str) -> None:
        ran.append(tag)
        await gate.wait()

    runner.start("q", job("a"))
    await asyncio.sleep(0)  # let "a" start
    runner.start("q", job("b"))  # waits for "a" to unwind
    last = runner.start("q", job("c"))  # preempts "b" before it ever ran
    gate.set()
    await last
    await settle(runner)
    assert ran == ["a", "c"]


async def test_replace_false_queues_in_order(runner: TaskRunner) -> None:
    order: list[str] = []

    async def step(tag: str) -> None:
        order.append(f"{tag}:start")
        await asyncio.sleep(0.01)
        order.append(f"{tag}:end")

    runner.start("save", step("a"), replace=False)
    runner.start("save", step("b"), replace=False)
    runner.start("save", step("c"), replace=False)
    await settle(runner)
    assert order == ["a:start", "a:end", "b:start", "b:end", "c:start", "c:end"]


async def test_unnamed_tasks_do_not_preempt_each_other(runner: TaskRunner) -> None:
    async def value(v: int) -> int:
        await asyncio.sleep(0.01)
        return v

    tasks = [runner.start(None, value(i)) for i in range(3)]
    assert [await t for t in tasks] == [0, 1, 2]


async def test_exception_goes_to_bridge_in_plain_words(
    runner: TaskRunner, errors: list[tuple[str, str]]
) -> None:
    async def fail() -> None:
        raise PermissionError("the folder is read-only")

    runner.start("save", fail(), label="Saving the draft")
    await settle(runner)
    assert errors == [("Permission denied", "Saving the draft: the folder is read-only")]


async def test_cancellation_is_not_reported(
    runner: TaskRunner, errors: list[tuple[str, str]]
) -> None:
    started = asyncio.Event()

    async def forever() -> None:
        started.set()
        await asyncio.Event().wait()

    task = runner.start("x", forever())
    async with asyncio.timeout(5):
        await started.wait()
    assert runner.cancel("x") is True
    await settle(runner)
    assert task.cancelled()
    assert errors == []
    assert runner.cancel("x") is False


async def test_busy_changed_and_wait_idle(runner: TaskRunner) -> None:
    states: list[bool] = []
    runner.busy_changed.connect(states.append)
    release = asyncio.Event()

    async def held() -> None:
        await release.wait()

    runner.start("a", held())
    runner.start("b", held())
    assert states == [True]
    waiter = asyncio.ensure_future(runner.wait_idle())
    await asyncio.sleep(0.01)
    assert not waiter.done()  # still two tasks running
    release.set()
    async with asyncio.timeout(5):
        await waiter
    assert runner.is_idle()
    assert states == [True, False]


async def test_run_blocking_runs_off_the_qt_thread(runner: TaskRunner) -> None:
    main = threading.get_ident()

    def work(a: int, *, b: int) -> tuple[int, int]:
        return threading.get_ident(), a + b

    ident, total = await runner.run_blocking(work, 2, b=3)
    assert total == 5
    assert ident != main


async def test_run_blocking_propagates_exceptions(runner: TaskRunner) -> None:
    def broken() -> None:
        raise ValueError("bad row")

    with pytest.raises(ValueError, match="bad row"):
        await runner.run_blocking(broken)
    await settle(runner)


async def test_thread_work_keeps_runner_busy_after_its_task_is_cancelled(
    runner: TaskRunner,
) -> None:
    entered = threading.Event()
    release = threading.Event()
    finished: list[bool] = []

    def slow_write() -> None:
        entered.set()
        release.wait(5)
        finished.append(True)

    async def uses_thread() -> None:
        await runner.run_blocking(slow_write)

    task = runner.start("write", uses_thread())
    async with asyncio.timeout(5):
        await asyncio.to_thread(entered.wait, 5)
    task.cancel()
    await asyncio.sleep(0.01)
    assert task.cancelled()
    assert not runner.is_idle()  # the thread is still writing
    release.set()
    await settle(runner)
    assert finished == [True]


async def test_cancel_all_and_shutdown(runner: TaskRunner) -> None:
    async def forever() -> None:
        await asyncio.Event().wait()

    tasks = [runner.start(f"t{i}", forever()) for i in range(3)]
    await asyncio.sleep(0)
    await runner.shutdown(grace_s=5)
    assert all(t.cancelled() for t in tasks)
    assert runner.is_idle()

    async def late() -> None:
        return None

    coro = late()
    with pytest.raises(RuntimeError, match="shut down"):
        runner.start("late", coro)
    # Closed, so no "never awaited" warning.
    assert inspect.getcoroutinestate(coro) == inspect.CORO_CLOSED


async def test_start_refuses_non_coroutines(runner: TaskRunner) -> None:
    with pytest.raises(TypeError, match="coroutine"):
        runner.start("x", lambda: None)  # type: ignore[arg-type]
