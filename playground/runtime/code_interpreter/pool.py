"""A spare, already-started kernel so a new session does not wait for a cold start.

The spare has its own empty folder as /mnt/data and has never run user code; the
session that takes it owns it for the kernel's whole life.

Starting ipykernel takes about a second; keeping one ready (and starting the next one
when it is taken) turns a session's first execution into a folder switch.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

from .kernel import SandboxedKernel

KernelFactory = Callable[[], Coroutine[Any, Any, SandboxedKernel]]


class KernelPool:
    """Hands out started kernels, keeping at most one spare warm."""

    def __init__(self, factory: KernelFactory, *, keep_spare: bool) -> None:
        self._factory = factory
        self._keep_spare = keep_spare
        self._spare: asyncio.Task[SandboxedKernel] | None = None
        self._closed = False

    def warm(self) -> None:
        """Start the spare kernel in the background if there is none."""
        if self._keep_spare and not self._closed and self._spare is None:
            self._spare = asyncio.create_task(self._factory(), name="code-interpreter-spare")

    async def wait_warm(self) -> None:
        """Wait until the spare kernel has started (or failed to); for start-up and benchmarks."""
        spare = self._spare
        if spare is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(spare)

    async def take(self) -> SandboxedKernel | None:
        """The spare kernel if there is a usable one (None otherwise); never given twice.

        A fresh kernel is not started here: without a spare the caller starts one
        directly on its own folder.
        """
        if self._closed:
            raise RuntimeError("The code interpreter has been shut down.")
        spare, self._spare = self._spare, None
        kernel: SandboxedKernel | None = None
        if spare is not None:
            try:
                kernel = await spare
            except Exception:
                kernel = None
            if kernel is not None and not await kernel.is_alive():
                await kernel.stop()
                kernel = None
        self.warm()
        return kernel

    async def aclose(self) -> None:
        self._closed = True
        spare, self._spare = self._spare, None
        if spare is None:
            return
        if not spare.done():
            spare.cancel()
        with contextlib.suppress(BaseException):
            kernel = await spare
            await kernel.stop()
