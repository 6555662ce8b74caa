"""What every route handler needs, kept on ``app.state.ctx`` by the app factory."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from ..config import RuntimeConfig
from ..store import Store


@dataclass
class Context:
    """Shared services. ``engine`` and ``search`` are the other helpers' components."""

    config: RuntimeConfig
    store: Store
    engine: Any
    search: Any
    #: The model that answers runs (what ``GET /models`` lists); None when none can.
    model_id: str | None = None
    background: set[asyncio.Task[Any]] = field(default_factory=set)

    def spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run ``work`` in the background, keeping a reference so it is not collected."""
        task = asyncio.get_running_loop().create_task(work)
        self.background.add(task)
        task.add_done_callback(self.background.discard)
        return task


def ctx(request: Request) -> Context:
    context: Context = request.app.state.ctx
    return context
