"""Files of the assistant being edited: upload with progress and cancel, attach, remove.

Where a file goes depends on the API version: v2 attaches to the code interpreter
(``tool_resources.code_interpreter.file_ids``) or to a vector store searched by file_search
(one is created for the assistant when it has none); v1 links files to the assistant itself
(``/assistants/{id}/files``). For a saved assistant the attachment is written to the server
at once — an upload is a server-side change anyway, and leaving it half-done until Save would
orphan the file if the person never saves. For an assistant not created yet, the ids go into
the draft and are sent with the first Save.

The upload body is read in worker threads by the api client (never on the Qt thread), and its
progress callback drives ``upload_progress``.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from playground.ui.viewmodels.assistant_editor import AssistantEditorViewModel
from playground.ui.viewmodels.search_test import SearchTestViewModel
from playground.ui.viewmodels.session import Session

if TYPE_CHECKING:
    from playground.api import AssistantsClient
    from playground.protocol import FileObject

log = logging.getLogger(__name__)

#: File types the Assistants tools accept (code interpreter and file search lists combined).
UPLOAD_EXTENSIONS: frozenset[str] = frozenset(
    "c cpp csv docx html java json md pdf php pptx py rb tex txt css jpeg jpg js gif png tar ts "
    "xlsx xml zip".split()
)
#: The API's per-file upload limit.
MAX_UPLOAD_BYTES = 512 * 1024 * 1024
UPLOAD_TASK = "files.upload"
SEARCH_TEST_TIP = (
    "Search the assistant's files the way File search does and see which passages it "
    "finds, with their scores — without running the model."
)


class Target(StrEnum):
    """Which tool a file is for."""

    CODE_INTERPRETER = "code_interpreter"
    FILE_SEARCH = "file_search"


@dataclass(frozen=True)
class AttachedFile:
    """One row of the files panel. ``store_id`` is the vector store holding it (file_search)."""

    file_id: str
    filename: str
    target: Target
    size: int | None = None
    status: str = ""
    store_id: str | None = None


def upload_problem(path: Path) -> str | None:
    """Why ``path`` cannot be uploaded, in words; None when it can. Blocking (stats the file)."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in UPLOAD_EXTENSIONS:
        listed = ", ".join(sorted(UPLOAD_EXTENSIONS))
        return f"“{path.name}” has a file type the tools do not accept. Allowed: {listed}."
    if not path.is_file():
        return f"There is no file at {path}."
    size = path.stat().st_size
    if size > MAX_UPLOAD_BYTES:
        return f"“{path.name}” is larger than the 512 MB upload limit."
    return None


