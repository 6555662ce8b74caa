"""The contract between the window and whatever opens connections for it.

The window's :class:`~playground.ui.viewmodels.session.Session` holds a :class:`Connection`
and asks a :class:`Connector` for new ones; the composition root supplies the connector
(``playground/connector.py``), which may import the api client and httpx where ``ui`` may
not. Keeping these types out of ``ui`` lets the connector build them without importing the
window, and keeping them free of Qt lets the headless tools use them too.

``AssistantsClient`` and ``RunDriver`` are imported for type checking only: importing this
module must not load httpx or pydantic models before the window's first paint (start-up time
is measured in ``benchmarks.bench_startup``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from playground.api.client import AssistantsClient
    from playground.api.request_log import RequestLogEntry
    from playground.runs.driver import RunDriver
    from playground.store.profiles import ConnectionProfile


class ConnectionState(StrEnum):
    """Where the session is in connecting; the window's status label follows it."""

    DISCONNECTED = "disconnected"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    FAILED = "failed"


@dataclass
class Connection:
    """A live connection: the api client, the run driver on top of it, and how to close both.

    One object, so that a connection switch replaces client and driver together and a view
    model can never pair the driver of one server with the client of another.
    """

    profile: ConnectionProfile
    client: AssistantsClient
    driver: RunDriver
    #: Human description of where we are connected, e.g. "embedded runtime at 127.0.0.1:5123".
    description: str = ""
    #: Whether ``GET /threads`` works (Foundry): the thread list then comes from the server.
    can_list_threads: bool = False
    #: "v1" or "v2": labels such as retrieval vs file_search follow it.
    api_family: str = "v2"
    #: The server's model is known to read text only (the embedded runtime's offline model,
    #: or none): an attached image reaches it as a note with its name.
    text_only_model: bool = False
    aclose: Callable[[], Awaitable[None]] | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ProfileKeys:
    """Keys typed into the connection dialog but not saved yet ("Test connection")."""

    api_key: str | None = None
    model_key: str | None = None

    def __repr__(self) -> str:  # never show keys in tracebacks or logs
        return "ProfileKeys(***)"


class Connector(Protocol):
    """Builds connections; implemented in the composition root, where httpx may be imported."""

    async def connect(
        self,
        profile: ConnectionProfile,
        *,
        on_request: Callable[[RequestLogEntry], None] | None = None,
        keys: ProfileKeys | None = None,
        probe: bool = False,
    ) -> Connection:
        """Open a connection for ``profile`` (keys from ``keys``, else from the store's secrets).

        ``probe``: only to test settings ("Test connection"); the live connection, and the
        embedded runtime it uses, must stay as they are.

        Raises with a plain-language message when the profile cannot be used (no key, the
        embedded runtime did not start, bad URL...).
        """
        ...
