"""Reopen the last thread and assistant at start and after every reconnect.

Without this, each start and each *Save & connect* landed on "New thread" with no assistant.
The keeper writes the place (``store.last_place``) whenever the person changes thread or
assistant, and puts it back once a connection is up and the thread list is loaded. While a
connection is being replaced, the thread list and the assistant list reset themselves; those
resets are not the person's choice, so nothing is written until the place is restored.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from playground.ui.viewmodels.session import Session

if TYPE_CHECKING:
    from playground.api import AssistantsClient
    from playground.ui.viewmodels.chat import ChatViewModel
    from playground.ui.viewmodels.threads import ThreadsViewModel

log = logging.getLogger(__name__)


class PlaceKeeper(QObject):
    """Signals: ``restored(object)`` the thread id put back (None: a new thread)."""

    restored = Signal(object)

    def __init__(
        self,
        session: Session,
        threads: ThreadsViewModel,
        chat: ChatViewModel,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._threads = threads
        self._chat = chat
        self._client: AssistantsClient | None = None
        self._restoring = False
        # Connected after the thread list's own slot, so its reset is seen as not ours.
        # (The thread and assistant changes reach on_place_changed from the composition
        # root, after the chat has followed them.)
        session.client_changed.connect(self.on_session_client_changed)

    @property
    def restoring(self) -> bool:
        return self._restoring

    # -- slots ----------------------------------------------------------------------------

    def on_session_client_changed(self) -> None:
        self._client = self._session.client
        if self._client is None:
            self._restoring = True  # the lists are being emptied: not the person's choice
            return
        self._restoring = True
        self._session.runner.start(
            "place.restore", self._restore(self._client), label="Reopening the last thread"
        )

    def on_place_changed(self, _value: object = None) -> None:
        session = self._session
        if self._restoring or session.client is None or self._client is not session.client:
            return
        profile_id = session.profile_id
        if profile_id is None:
            return
        from playground.store.last_place import Place

        place = Place(thread_id=self._threads.current_id, assistant_id=self._chat.assistant_id)
        session.runner.start(
            None,
            session.runner.run_blocking(session.store.last_place.remember, profile_id, place),
            label="Remembering the thread",
        )

    # -- internals ------------------------------------------------------------------------

    async def _restore(self, client: AssistantsClient) -> None:
        session = self._session
        profile_id = session.profile_id
        try:
            if profile_id is None:
                return
            place = await session.runner.run_blocking(session.store.last_place.recall, profile_id)
            await self._threads.reload_async()
            if client is not session.client or profile_id != session.profile_id:
                return  # another connection meanwhile: its own restore takes over
            if place is None:
                return
            thread_id = place.thread_id
            if thread_id is not None and self._threads.entry(thread_id) is None:
                thread_id = None  # deleted since: a new thread, with the same assistant
            self._threads.select(thread_id)
            if place.assistant_id:
                self._chat.set_assistant(place.assistant_id)
            self.restored.emit(thread_id)
        finally:
            if client is session.client:
                self._restoring = False
