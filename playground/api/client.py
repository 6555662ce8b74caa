"""The async Assistants client: one transport, resource groups as attributes.

::

    async with httpx.AsyncClient(timeout=60) as http:
        client = AssistantsClient(http, OpenAIDialect("http://127.0.0.1:8765/v1", key))
        assistant = await client.assistants.create({"model": "local", "name": "Helper"})
        async for event in client.runs.stream(thread.id, {"assistant_id": assistant.id}):
            ...

The ``httpx.AsyncClient`` is injected (and owned by the caller) so the app can share one
connection pool and tests can pass ``httpx.MockTransport`` or a loopback server. ``sleep``
and ``clock`` are injectable so retry tests run in milliseconds.
"""

from __future__ import annotations

import asyncio
import random
import time

import httpx

from .constants import DEFAULT_MAX_RETRIES, MAX_RESPONSE_BYTES, REQUEST_DEADLINE_S
from .dialects import Dialect
from .resources.assistants import Assistants
from .resources.files import Files
from .resources.messages import Messages
from .resources.models import Models
from .resources.runs import Runs
from .resources.steps import Steps
from .resources.threads import Threads
from .resources.v1_files import AssistantFiles, MessageFiles
from .resources.vector_stores import FileBatches, VectorStoreFiles, VectorStores
from .transport import Clock, RequestHook, Sleep, Transport


class AssistantsClient:
    """Talks the Assistants protocol of ``dialect`` over ``http``."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        dialect: Dialect,
        *,
        on_request: RequestHook | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.time,
        rng: random.Random | None = None,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        deadline_s: float | None = REQUEST_DEADLINE_S,
    ) -> None:
        self.dialect = dialect
        self._transport = Transport(
            http,
            dialect,
            on_request=on_request,
            max_retries=max_retries,
            sleep=sleep,
            clock=clock,
            rng=rng,
            max_response_bytes=max_response_bytes,
            deadline_s=deadline_s,
        )
        t = self._transport
        self.assistants = Assistants(t)
        self.threads = Threads(t)
        self.messages = Messages(t)
        self.runs = Runs(t)
        self.steps = Steps(t)
        self.files = Files(t)
        self.vector_stores = VectorStores(t)
        self.vector_store_files = VectorStoreFiles(t)
        self.file_batches = FileBatches(t)
        self.models = Models(t)
        self.assistant_files = AssistantFiles(t)
        self.message_files = MessageFiles(t)

    @property
    def on_request(self) -> RequestHook | None:
        """The request-log hook; may be swapped at any time (e.g. when the log opens)."""
        return self._transport.on_request

    @on_request.setter
    def on_request(self, hook: RequestHook | None) -> None:
        self._transport.on_request = hook


#: Seconds for connecting and for reading one response; a streamed run reads for longer,
#: so the run driver, not this timeout, governs how long a stream may stay quiet.
CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 120.0


def open_http_client() -> httpx.AsyncClient:
    """The HTTP client the app's connections use (the api package is the only client-side
    code that knows httpx; the composition code asks for one here)."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
        follow_redirects=False,
    )
