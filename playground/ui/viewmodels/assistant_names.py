"""Assistant names by id, shared by every part of the window that shows an assistant.

The chat's composer line and the inspector's run rows know only an assistant's id (a run
carries ``assistant_id``); the assistant list, the chat's own look-up of the assistant's
tools and the selection each read whole assistants. Whoever reads one first tells this
directory, so a name shows wherever it exists as soon as any part of the window knows it,
without those parts holding each other (the composition root wires none of this).
One directory per session: names belong to the server that session talks to.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QObject, Signal


class AssistantNames(QObject):
    """id → name. Signal: ``changed()`` (a name became known or changed)."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._names: dict[str, str] = {}

    def name(self, assistant_id: str | None) -> str:
        """The assistant's name, or "" while unknown (or when it has none)."""
        return self._names.get(assistant_id or "", "")

    def label(self, assistant_id: str | None) -> str:
        """The name when known, else the id: what to show a person."""
        return self.name(assistant_id) or (assistant_id or "")

    def learn(self, assistant: Any) -> None:
        """Note the name of ``assistant`` (anything with ``id`` and ``name``)."""
        self.learn_all([assistant])

    def learn_all(self, assistants: Iterable[Any]) -> None:
        changed = False
        for assistant in assistants:
            assistant_id = str(getattr(assistant, "id", "") or "")
            name = str(getattr(assistant, "name", "") or "").strip()
            if assistant_id and self._names.get(assistant_id, "") != name:
                if name:
                    self._names[assistant_id] = name
                else:
                    self._names.pop(assistant_id, None)
                changed = True
        if changed:
            self.changed.emit()


_DIRECTORIES: weakref.WeakKeyDictionary[Any, AssistantNames] = weakref.WeakKeyDictionary()


def assistant_names(session: Any) -> AssistantNames:
    """The directory of ``session`` (made on first use; lives as long as the session)."""
    directory = _DIRECTORIES.get(session)
    if directory is None:
        directory = _DIRECTORIES[session] = AssistantNames()
    return directory
