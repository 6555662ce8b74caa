"""Shared set-up for the assistant, function and files tests (imported by those modules).

A real runtime process (no model needed for CRUD and files) serves a real AssistantsClient;
Session, TaskRunner, MessageBridge and Store are the app's own classes. Named test_* only so
it sits among this helper's test files; it holds no tests itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from PySide6.QtCore import SignalInstance

from playground.api import AssistantsClient, OpenAIDialect
from playground.store.profiles import ConnectionProfile, ProfileKind
from playground.store.store import Store, open_store
from playground.ui.messages import MessageBridge
from playground.ui.tasks import TaskRunner
from playground.ui.viewmodels.session import Connection, Session
from tests.helpers.runtime_process import RuntimeServer, start_runtime

MODEL = "scripted-model"


@dataclass
class Env:
    session: Session
    runner: TaskRunner
    bridge: MessageBridge
    store: Store
    errors: list[tuple[str, str]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def client(self) -> AssistantsClient:
        return self.session.client  # type: ignore[no-any-return]

    async def idle(self, limit_s: float = 30.0) -> None:
        async with asyncio.timeout(limit_s):
            await self.runner.wait_idle()


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RuntimeServer]:
    data = tmp_path_factory.mktemp("assistant-runtime") / "data"
    # A model endpoint nobody calls: CRUD needs only the configured model name for /models.
    with start_runtime(data, model_base_url="http://127.0.0.1:9/v1", model=MODEL) as server:
        yield server


def make_env() -> Env:
    bridge = MessageBridge()
    runner = TaskRunner(bridge)
    store = open_store()
    session = Session(store, runner, bridge)
    env = Env(session, runner, bridge, store)
    bridge.error_posted.connect(lambda title, detail: env.errors.append((title, detail)))
    bridge.notice_posted.connect(env.notices.append)
    return env


def connect(env: Env, runtime: RuntimeServer, http: httpx.AsyncClient, family: str = "v2") -> None:
    client = AssistantsClient(http, OpenAIDialect(runtime.api_base, runtime.token))
    profile = ConnectionProfile(name="Test runtime", kind=ProfileKind.EMBEDDED)
    env.store.profiles.save(profile)
    env.session.set_connection(
        Connection(profile=profile, client=client, driver=None, api_family=family)
    )


@pytest.fixture
async def env(qapp: object, runtime: RuntimeServer) -> AsyncIterator[Env]:
    """A Session connected to the real runtime (before any view model exists)."""
    made = make_env()
    http = httpx.AsyncClient(timeout=30)
    connect(made, runtime, http)
    try:
        yield made
    finally:
        made.runner.cancel_all()
        async with asyncio.timeout(10):
            await made.runner.shutdown()
        await http.aclose()


async def until(
    predicate: Callable[[], Any],
    signals: Iterable[SignalInstance],
    within: float = 20.0,
    what: str = "condition",
) -> Any:
    """Wait until ``predicate()`` is truthy, re-checking whenever one of ``signals`` fires."""
    value = predicate()
    if value:
        return value
    loop = asyncio.get_running_loop()
    changed: asyncio.Future[None] = loop.create_future()

    def poke(*_: object) -> None:
        if not changed.done():
            changed.set_result(None)

    connected = list(signals)
    for signal in connected:
        signal.connect(poke)
    try:
        async with asyncio.timeout(within):
            while True:
                await changed
                value = predicate()
                if value:
                    return value
                changed = loop.create_future()
    except TimeoutError:
        raise AssertionError(f"{what} not reached within {within} s") from None
    finally:
        for signal in connected:
            try:
                signal.disconnect(poke)
            except (RuntimeError, TypeError):
                pass
