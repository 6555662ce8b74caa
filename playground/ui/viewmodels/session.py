"""The session: the one shared object that says which server the window is talking to.

Every view model takes the Session in ``__init__`` and reads ``client`` / ``driver`` /
``profile`` from it when it starts work, so a connection switch is one assignment here plus
one ``client_changed`` signal, instead of each view model holding its own copy. The session
also carries the TaskRunner, the MessageBridge and the local Store, so a view model needs only
this one argument.

The session never builds an HTTP client itself (``ui`` must not import httpx): a
:class:`~playground.connection.contract.Connector` supplied by the composition root
(``playground/app.py``) turns a profile and its secrets into a
:class:`~playground.connection.contract.Connection`. Those plain types live in the Qt-free
``playground.connection`` package so the connector can build them without importing ``ui``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from playground.connection.contract import Connection, ConnectionState, Connector
from playground.ui.messages import MessageBridge
from playground.ui.tasks import TaskRunner
from playground.ui.viewmodels.assistant_names import AssistantNames

if TYPE_CHECKING:
    from playground.api.client import AssistantsClient
    from playground.runs.driver import RunDriver
    from playground.store.profiles import ConnectionProfile
    from playground.store.store import Store

log = logging.getLogger(__name__)


class Session(QObject):
    """Current connection plus the shared runner, bridge and store.

    Signals:
      ``client_changed()`` — ``client``/``driver`` were replaced (or cleared); reload data.
      ``profile_changed(object)`` — the selected ConnectionProfile (or None).
      ``state_changed(str)`` — a :class:`ConnectionState` value; ``state_detail`` says more.
      ``request_logged(object)`` — one ``playground.api`` RequestLogEntry per HTTP request on
      the current connection (the inspector's HTTP log listens).
    """

    client_changed = Signal()
    profile_changed = Signal(object)
    state_changed = Signal(str)
    request_logged = Signal(object)
    #: The model behind the server cannot be reached ("" once a run succeeds again).
    model_problem_changed = Signal(str)

    def __init__(
        self,
        store: Store,
        runner: TaskRunner,
        bridge: MessageBridge,
        connector: Connector | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.runner = runner
        self.bridge = bridge
        self._connector = connector
        self._connection: Connection | None = None
        self._profile: ConnectionProfile | None = None
        self._state = ConnectionState.DISCONNECTED
        self._state_detail = ""
        # Bumped on every connect/disconnect so a slow, superseded connect is discarded.
        self._generation = 0
        self._model_problem = ""
        #: Assistant names of the server this session talks to, for every pane; emptied
        #: before ``client_changed`` goes out, so nobody redraws with the old server's names.
        self.assistant_names = AssistantNames(runner, parent=self)

    # -- what view models read ------------------------------------------------------------

    @property
    def connection(self) -> Connection | None:
        return self._connection

    @property
    def client(self) -> AssistantsClient | None:
        """The api client of the current connection, or None when not connected."""
        return self._connection.client if self._connection else None

    @property
    def driver(self) -> RunDriver | None:
        """The run driver of the current connection, or None when not connected."""
        return self._connection.driver if self._connection else None

    @property
    def profile(self) -> ConnectionProfile | None:
        return self._profile

    @property
    def profile_id(self) -> str | None:
        return self._profile.id if self._profile else None

    @property
    def connector(self) -> Connector | None:
        return self._connector

    @property
    def state(self) -> ConnectionState:
        return self._state

    @property
    def state_detail(self) -> str:
        """Plain words for the state: where we are connected, or why it failed."""
        return self._state_detail

    @property
    def model_problem(self) -> str:
        """Why runs cannot reach the model (a failed run said so), or "" when they can."""
        return self._model_problem

    def set_model_problem(self, text: str) -> None:
        """A run failed because the model endpoint is down, or ("") a run succeeded."""
        if text != self._model_problem:
            self._model_problem = text
            self.model_problem_changed.emit(text)

    @property
    def is_connected(self) -> bool:
        return self._connection is not None

    @property
    def can_list_threads(self) -> bool:
        return bool(self._connection and self._connection.can_list_threads)

    @property
    def text_only_model(self) -> bool:
        """The connected server's model is known to read no images (the offline model)."""
        return self._connection is not None and self._connection.text_only_model

    @property
    def api_family(self) -> str:
        if self._connection is not None:
            return self._connection.api_family
        return self._profile.api_family if self._profile else "v2"

    # -- intents --------------------------------------------------------------------------

    def connect_profile(self, profile: ConnectionProfile) -> None:
        """Switch to ``profile`` in the background; the old connection closes first."""
        self.runner.start(
            "session.connect",
            self.connect_async(profile),
            label=f"Connecting to “{profile.name}”",
        )

    async def connect_async(self, profile: ConnectionProfile) -> bool:
        """Close the current connection, open one for ``profile``; True when connected.

        Failures are shown through the state (and the bridge) rather than raised, because the
        window must stay usable with no connection.
        """
        self._generation += 1
        generation = self._generation
        await self._drop_connection()
        self._profile = profile
        self.profile_changed.emit(profile)
        self._set_state(ConnectionState.CONNECTING, f"Connecting to “{profile.name}”…")
        try:
            await self.runner.run_blocking(self.store.profiles.set_last_used, profile.id)
        except Exception as exc:  # remembering the choice is nice to have, not essential
            log.warning("Could not remember the last profile: %s", type(exc).__name__)
        if self._connector is None:
            self._set_state(ConnectionState.FAILED, "No way to connect is configured.")
            return False
        try:
            connection = await self._connector.connect(profile, on_request=self._on_request)
        except Exception as exc:
            if generation != self._generation:
                return False
            message = self.bridge.report_exception(exc, context=f"Connecting to “{profile.name}”")
            self._set_state(ConnectionState.FAILED, message.detail)
            return False
        if generation != self._generation:
            # Superseded by a newer connect while we were waiting: close what we opened.
            await _close_quietly(connection)
            return False
        self._connection = connection
        self._set_state(ConnectionState.CONNECTED, connection.description or profile.name)
        self._announce_client()
        return True

    def set_connection(self, connection: Connection | None) -> None:
        """Install an already-open connection (tests, and the composition root's first one)."""
        self._generation += 1
        self._connection = connection
        if connection is not None:
            self._profile = connection.profile
            self.profile_changed.emit(connection.profile)
            self._set_state(
                ConnectionState.CONNECTED, connection.description or connection.profile.name
            )
        else:
            self._set_state(ConnectionState.DISCONNECTED, "Not connected.")
        self._announce_client()

    def _announce_client(self) -> None:
        self.assistant_names.reset(self.client)
        self.client_changed.emit()

    def mark_failed(self, detail: str) -> None:
        """Say why there is no connection (e.g. the embedded runtime did not start)."""
        self._set_state(ConnectionState.FAILED, detail)

    async def close_connection(self) -> None:
        """Close the connection (at exit, or before switching)."""
        self._generation += 1
        had = self._connection is not None
        await self._drop_connection()
        self._set_state(ConnectionState.DISCONNECTED, "Not connected.")
        if had:
            self._announce_client()

    # -- internals ------------------------------------------------------------------------

    async def _drop_connection(self) -> None:
        old, self._connection = self._connection, None
        if old is not None:
            self._announce_client()
            await _close_quietly(old)

    def _on_request(self, entry: object) -> None:
        self.request_logged.emit(entry)

    def _set_state(self, state: ConnectionState, detail: str) -> None:
        if state is not ConnectionState.CONNECTED:
            self.set_model_problem("")  # a new connection: no run has failed on it yet
        self._state = state
        self._state_detail = detail
        self.state_changed.emit(state.value)


async def _close_quietly(connection: Connection) -> None:
    if connection.aclose is None:
        return
    try:
        await connection.aclose()
    except Exception as exc:  # closing must never block a switch or exit
        log.warning("Closing the old connection failed: %s", type(exc).__name__)
