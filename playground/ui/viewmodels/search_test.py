"""Test search: what file search finds in an assistant's vector store, without a run.

A person tuning an assistant wants to know whether its files can answer a question before
paying for (and waiting on) a model call. ``POST /vector_stores/{id}/search`` answers exactly
that: the passages file search would hand the model, best first, with their scores.

One search at a time: a newer query replaces one still in flight (a named, preemptive task
on the session's runner), and a second Enter for the very same search while the first is
on its way is ignored, so a double key press never sends two requests. The query the person
typed is kept here (``query``), so a dialog rebuilt for another store starts with it.

A 404 is ambiguous — no such store, or a server without the search endpoint (hosted
Assistants servers and older runtimes) — so the store itself is asked for once to tell the
two apart and say the right thing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from playground.protocol.limits import MAX_FILE_SEARCH_RESULTS, MIN_FILE_SEARCH_RESULTS
from playground.ui.messages import describe_exception
from playground.ui.viewmodels.session import Session

if TYPE_CHECKING:
    from playground.api import AssistantsClient
    from playground.protocol.vector_store import VectorStoreSearchResult

log = logging.getLogger(__name__)

DEFAULT_MAX_RESULTS = 10
NO_ENDPOINT = "This server cannot search a vector store directly; try the query in a run instead."


class SearchState(StrEnum):
    """What the status line is saying."""

    IDLE = "idle"
    SEARCHING = "searching"
    FOUND = "found"
    EMPTY = "empty"
    FAILED = "failed"


@dataclass(frozen=True)
class Passage:
    """One chunk the search found. ``text`` and ``filename`` are file content and names a
    person uploaded: views must show them as plain text."""

    file_id: str
    filename: str
    score: float
    text: str
    attributes: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        """The file's name, or its id when the server did not say."""
        return self.filename or self.file_id


def _passage(result: VectorStoreSearchResult) -> Passage:
    attributes = tuple((str(k), str(v)) for k, v in sorted((result.attributes or {}).items()))
    return Passage(result.file_id, result.filename, float(result.score), result.text, attributes)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def found_text(passages: list[Passage]) -> str:
    """``"3 passages from 2 files"``."""
    files = len({p.file_id for p in passages})
    return f"{_plural(len(passages), 'passage')} from {_plural(files, 'file')}"


