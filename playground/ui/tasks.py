"""The task runner: every coroutine the UI starts goes through one of these.

Why one runner: a Qt app on an asyncio loop loses tasks (they are garbage-collected when
nobody holds a reference), swallows their exceptions, and lets two loads of the same thing
race. The runner holds every task, reports failures to the message bridge in plain words,
lets a named task preempt the previous one of that name (switching threads cancels the old
load before the new one starts), runs blocking work (SQLite, files) in worker threads so the
Qt thread never stalls, and tells tests when everything is done (``wait_idle``).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import itertools
import logging
from collections.abc import Callable, Coroutine
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from PySide6.QtCore import QObject, Signal

from playground.ui.messages import MessageBridge

log = logging.getLogger(__name__)

T = TypeVar("T")
P = ParamSpec("P")

DEFAULT_WORKERS = 4


class TaskRunner(QObject):
    """Owns the UI's asyncio tasks and worker-thread calls.

    ``busy_changed(bool)`` fires when the runner goes from idle to busy and back, for a status
    indicator. Call everything from the thread that runs the event loop (the Qt thread).
    """

    busy_changed = Signal(bool)

    def __init__(
        self,
        bridge: MessageBridge | None = None,
        *,
        max_workers: int = DEFAULT_WORKERS,
        loop: asyncio.AbstractEventLoop | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._max_workers = max_workers
        self._loop = loop
        self._executor: ThreadPoolExecutor | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._by_name: dict[str, list[asyncio.Task[Any]]] = {}
        self._pending_threads = 0
        self._busy = False
        self._idle_waiters: set[asyncio.Future[None]] = set()
        self._counter = itertools.count(1)
        self._closed = False

    # -- tasks ------------------------------------------------------------------------------

    def start(
        self,
        name: str | None,
        coro: Coroutine[Any, Any, T],
        *,
        replace: bool = True,
        label: str | None = None,
    ) -> asyncio.Task[T]:
        """Run ``coro`` as a task and keep it alive until it finishes.

        ``name`` groups tasks: with ``replace=True`` (default) the running tasks of that name
        are cancelled and the new one starts once they have finished unwinding, so their
        clean-up never interleaves with the new work; with ``replace=False`` the new one waits
        for them to finish normally (a queue). ``name=None`` runs independently. An exception
        goes to the message bridge, prefixed with ``label`` (what was being done, in words).
        """
        if not asyncio.iscoroutine(coro):
            raise TypeError(f"TaskRunner.start needs a coroutine, got {type(coro).__name__}")
        if self._closed:
            coro.close()
            raise RuntimeError("The task runner has been shut down.")
        key = name if name is not None else f"_anon{next(self._counter)}"
        earlier = [t for t in self._by_name.get(key, []) if not t.done()]
        if earlier:
            if replace:
                for old in earlier:
                    old.cancel()
            inner = coro
            coro = self._after(earlier, inner)
        task: asyncio.Task[T] = self._event_loop().create_task(coro, name=f"runner:{key}")
        if earlier:
            # A task cancelled before its first step never runs ``_after``'s body; close the
            # wrapped coroutine then, or Python warns that it was never awaited. Closing a
            # finished coroutine is a no-op.
            task.add_done_callback(lambda _: inner.close())
        self._tasks.add(task)
        self._by_name.setdefault(key, []).append(task)
        task.add_done_callback(functools.partial(self._on_task_done, key, label))
        self._update_busy()
        return task

    def is_running(self, name: str) -> bool:
        """Whether a task of that name is still going."""
        return any(not t.done() for t in self._by_name.get(name, []))

    def cancel(self, name: str) -> bool:
        """Cancel the tasks of one name; True if there was anything to cancel."""
        live = [t for t in self._by_name.get(name, []) if not t.done()]
        for task in live:
            task.cancel()
        return bool(live)

    def cancel_all(self) -> None:
        """Cancel every task (worker-thread calls finish on their own; their results are dropped)."""
        for task in list(self._tasks):
            task.cancel()

    def is_idle(self) -> bool:
        """No task running and no worker-thread call in flight."""
        return not self._tasks and self._pending_threads == 0

    async def wait_idle(self) -> None:
        """Wait until ``is_idle()``; bound it with ``asyncio.timeout(...)``. Do not await this
        from inside a runner task: it would wait for itself."""
        while not self.is_idle():
            # A fresh future per wait (not one Event) so the runner is not tied to one loop.
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._idle_waiters.add(waiter)
            try:
                await waiter
            finally:
                self._idle_waiters.discard(waiter)

    async def shutdown(self, grace_s: float = 10.0) -> None:
        """Cancel everything, wait up to ``grace_s`` for it to unwind, stop the worker threads."""
        self._closed = True
        self.cancel_all()
        try:
            async with asyncio.timeout(grace_s):
                await self.wait_idle()
        except TimeoutError:
            log.warning("Some background work did not finish within %s s of shutdown.", grace_s)
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    # -- worker threads ---------------------------------------------------------------------

    async def run_blocking(self, func: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a blocking callable in a worker thread and return its result.

        Counted by ``is_idle`` until the thread work itself ends — even when the awaiting task
        was cancelled — so tests and shutdown never leave a write half-done behind them.
        """
        loop = asyncio.get_running_loop()
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                max_workers=self._max_workers, thread_name_prefix="playground-worker"
            )
        call = functools.partial(contextvars.copy_context().run, func, *args, **kwargs)
        future: Future[T] = self._executor.submit(call)
        self._pending_threads += 1
        self._update_busy()

        def finished(_: Future[T]) -> None:
            try:
                loop.call_soon_threadsafe(self._on_thread_done)
            except RuntimeError:
                pass  # the loop is closed: nobody is waiting any more

        future.add_done_callback(finished)
        return await asyncio.wrap_future(future, loop=loop)

    # -- internals --------------------------------------------------------------------------

    def _event_loop(self) -> asyncio.AbstractEventLoop:
        try:
            return asyncio.get_running_loop()
        except RuntimeError:
            pass
        if self._loop is not None:
            return self._loop
        # Called from a Qt slot outside a loop iteration: use the loop the app installed.
        return asyncio.get_event_loop_policy().get_event_loop()

    @staticmethod
    async def _after(earlier: list[asyncio.Task[Any]], coro: Coroutine[Any, Any, T]) -> T:
        await asyncio.wait(earlier)
        return await coro

    def _on_task_done(self, key: str, label: str | None, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        group = self._by_name.get(key)
        if group is not None:
            if task in group:
                group.remove(task)
            if not group:
                del self._by_name[key]
        if not task.cancelled():
            exc = task.exception()
            if exc is not None:
                self._report(exc, label)
        self._update_busy()

    def _on_thread_done(self) -> None:
        self._pending_threads -= 1
        self._update_busy()

    def _report(self, exc: BaseException, label: str | None) -> None:
        log.error("Background task failed%s", f" ({label})" if label else "", exc_info=exc)
        if self._bridge is not None:
            self._bridge.report_exception(exc, context=label)

    def _update_busy(self) -> None:
        busy = not self.is_idle()
        if not busy:
            for waiter in list(self._idle_waiters):
                if not waiter.done():
                    waiter.set_result(None)
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)
