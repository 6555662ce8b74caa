"""Shared set-up for the inspector, outputs and HTTP-log tests.

A real runtime process (with the scripted model) serves a real ``AssistantsClient``; the
Session, TaskRunner, MessageBridge and Store are the app's own classes. Only the model is
scripted, as everywhere else.
"""

from __future__ import annotations

import asyncio
import struct
import zlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from playground.api import AssistantsClient, OpenAIDialect, RequestLogEntry
from playground.store.profiles import ConnectionProfile, ProfileKind
from playground.store.store import Store, open_store
from playground.ui.messages import MessageBridge
from playground.ui.tasks import TaskRunner
from playground.ui.viewmodels.session import Connection, Session
from tests.helpers.runtime_process import RuntimeServer, start_runtime
from tests.helpers.scripted_llm import ScriptedLLM


@dataclass
class Env:
    session: Session
    runner: TaskRunner
    bridge: MessageBridge
    store: Store
    errors: list[tuple[str, str]] = field(default_factory=list)
    logged: list[RequestLogEntry] = field(default_factory=list)

    @property
    def client(self) -> AssistantsClient:
        return self.session.client  # type: ignore[no-any-return]

    async def idle(self, limit_s: float = 30.0) -> None:
        async with asyncio.timeout(limit_s):
            await self.runner.wait_idle()


@pytest.fixture(scope="module")
def llm() -> Iterator[ScriptedLLM]:
    with ScriptedLLM() as server:
        yield server


@pytest.fixture(scope="module")
def runtime(llm: ScriptedLLM, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RuntimeServer]:
    data = tmp_path_factory.mktemp("inspector-runtime") / "data"
    with start_runtime(data, model_base_url=llm.base_url, model="scripted-model") as server:
        yield server


def make_env() -> Env:
    bridge = MessageBridge()
    runner = TaskRunner(bridge)
    store = open_store()
    session = Session(store, runner, bridge)
    env = Env(session, runner, bridge, store)
    bridge.error_posted.connect(lambda title, detail: env.errors.append((title, detail)))
    return env


@pytest.fixture
async def env(qapp: object, runtime: RuntimeServer) -> AsyncIterator[Env]:
    """A connected Session on the real runtime."""
    made = make_env()
    http = httpx.AsyncClient(timeout=30)

    def on_request(entry: object) -> None:
        made.session.request_logged.emit(entry)

    client = AssistantsClient(
        http, OpenAIDialect(runtime.api_base, runtime.token), on_request=on_request
    )
    made.session.request_logged.connect(made.logged.append)
    profile = ConnectionProfile(name="Test runtime", kind=ProfileKind.EMBEDDED)
    made.session.set_connection(Connection(profile=profile, client=client, driver=None))
    try:
        yield made
    finally:
        made.runner.cancel_all()
        async with asyncio.timeout(10):
            await made.runner.shutdown()
        await http.aclose()


def png_bytes(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A real, valid PNG (written by hand so the test controls every byte)."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return _png(width, height, zlib.compress(raw))


def bomb_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A tiny PNG whose header claims a huge image (the pixel data is a stub)."""
    return _png(width, height, zlib.compress(b"\x00" * 64))


def _png(width: int, height: int, idat: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


async def upload(env: Env, name: str, data: bytes) -> str:
    file = await env.client.files.upload(data, filename=name, purpose="assistants")
    return file.id


def read(path: Path) -> bytes:
    return path.read_bytes()
