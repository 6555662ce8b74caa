"""Assistant names by id, shared by every part of the window that shows an assistant.

The chat's composer line and the inspector's run rows know only an assistant's id (a run
carries ``assistant_id``); the assistant list, the chat's own look-up of the assistant's
tools and the selection each read whole assistants. Whoever reads one first tells this
directory, so a name shows wherever it exists as soon as any part of the window knows it,
without those parts holding each other. An id nobody has read yet (a run made by another
program, an assistant past the list's first page) is looked up once, in the background.

The :class:`~playground.ui.viewmodels.session.Session` owns the one directory: names belong
to the server the session talks to, so a new connection starts an empty one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from playground.api import AssistantsClient
    from playground.ui.tasks import TaskRunner

log = logging.getLogger(__name__)


class Named(Protocol):
    """What the directory reads of an assistant (the wire model has both)."""

    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str | None: ...


class AssistantNames(QObject):
    """id → name. Signal: ``changed()`` (a name became known or changed)."""

    changed = Signal()

    def __init__(self, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._client: AssistantsClient | None = None
        self._names: dict[str, str] = {}
        #: Ids already asked for (found or not): each is asked at most once per connection.
        self._asked: set[str] = set()

    def name(self, assistant_id: str | None) -> str:
        """The assistant's name, or "" while unknown (or when it has none)."""
        return self._names.get(assistant_id or "", "")

    def label(self, assistant_id: str | None) -> str:
        """The name when known, else the id: what to show a person. An unknown id is looked
        up in the background; ``changed`` says when its name arrives."""
        name = self.name(assistant_id)
        if not name and assistant_id:
            self._look_up(assistant_id)
        return name or (assistant_id or "")

    def learn(self, assistant: Named) -> None:
        """Note the name of ``assistant``."""
        self.learn_all([assistant])

    def learn_all(self, assistants: Iterable[Named]) -> None:
        changed = False
        for assistant in assistants:
            assistant_id = assistant.id or ""
            name = (assistant.name or "").strip()
            self._asked.add(assistant_id)
            if assistant_id and self._names.get(assistant_id, "") != name:
                if name:
                    self._names[assistant_id] = name
                else:
                    self._names.pop(assistant_id, None)
                changed = True
        if changed:
            self.changed.emit()

    def reset(self, client: AssistantsClient | None) -> None:
        """A new connection: forget every name (they belong to the old server)."""
        self._client = client
        had = bool(self._names)
        self._names.clear()
        self._asked.clear()
        if had:
            self.changed.emit()

    def _look_up(self, assistant_id: str) -> None:
        client = self._client
        if client is None or assistant_id in self._asked:
            return
        self._asked.add(assistant_id)
        self._runner.start(
            None, self._fetch(client, assistant_id), label="Reading an assistant's name"
        )

    async def _fetch(self, client: AssistantsClient, assistant_id: str) -> None:
        from playground.api.errors import AssistantsError

        try:
            assistant = await client.assistants.retrieve(assistant_id)
        except AssistantsError as exc:  # deleted, or not ours to read: the id stays the label
            log.info("No name for %s: %s", assistant_id, type(exc).__name__)
            return
        if client is self._client:
            self.learn(assistant)