class SearchTestViewModel(QObject):
    """Signals: ``passages_changed()``, ``status_changed()`` (``state`` and ``status``),
    ``busy_changed(bool)``."""

    passages_changed = Signal()
    status_changed = Signal()
    busy_changed = Signal(bool)

    def __init__(
        self,
        session: Session,
        store_id: str,
        *,
        title: str = "",
        query: str = "",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._store_id = store_id
        self._title = title
        self._query = query
        self._max_results = DEFAULT_MAX_RESULTS
        self._passages: list[Passage] = []
        self._state = SearchState.IDLE
        self._status = ""
        self._busy = False
        self._in_flight: tuple[str, int] | None = None
        # One name per store: a newer search of this store preempts the older one.
        self._task_name = f"search_test:{store_id}"

    # -- state -----------------------------------------------------------------------------

    @property
    def store_id(self) -> str:
        return self._store_id

    @property
    def title(self) -> str:
        """The assistant whose files these are ("" when unnamed)."""
        return self._title

    @property
    def query(self) -> str:
        """What the person typed last (searched or not)."""
        return self._query

    @property
    def max_results(self) -> int:
        return self._max_results

    @property
    def passages(self) -> list[Passage]:
        return list(self._passages)

    @property
    def state(self) -> SearchState:
        return self._state

    @property
    def status(self) -> str:
        """The status line in plain words."""
        return self._status

    @property
    def is_busy(self) -> bool:
        return self._busy

    # -- intents ---------------------------------------------------------------------------

    def set_query(self, text: str) -> None:
        """Remember what is typed, so nothing is lost when the dialog is rebuilt."""
        self._query = text

    def search(self, query: str, max_results: int) -> None:
        """Search for ``query`` (replacing a search in flight); a repeat of the search in
        flight is ignored."""
        self._query = query
        text = query.strip()
        if not text:
            self._set_status(SearchState.IDLE, "Type what to look for, then press Enter.")
            return
        limit = min(max(max_results, MIN_FILE_SEARCH_RESULTS), MAX_FILE_SEARCH_RESULTS)
        self._max_results = limit
        request = (text, limit)
        if request == self._in_flight:
            return
        self._in_flight = request
        self._set_busy(True)
        self._set_status(SearchState.SEARCHING, "Searching…")
        self._session.runner.start(
            self._task_name, self.search_async(text, limit), label="Searching the files"
        )

    def cancel(self) -> None:
        """Stop a search in flight (the dialog closed)."""
        if self._session.runner.cancel(self._task_name):
            self._in_flight = None
            self._set_busy(False)
            self._set_status(SearchState.IDLE, "Search stopped.")

    # -- work ------------------------------------------------------------------------------

    async def search_async(self, query: str, max_results: int) -> None:
        """Ask the server; show the passages or say why not. A cancelled search (replaced by
        a newer one) changes nothing: the newer one owns the state."""
        from playground.api import AssistantsError, NotFoundError

        request = (query, max_results)
        client: AssistantsClient | None = self._session.client
        if client is None:
            self._finish(request, SearchState.FAILED, "Not connected: connect to a server first.")
            return
        try:
            page = await client.vector_stores.search(
                self._store_id, {"query": query, "max_num_results": max_results}
            )
        except NotFoundError:
            reason = await self._why_not_found(client)
            self._finish(request, SearchState.FAILED, reason)
            return
        except AssistantsError as exc:
            message = describe_exception(exc)
            self._finish(request, SearchState.FAILED, f"{message.title}: {message.detail}")
            return
        passages = [_passage(result) for result in page.data]
        if passages:
            self._finish(request, SearchState.FOUND, found_text(passages), passages)
            return
        text = f"Nothing in the files matches “{query}”."
        pending = await self._files_still_indexing(client)
        if pending:
            text += (
                f" {_plural(pending, 'file')} {'is' if pending == 1 else 'are'} still being "
                "read; try again in a moment."
            )
        self._finish(request, SearchState.EMPTY, text)

    # -- internals -------------------------------------------------------------------------

    async def _why_not_found(self, client: AssistantsClient) -> str:
        """A 404 from search: is the store gone, or is there no search endpoint?"""
        from playground.api import AssistantsError, NotFoundError

        try:
            await client.vector_stores.retrieve(self._store_id)
        except NotFoundError:
            return (
                f"The assistant's vector store ({self._store_id}) is no longer on the server; "
                "it may have expired. Upload the files again to make a new one."
            )
        except AssistantsError as exc:
            log.debug("Retrieving the store after a 404 failed: %s", type(exc).__name__)
        return NO_ENDPOINT

    async def _files_still_indexing(self, client: AssistantsClient) -> int:
        """How many of the store's files are not searchable yet (0 when unknown)."""
        from playground.api import AssistantsError

        try:
            store = await client.vector_stores.retrieve(self._store_id)
        except AssistantsError:
            return 0
        return store.file_counts.in_progress

    def _finish(
        self,
        request: tuple[str, int],
        state: SearchState,
        status: str,
        passages: list[Passage] | None = None,
    ) -> None:
        if self._in_flight == request:
            self._in_flight = None
        self._passages = passages or []
        self.passages_changed.emit()
        self._set_status(state, status)
        self._set_busy(False)

    def _set_status(self, state: SearchState, text: str) -> None:
        if (state, text) != (self._state, self._status):
            self._state, self._status = state, text
            self.status_changed.emit()

    def _set_busy(self, value: bool) -> None:
        if value != self._busy:
            self._busy = value
            self.busy_changed.emit(value)
