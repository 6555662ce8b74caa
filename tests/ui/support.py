"""The view-model test environment: the app's own Session, TaskRunner, MessageBridge and Store.

Shared by the assistant/function/files tests and the inspector/outputs/HTTP-log tests, which
differ only in the runtime they point at (with or without a scripted model) and in whether
they watch the request log. A real runtime process serves a real ``AssistantsClient``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx

from playground.api import AssistantsClient, OpenAIDialect, RequestLogEntry
from playground.connection.contract import Connection
from playground.store.profiles import ConnectionProfile, ProfileKind
from playground.store.store import Store, open_store
from playground.ui.messages import MessageBridge
from playground.ui.tasks import TaskRunner
from playground.ui.viewmodels.session import Session
from tests.helpers.runtime_process import RuntimeServer

#: The model name the test runtimes are configured with.
MODEL = "scripted-model"


@dataclass
class Env:
    """What a test drives and what it observed: errors and notices shown, requests logged."""

    session: Session
    runner: TaskRunner
    bridge: MessageBridge
    store: Store
    errors: list[tuple[str, str]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    logged: list[RequestLogEntry] = field(default_factory=list)

    @property
    def client(self) -> AssistantsClient:
        return self.session.client  # type: ignore[no-any-return]

    async def idle(self, limit_s: float = 30.0) -> None:
        async with asyncio.timeout(limit_s):
            await self.runner.wait_idle()


def make_env() -> Env:
    """A fresh, not yet connected environment that records what the bridge shows."""
    bridge = MessageBridge()
    runner = TaskRunner(bridge)
    store = open_store()
    session = Session(store, runner, bridge)
    env = Env(session, runner, bridge, store)
    bridge.error_posted.connect(lambda title, detail: env.errors.append((title, detail)))
    bridge.notice_posted.connect(env.notices.append)
    session.request_logged.connect(env.logged.append)
    return env


def connect(env: Env, runtime: RuntimeServer, http: httpx.AsyncClient, family: str = "v2") -> None:
    """Connect ``env``'s Session to ``runtime`` as an embedded profile.

    Every request goes through ``session.request_logged``, as the app's connector wires it,
    so the HTTP-log view model (and ``env.logged``) see real entries.
    """

    def on_request(entry: object) -> None:
        env.session.request_logged.emit(entry)

    client = AssistantsClient(
        http, OpenAIDialect(runtime.api_base, runtime.token), on_request=on_request
    )
    profile = ConnectionProfile(name="Test runtime", kind=ProfileKind.EMBEDDED)
    env.store.profiles.save(profile)
    env.session.set_connection(
        Connection(profile=profile, client=client, driver=None, api_family=family)
    )


@asynccontextmanager
async def connected_env(runtime: RuntimeServer) -> AsyncIterator[Env]:
    """An Env connected to ``runtime``; its tasks are cancelled and awaited at the end."""
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