class FilesViewModel(QObject):
    """Signals: ``files_changed()``, ``uploading_changed(bool)``, ``upload_progress(int, int)``
    (bytes done, total; total -1 when unknown), ``upload_finished(object)`` (the AttachedFile,
    or None when cancelled or failed), ``search_changed()`` (``search_store_id`` or
    ``search_blocker`` changed)."""

    files_changed = Signal()
    uploading_changed = Signal(bool)
    upload_progress = Signal(int, int)
    upload_finished = Signal(object)
    search_changed = Signal()

    def __init__(
        self, session: Session, editor: AssistantEditorViewModel, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._editor = editor
        self._files: list[AttachedFile] = []
        self._uploading = False
        self._upload_name = ""
        self._search = self._search_availability()
        editor.loaded.connect(self.on_editor_loaded)
        editor.draft_changed.connect(self._update_search)
        session.client_changed.connect(self._update_search)

    # -- state -----------------------------------------------------------------------------

    @property
    def files(self) -> list[AttachedFile]:
        return list(self._files)

    @property
    def is_uploading(self) -> bool:
        return self._uploading

    @property
    def upload_name(self) -> str:
        return self._upload_name

    @property
    def api_family(self) -> str:
        return self._session.api_family

    @property
    def search_store_id(self) -> str | None:
        """The vector store "Test search" searches, or None when it cannot be used."""
        return self._search[0]

    @property
    def search_blocker(self) -> str:
        """Why "Test search" cannot be used, in words ("" when it can)."""
        return self._search[1]

    def make_search_test(self, query: str = "") -> SearchTestViewModel | None:
        """A search view model for the assistant's store (None when there is none), starting
        with ``query`` so text typed for another assistant is not lost."""
        store_id = self.search_store_id
        if store_id is None:
            return None
        return SearchTestViewModel(
            self._session, store_id, title=self._editor.draft.name, query=query
        )

    # -- intents ---------------------------------------------------------------------------

    def refresh(self) -> None:
        self._session.runner.start("files.refresh", self.refresh_async(), label="Listing files")

    def upload(self, path: Path, target: Target) -> None:
        self._session.runner.start(
            UPLOAD_TASK, self.upload_async(path, target), label=f"Uploading {path.name}"
        )

    def cancel_upload(self) -> bool:
        return self._session.runner.cancel(UPLOAD_TASK)

    def remove(self, item: AttachedFile) -> None:
        self._session.runner.start(
            None, self.remove_async(item), label=f"Removing {item.filename or item.file_id}"
        )

    # -- work ------------------------------------------------------------------------------

    async def refresh_async(self) -> None:
        client: AssistantsClient | None = self._session.client
        draft = self._editor.draft
        if client is None:
            self._set_files([])
            return
        items: list[AttachedFile] = []
        if self.api_family == "v1":
            items += await self._describe(client, draft.file_ids, Target.CODE_INTERPRETER)
        else:
            items += await self._describe(
                client, draft.code_interpreter_file_ids, Target.CODE_INTERPRETER
            )
            for store_id in draft.vector_store_ids:
                items += await self._store_files(client, store_id)
        if self._editor.draft is draft:
            self._set_files(items)

    async def upload_async(self, path: Path, target: Target) -> AttachedFile | None:
        client: AssistantsClient | None = self._session.client
        if client is None:
            self._session.bridge.post_error("Not connected", "Connect to a server first.")
            return None
        problem = await self._session.runner.run_blocking(upload_problem, path)
        if problem:
            self._session.bridge.post_error("This file cannot be uploaded", problem)
            self.upload_finished.emit(None)
            return None
        self._upload_name = path.name
        self._set_uploading(True)
        result: AttachedFile | None = None
        try:
            uploaded = await client.files.upload(
                path, purpose="assistants", on_progress=self._on_progress
            )
            result = await self._attach(client, uploaded, target)
        finally:
            self._set_uploading(False)
            self.upload_finished.emit(result)
        await self.refresh_async()
        return result

    async def remove_async(self, item: AttachedFile) -> None:
        """Detach the file from the assistant (the uploaded file itself stays on the server)."""
        client: AssistantsClient | None = self._session.client
        editor = self._editor
        draft = editor.draft
        saved_id = editor.assistant_id
        if self.api_family == "v1":
            if saved_id and client is not None and item.file_id in editor.original.file_ids:
                await client.assistant_files.delete(saved_id, item.file_id)
            remaining = tuple(f for f in draft.file_ids if f != item.file_id)
            editor.set_resources(file_ids=remaining, persisted=saved_id is not None)
        elif item.target is Target.CODE_INTERPRETER:
            ids = tuple(f for f in draft.code_interpreter_file_ids if f != item.file_id)
            await self._write_resources(client, code_interpreter_file_ids=ids)
        elif item.store_id and client is not None:
            await client.vector_store_files.delete(item.store_id, item.file_id)
        await self.refresh_async()

    # -- internals -------------------------------------------------------------------------

    async def _attach(
        self, client: AssistantsClient, uploaded: FileObject, target: Target
    ) -> AttachedFile:
        editor = self._editor
        draft = editor.draft
        file_id = uploaded.id
        saved_id = editor.assistant_id
        if self.api_family == "v1":
            if saved_id:
                await client.assistant_files.create(saved_id, file_id)
            editor.set_resources(file_ids=(*draft.file_ids, file_id), persisted=bool(saved_id))
            return AttachedFile(file_id, uploaded.filename, target, uploaded.bytes)
        if target is Target.CODE_INTERPRETER:
            ids = (*draft.code_interpreter_file_ids, file_id)
            await self._write_resources(client, code_interpreter_file_ids=ids)
            return AttachedFile(file_id, uploaded.filename, target, uploaded.bytes)
        if draft.vector_store_ids:
            store_id = draft.vector_store_ids[0]
            link = await client.vector_store_files.create(store_id, file_id)
        else:
            name = f"{draft.name or 'Assistant'} files"[:256]
            store = await client.vector_stores.create({"name": name, "file_ids": [file_id]})
            store_id = store.id
            link = None
            await self._write_resources(client, vector_store_ids=(store_id,))
        status = str(link.status or "in_progress") if link is not None else "in_progress"
        return AttachedFile(file_id, uploaded.filename, target, uploaded.bytes, status, store_id)

    async def _write_resources(
        self,
        client: AssistantsClient | None,
        *,
        code_interpreter_file_ids: tuple[str, ...] | None = None,
        vector_store_ids: tuple[str, ...] | None = None,
    ) -> None:
        """Change tool_resources: on the server when the assistant exists, else in the draft.

        The server write combines the new part with the *saved* other part, so it never
        commits unrelated unsaved edits behind the person's back.
        """
        editor = self._editor
        saved_id = editor.assistant_id
        if saved_id and client is not None:
            original = editor.original
            ci = code_interpreter_file_ids
            vs = vector_store_ids
            body = {
                "tool_resources": {
                    "code_interpreter": {
                        "file_ids": list(
                            ci if ci is not None else original.code_interpreter_file_ids
                        )
                    },
                    "file_search": {
                        "vector_store_ids": list(
                            vs if vs is not None else original.vector_store_ids
                        )
                    },
                }
            }
            await client.assistants.update(saved_id, body)
        editor.set_resources(
            code_interpreter_file_ids=code_interpreter_file_ids,
            vector_store_ids=vector_store_ids,
            persisted=bool(saved_id),
        )

    async def _describe(
        self, client: AssistantsClient, file_ids: tuple[str, ...], target: Target
    ) -> list[AttachedFile]:
        from playground.api import NotFoundError

        async def one(file_id: str) -> AttachedFile:
            try:
                info = await client.files.retrieve(file_id)
            except NotFoundError:
                return AttachedFile(file_id, "(deleted on the server)", target, status="missing")
            return AttachedFile(file_id, info.filename, target, info.bytes, str(info.status or ""))

        return list(await asyncio.gather(*(one(f) for f in file_ids)))

    async def _store_files(self, client: AssistantsClient, store_id: str) -> list[AttachedFile]:
        from playground.api import NotFoundError

        try:
            links = [link async for link in client.vector_store_files.list(store_id, limit=100)]
        except NotFoundError:
            return []
        described = await self._describe(
            client, tuple(link.id for link in links), Target.FILE_SEARCH
        )
        return [
            AttachedFile(
                d.file_id, d.filename, Target.FILE_SEARCH, d.size, str(link.status), store_id
            )
            for d, link in zip(described, links, strict=True)
        ]

    def _on_progress(self, done: int, total: int | None) -> None:
        self.upload_progress.emit(done, -1 if total is None else total)

    def _set_files(self, items: list[AttachedFile]) -> None:
        if items != self._files:
            self._files = items
            self.files_changed.emit()

    def _search_availability(self) -> tuple[str | None, str]:
        draft = self._editor.draft
        if self._session.client is None:
            return None, "Connect to a server to test what file search finds."
        if self.api_family == "v1":
            return None, "Searching a vector store needs the Assistants v2 API; this is v1."
        if not draft.file_search:
            return None, "Turn on File search (Tools tab) to test what it finds."
        if not draft.vector_store_ids:
            return None, "Upload a file for File search first: the search runs over its files."
        return draft.vector_store_ids[0], ""

    def _update_search(self) -> None:
        search = self._search_availability()
        if search != self._search:
            self._search = search
            self.search_changed.emit()

    def _set_uploading(self, value: bool) -> None:
        if value != self._uploading:
            self._uploading = value
            self.uploading_changed.emit(value)

    # -- slots -----------------------------------------------------------------------------

    def on_editor_loaded(self) -> None:
        if self._session.client is None:
            self._set_files([])
            return
        self.refresh()
