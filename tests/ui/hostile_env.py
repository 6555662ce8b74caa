"""A view-model environment (the app's Session, runner, bridge, store) on the hostile server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from tests.helpers.hostile_server import HostileServer
from tests.ui.support import Env, connect, make_env


@dataclass
class _Endpoint:
    """What ``tests.ui.support.connect`` reads from a runtime: its base URL and token."""

    api_base: str
    token: str = "hostile-token"


@asynccontextmanager
async def hostile_env(server: HostileServer, read_s: float = 10.0) -> AsyncIterator[Env]:
    made = make_env()
    http = httpx.AsyncClient(timeout=read_s)
    connect(made, _Endpoint(server.base_url), http)  # type: ignore[arg-type]
    try:
        yield made
    finally:
        made.runner.cancel_all()
        async with asyncio.timeout(10):
            await made.runner.shutdown()
        await http.aclose()
