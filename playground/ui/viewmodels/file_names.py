"""Names of the files the chat shows by id: cited files and attached files.

Messages carry file ids; people read names. Each name is asked of the server once per
connection, a batch at a time (a long thread's citations must not flood the server), and a
file the server no longer has says so instead of failing the chat.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from playground.ui.viewmodels.chat_items import ChatItem

if TYPE_CHECKING:
    from playground.api import AssistantsClient

#: Files looked up per batch.
MAX_NAME_LOOKUPS = 20


class FileNames:
    """The names known on the current connection, and which ids were already asked about."""

    def __init__(self) -> None:
        self._names: dict[str, str] = {}
        self._asked: set[str] = set()

    def get(self, file_id: str) -> str | None:
        return self._names.get(file_id)

    def clear(self) -> None:
        """Another connection: its files are other files."""
        self._names.clear()
        self._asked.clear()

    def remember(self, file_id: str, name: str) -> None:
        """A name known without asking (a file this window just uploaded)."""
        self._names[file_id] = name
        self._asked.add(file_id)

    def update(self, found: dict[str, str]) -> None:
        self._names.update(found)

    def to_ask(self, items: list[ChatItem]) -> list[str]:
        """The next batch of cited or attached file ids not asked about yet; from now on
        they count as asked, so a slow answer is not asked for twice."""
        wanted = [
            note.target
            for item in items
            for note in item.footnotes
            if note.kind == "file citation" and note.target and note.target not in self._asked
        ] + [i for item in items for i in item.attachment_ids if i not in self._asked]
        batch = list(dict.fromkeys(wanted))[:MAX_NAME_LOOKUPS]
        self._asked.update(batch)
        return batch

    def named(self, item: ChatItem) -> ChatItem:
        """Attached files by name where the name is known (the ids stay in attachment_ids)."""
        item.attachments = [self._names.get(i, i) for i in item.attachment_ids]
        return item


async def fetch_file_names(client: AssistantsClient, file_ids: list[str]) -> dict[str, str]:
    """The server's names for ``file_ids``; a deleted file is named as such, an odd answer
    leaves the id as it is."""
    from playground.api import NotFoundError

    found: dict[str, str] = {}
    for file_id in file_ids:
        try:
            meta = await client.files.retrieve(file_id)
        except NotFoundError:
            found[file_id] = f"{file_id} (no longer on the server)"
            continue
        except Exception:  # an odd server: the id will do
            continue
        if meta.filename:
            found[file_id] = meta.filename
    return found
