"""The assistants of the current connection: list, filter, select, create, duplicate, delete,
export and import. The selected one is edited through :attr:`AssistantsViewModel.editor`
and its files through :attr:`AssistantsViewModel.files`.

The chat needs to know which assistant runs: ``selected_changed(str | None)`` fires with the
id of the selected *saved* assistant (None while a new, unsaved one is being written).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from playground.protocol.assistant import Assistant
from playground.ui.viewmodels.assistant_draft import AssistantDraft
from playground.ui.viewmodels.assistant_editor import AssistantEditorViewModel
from playground.ui.viewmodels.assistant_io import ImportResult, export_definition, import_definition
from playground.ui.viewmodels.files import FilesViewModel
from playground.ui.viewmodels.session import Session

if TYPE_CHECKING:
    from playground.api import AssistantsClient
    from playground.store.function_modes import FunctionMode

log = logging.getLogger(__name__)

#: Plenty for a playground; the API pages at 100.
_LIST_LIMIT = 100
_MAX_LISTED = 1000
#: Export/import files are small; refuse anything huge before reading it into memory.
MAX_IMPORT_BYTES = 2 * 1024 * 1024


class AssistantsViewModel(QObject):
    """Signals: ``assistants_changed()``, ``selected_changed(object)`` (id or None),
    ``models_changed()``, ``filter_changed(str)``, ``loading_changed(bool)``,
    ``imported(object)`` (an :class:`ImportResult`)."""

    assistants_changed = Signal()
    selected_changed = Signal(object)
    models_changed = Signal()
    filter_changed = Signal(str)
    loading_changed = Signal(bool)
    imported = Signal(object)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.editor = AssistantEditorViewModel(session, self)
        self.files = FilesViewModel(session, self.editor, self)
        self._assistants: list[Assistant] = []
        self._filter = ""
        self._selected: str | None = None
        self._models: list[str] = []
        self._loading = False
        session.client_changed.connect(self.on_session_client_changed)
        self.editor.saved.connect(self.on_editor_saved)

    # -- state -----------------------------------------------------------------------------

    @property
    def session(self) -> Session:
        return self._session

    @property
    def assistants(self) -> list[Assistant]:
        return list(self._assistants)

    @property
    def visible(self) -> list[Assistant]:
        """The assistants matching the filter (name, id, model or description)."""
        needle = self._filter.strip().casefold()
        if not needle:
            return list(self._assistants)
        return [a for a in self._assistants if needle in _haystack(a)]

    @property
    def selected_id(self) -> str | None:
        return self._selected

    @property
    def selected(self) -> Assistant | None:
        return next((a for a in self._assistants if a.id == self._selected), None)

    @property
    def models(self) -> list[str]:
        return list(self._models)

    @property
    def api_family(self) -> str:
        return self._session.api_family

    @property
    def is_connected(self) -> bool:
        return self._session.is_connected

    # -- intents ---------------------------------------------------------------------------

    def set_filter(self, text: str) -> None:
        if text != self._filter:
            self._filter = text
            self.filter_changed.emit(text)
            self.assistants_changed.emit()

    def refresh(self) -> None:
        self._session.runner.start(
            "assistants.refresh", self.refresh_async(), label="Loading the assistants"
        )

    def select(self, assistant_id: str | None) -> None:
        """Show a saved assistant in the editor (None: start a new one)."""
        self._session.runner.start(
            "assistants.select", self.select_async(assistant_id), label="Opening the assistant"
        )

    def new_assistant(self) -> None:
        self._set_selected(None)
        self.editor.load_unsaved(AssistantDraft(model=self._models[0] if self._models else ""))

    def duplicate(self) -> None:
        """Copy the editor's draft into a new, unsaved assistant (files stay shared by id)."""
        draft = self.editor.draft
        name = f"{draft.name} (copy)" if draft.name else "Copy"
        self._set_selected(None)
        self.editor.load_unsaved(replace(draft, name=name[:256]))

    def delete(self, assistant_id: str) -> None:
        self._session.runner.start(
            f"assistants.delete.{assistant_id}",
            self.delete_async(assistant_id),
            label="Deleting the assistant",
        )

    def save(self) -> None:
        self.editor.save()

    def revert(self) -> None:
        self.editor.revert()

    def export_text(self) -> str:
        return export_definition(self.editor.draft, self.api_family)

    def export_to(self, path: Path) -> None:
        self._session.runner.start(
            None, self.export_to_async(path), label=f"Exporting to {path.name}"
        )

    def import_from(self, path: Path) -> None:
        self._session.runner.start(
            "assistants.import", self.import_from_async(path), label=f"Importing {path.name}"
        )

    def import_text(self, text: str) -> ImportResult:
        """Load a definition as a new, unsaved assistant when it can be read at all."""
        result = import_definition(text)
        if result.draft is not None:
            self._set_selected(None)
            self.editor.load_unsaved(result.draft)
        self.imported.emit(result)
        return result

    # -- work ------------------------------------------------------------------------------

    async def refresh_async(self) -> None:
        client: AssistantsClient | None = self._session.client
        if client is None:
            self._set_assistants([])
            return
        self._set_loading(True)
        pager = client.assistants.list(limit=_LIST_LIMIT, order="desc")
        try:
            found: list[Assistant] = []
            async for assistant in pager:
                found.append(assistant)
                if len(found) >= _MAX_LISTED:
                    break
        finally:
            self._set_loading(False)
        self._set_assistants(found)
        if pager.notice:  # a malformed assistant is named, not allowed to empty the list
            self._session.bridge.post_error("Some assistants could not be shown", pager.notice)
        await self._load_models(client)

    async def select_async(self, assistant_id: str | None) -> None:
        if assistant_id is None:
            self.new_assistant()
            return
        client: AssistantsClient | None = self._session.client
        if client is None:
            return
        assistant = await client.assistants.retrieve(assistant_id)
        modes = await self._modes(assistant.id)
        self._replace_row(assistant)
        self._set_selected(assistant.id)
        self.editor.load(assistant, modes)

    async def delete_async(self, assistant_id: str) -> None:
        from playground.api import NotFoundError

        client: AssistantsClient | None = self._session.client
        if client is None:
            return
        try:
            await client.assistants.delete(assistant_id)
        except NotFoundError:
            pass  # already gone is what the person wanted
        profile_id = self._session.profile_id
        if profile_id:
            await self._session.runner.run_blocking(
                self._session.store.function_modes.delete_assistant, profile_id, assistant_id
            )
        self._set_assistants([a for a in self._assistants if a.id != assistant_id])
        if self._selected == assistant_id or self.editor.assistant_id == assistant_id:
            self._set_selected(None)
            self.editor.load(None)

    async def save_async(self) -> Assistant | None:
        return await self.editor.save_async()

    async def export_to_async(self, path: Path) -> None:
        text = self.export_text()
        await self._session.runner.run_blocking(path.write_text, text + "\n", encoding="utf-8")
        self._session.bridge.post_notice(f"Exported the assistant to {path}.")

    async def import_from_async(self, path: Path) -> ImportResult:
        text = await self._session.runner.run_blocking(_read_small_text, path)
        result = self.import_text(text)
        if result.draft is None:
            self._session.bridge.post_error(
                "The assistant could not be imported", " ".join(result.problems)
            )
        elif result.problems:
            self._session.bridge.post_error(
                "Imported, but fix these before saving", " ".join(result.problems)
            )
        else:
            self._session.bridge.post_notice(
                f"Imported {path.name}; press Save to create the assistant."
            )
        return result

    # -- internals -------------------------------------------------------------------------

    async def _load_models(self, client: AssistantsClient) -> None:
        try:
            models = await client.models.list()
        except Exception as exc:  # the picker still takes free text
            log.info("No model list from this server: %s", type(exc).__name__)
            models = []
        names = sorted({m.id for m in models})
        if names != self._models:
            self._models = names
            self.models_changed.emit()

    async def _modes(self, assistant_id: str) -> dict[str, FunctionMode]:
        profile_id = self._session.profile_id
        if profile_id is None:
            return {}
        return await self._session.runner.run_blocking(
            self._session.store.function_modes.for_assistant, profile_id, assistant_id
        )

    def _replace_row(self, assistant: Assistant) -> None:
        rows = list(self._assistants)
        for index, row in enumerate(rows):
            if row.id == assistant.id:
                rows[index] = assistant
                break
        else:
            rows.insert(0, assistant)
        self._set_assistants(rows)

    def _set_assistants(self, rows: list[Assistant]) -> None:
        self._assistants = rows
        self._session.assistant_names.learn_all(rows)
        self.assistants_changed.emit()

    def _set_selected(self, assistant_id: str | None) -> None:
        if assistant_id != self._selected:
            self._selected = assistant_id
            self.selected_changed.emit(assistant_id)

    def _set_loading(self, value: bool) -> None:
        if value != self._loading:
            self._loading = value
            self.loading_changed.emit(value)

    # -- slots -----------------------------------------------------------------------------

    def on_session_client_changed(self) -> None:
        self._set_selected(None)
        self.editor.load(None)
        if self._session.client is None:
            self._set_assistants([])
            return
        self.refresh()

    def on_editor_saved(self, assistant: Assistant) -> None:
        self._replace_row(assistant)
        self._set_selected(assistant.id)


def _haystack(assistant: Assistant) -> str:
    parts = (assistant.name, assistant.id, assistant.model, assistant.description)
    return " ".join(p for p in parts if p).casefold()


def _read_small_text(path: Path) -> str:
    size = path.stat().st_size
    if size > MAX_IMPORT_BYTES:
        raise ValueError(f"{path.name} is too large for an assistant definition ({size} bytes).")
    return path.read_text(encoding="utf-8")
