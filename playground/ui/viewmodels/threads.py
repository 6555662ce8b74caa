"""The thread list of the current connection.

The Assistants API cannot list threads (Foundry excepted), so the list is the local index in
``playground.store``: threads created here or opened by id. "New thread" selects no thread;
the first message creates it on the server (so no empty threads pile up), and the chat view
model then calls :meth:`ThreadsViewModel.adopt`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from playground.ui.viewmodels.session import Session
from playground.ui.viewmodels.timestamps import epoch

if TYPE_CHECKING:
    from playground.api import AssistantsClient
    from playground.store.threads_index import ThreadEntry

log = logging.getLogger(__name__)

_SERVER_LIST_LIMIT = 100


class ThreadsViewModel(QObject):
    """Signals: ``threads_changed()`` (the list), ``current_changed(object)`` (id or None)."""

    threads_changed = Signal()
    current_changed = Signal(object)

    def __init__(
        self,
        session: Session,
        parent: QObject | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._clock = clock
        self._threads: list[ThreadEntry] = []
        self._current: str | None = None
        session.client_changed.connect(self.on_session_client_changed)

    # -- state ----------------------------------------------------------------------------

    @property
    def threads(self) -> list[ThreadEntry]:
        return list(self._threads)

    @property
    def current_id(self) -> str | None:
        return self._current

    def entry(self, thread_id: str) -> ThreadEntry | None:
        return next((t for t in self._threads if t.thread_id == thread_id), None)

    # -- intents --------------------------------------------------------------------------

    def reload(self) -> None:
        self._session.runner.start("threads.reload", self._reload(), label="Loading the threads")

    async def reload_async(self) -> None:
        """Reload the list now (the last-place keeper needs it before reopening a thread)."""
        await self._reload()

    def select(self, thread_id: str | None) -> None:
        """Show a thread (None: a new, not yet created one)."""
        if thread_id == self._current:
            return
        self._current = thread_id
        self.current_changed.emit(thread_id)
        profile_id = self._session.profile_id
        if thread_id and profile_id:
            self._session.runner.start(
                None, self._touch(profile_id, thread_id), label="Remembering the thread"
            )

    def new_thread(self) -> None:
        self.select(None)

    def open_by_id(self, thread_id: str) -> None:
        """Check the id on the server, remember it, and show it."""
        self._session.runner.start(
            "threads.open", self.open_by_id_async(thread_id), label="Opening the thread"
        )

    async def open_by_id_async(self, thread_id: str) -> bool:
        thread_id = thread_id.strip()
        if not thread_id:
            self._session.bridge.post_error("Please check the input", "Enter a thread id.")
            return False
        client: AssistantsClient | None = self._session.client
        profile_id = self._session.profile_id
        if client is None or profile_id is None:
            self._session.bridge.post_error("Not connected", "Connect to a server first.")
            return False
        thread = await client.threads.retrieve(thread_id)
        await self._session.runner.run_blocking(
            self._session.store.threads.add, profile_id, thread.id
        )
        await self._reload()
        self.select(thread.id)
        return True

    async def adopt(
        self,
        thread_id: str,
        title: str = "",
        assistant_id: str | None = None,
    ) -> None:
        """Remember a thread the chat just created from the "New thread" view.

        It becomes current at once, before anything is awaited, so the chat (which reads
        :attr:`current_id`, this model being the one owner of the current thread) never
        sees a gap in which its run belongs to no thread. If the person has already moved
        to another thread, the new one is listed but not opened.
        """
        profile_id = self._session.profile_id
        if profile_id is None:
            return
        if self.entry(thread_id) is None:
            # Listed at once; the reload below replaces it with the stored row.
            from playground.store.threads_index import ThreadEntry

            now = self._clock()
            self._threads.insert(
                0,
                ThreadEntry(
                    profile_id=profile_id,
                    thread_id=thread_id,
                    title=title,
                    assistant_id=assistant_id,
                    created_at=now,
                    last_used_at=now,
                ),
            )
            self.threads_changed.emit()
        if self._current is None:
            self._current = thread_id
            self.current_changed.emit(thread_id)
        await self._session.runner.run_blocking(
            lambda: self._session.store.threads.add(
                profile_id, thread_id, title=title, assistant_id=assistant_id
            )
        )
        await self._reload()

    def rename(self, thread_id: str, title: str) -> None:
        self._session.runner.start(
            None, self._rename(thread_id, title), label="Renaming the thread"
        )

    def delete(self, thread_id: str) -> None:
        """Delete on the server, then forget locally (also when the server no longer has it)."""
        self._session.runner.start(
            f"threads.delete.{thread_id}", self.delete_async(thread_id), label="Deleting the thread"
        )

    async def delete_async(self, thread_id: str) -> None:
        from playground.api import NotFoundError

        client: AssistantsClient | None = self._session.client
        profile_id = self._session.profile_id
        if profile_id is None:
            return
        if client is not None:
            try:
                await client.threads.delete(thread_id)
            except NotFoundError:
                pass  # already gone is what the person wanted
        await self._session.runner.run_blocking(
            self._session.store.threads.remove, profile_id, thread_id
        )
        if self._current == thread_id:
            self._current = None
            self.current_changed.emit(None)
        await self._reload()

    # -- slots ----------------------------------------------------------------------------

    def on_session_client_changed(self) -> None:
        self._threads = []
        if self._current is not None:
            self._current = None
            self.current_changed.emit(None)
        self.threads_changed.emit()
        if self._session.client is not None:
            self.reload()

    # -- internals ------------------------------------------------------------------------

    async def _reload(self) -> None:
        profile_id = self._session.profile_id
        if profile_id is None:
            self._threads = []
            self.threads_changed.emit()
            return
        store = self._session.store
        client: AssistantsClient | None = self._session.client
        if self._session.can_list_threads and client is not None:
            # Foundry lists threads: merge the server's into the local index.
            page = await client.threads.list(limit=_SERVER_LIST_LIMIT, order="desc").page()
            known = {
                t.thread_id
                for t in await self._session.runner.run_blocking(
                    store.threads.list_threads, profile_id, include_deleted=True
                )
            }
            found = [(t.id, epoch(t.created_at)) for t in page.data]  # 10^400 must not raise
            fresh = [(tid, at) for tid, at in found if tid not in known]

            def remember() -> None:
                for tid, at in fresh:
                    store.threads.add(profile_id, tid, created_at=at)

            if fresh:
                await self._session.runner.run_blocking(remember)
        threads = await self._session.runner.run_blocking(store.threads.list_threads, profile_id)
        if profile_id != self._session.profile_id:
            return  # the connection changed while loading: this list is stale
        self._threads = threads
        self.threads_changed.emit()

    async def _touch(self, profile_id: str, thread_id: str) -> None:
        try:
            await self._session.runner.run_blocking(
                self._session.store.threads.touch, profile_id, thread_id
            )
        except Exception as exc:  # an unknown id is fine: it is not in the index yet
            log.debug("touch failed: %s", type(exc).__name__)

    async def _rename(self, thread_id: str, title: str) -> None:
        profile_id = self._session.profile_id
        if profile_id is None:
            return
        await self._session.runner.run_blocking(
            self._session.store.threads.rename, profile_id, thread_id, title
        )
        await self._reload()
