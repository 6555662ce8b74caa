"""The assistant being edited: load, change, Save and Revert.

The form edits an :class:`~.assistant_draft.AssistantDraft` (an immutable value, replaced on
every change, with its checks); export and import of a definition are
:mod:`.assistant_io`. This view model holds the draft and the saved original, and talks to
the server and the local function modes.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from playground.protocol.assistant import Assistant
from playground.protocol.tools import FunctionDefinition
from playground.store.function_modes import FunctionMode
from playground.ui.viewmodels.assistant_draft import (
    AssistantDraft,
    by_function_name,
    draft_from_assistant,
)
from playground.ui.viewmodels.functions import Problem
from playground.ui.viewmodels.session import Session

if TYPE_CHECKING:
    from playground.api import AssistantsClient

log = logging.getLogger(__name__)


class AssistantEditorViewModel(QObject):
    """The draft of the selected (or new) assistant, with Save and Revert.

    Signals: ``loaded()`` (the whole draft was replaced: refill the form), ``draft_changed()``
    (any edit), ``dirty_changed(bool)``, ``problems_changed(object)`` (list of Problem),
    ``saving_changed(bool)``, ``saved(object)`` (the server's Assistant), ``save_refused(str)``
    (why Save did nothing, in words).
    """

    loaded = Signal()
    draft_changed = Signal()
    dirty_changed = Signal(bool)
    problems_changed = Signal(object)
    saving_changed = Signal(bool)
    saved = Signal(object)
    save_refused = Signal(str)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._assistant_id: str | None = None
        self._original = AssistantDraft()
        self._draft = AssistantDraft()
        self._problems: list[Problem] = self._draft.problems()
        self._dirty = False
        self._saving = False

    # -- state -----------------------------------------------------------------------------

    @property
    def assistant_id(self) -> str | None:
        return self._assistant_id

    @property
    def draft(self) -> AssistantDraft:
        return self._draft

    @property
    def original(self) -> AssistantDraft:
        return self._original

    @property
    def is_dirty(self) -> bool:
        return self._dirty

    @property
    def problems(self) -> list[Problem]:
        return list(self._problems)

    @property
    def is_saving(self) -> bool:
        return self._saving

    @property
    def api_family(self) -> str:
        return self._session.api_family

    # -- loading ---------------------------------------------------------------------------

    def load(
        self, assistant: Assistant | None, modes: dict[str, FunctionMode] | None = None
    ) -> None:
        """Show a server assistant (or a blank new one) with no unsaved changes."""
        draft = draft_from_assistant(assistant, modes) if assistant else AssistantDraft()
        self._assistant_id = assistant.id if assistant else None
        self._original = draft
        self._set(draft, reload=True)

    def load_unsaved(self, draft: AssistantDraft) -> None:
        """Show a draft that is not on the server yet (duplicate, import, new with a model)."""
        self._assistant_id = None
        self._original = AssistantDraft()
        self._set(draft, reload=True)

    # -- edits -----------------------------------------------------------------------------

    def update(self, **changes: Any) -> None:
        """Change fields of the draft (names as on :class:`AssistantDraft`)."""
        if "metadata" in changes:
            changes["metadata"] = tuple((str(k), str(v)) for k, v in changes["metadata"])
        self._set(replace(self._draft, **changes))

    def put_function(
        self,
        definition: FunctionDefinition,
        mode: FunctionMode | None = None,
        *,
        replacing: str | None = None,
    ) -> None:
        """Add a function, or replace the one named ``replacing`` (its mode follows a rename)."""
        functions = list(self._draft.functions)
        modes = dict(self._draft.function_modes)
        index = next((i for i, f in enumerate(functions) if f.name == replacing), None)
        if index is None:
            functions.append(definition)
        else:
            functions[index] = definition
            old_mode = modes.pop(replacing or "", None)
            if mode is None and old_mode is not None:
                mode = old_mode
        if mode is not None and mode != FunctionMode():
            modes[definition.name] = mode
        else:
            modes.pop(definition.name, None)
        self._set(
            replace(
                self._draft,
                functions=tuple(functions),
                function_modes=tuple(sorted(modes.items(), key=by_function_name)),
            )
        )

    def remove_function(self, name: str) -> None:
        functions = tuple(f for f in self._draft.functions if f.name != name)
        modes = tuple((n, m) for n, m in self._draft.function_modes if n != name)
        self._set(replace(self._draft, functions=functions, function_modes=modes))

    def set_resources(
        self,
        *,
        code_interpreter_file_ids: tuple[str, ...] | None = None,
        vector_store_ids: tuple[str, ...] | None = None,
        file_ids: tuple[str, ...] | None = None,
        persisted: bool = False,
    ) -> None:
        """Change the attached files/stores; ``persisted`` when the server already has them,
        so they do not count as unsaved changes."""
        changes: dict[str, Any] = {}
        if code_interpreter_file_ids is not None:
            changes["code_interpreter_file_ids"] = tuple(code_interpreter_file_ids)
        if vector_store_ids is not None:
            changes["vector_store_ids"] = tuple(vector_store_ids)
        if file_ids is not None:
            changes["file_ids"] = tuple(file_ids)
        if persisted:
            self._original = replace(self._original, **changes)
        self._set(replace(self._draft, **changes))

    def revert(self) -> None:
        self._set(self._original, reload=True)

    # -- saving ----------------------------------------------------------------------------

    def save(self) -> None:
        self._session.runner.start(
            "assistants.save", self.save_async(), label="Saving the assistant"
        )

    async def save_async(self) -> Assistant | None:
        """Create or update on the server, then store the function modes locally."""
        if self._problems:
            reason = "Fix these first: " + " ".join(p.message for p in self._problems)
            self.save_refused.emit(reason)
            self._session.bridge.post_error("The assistant cannot be saved yet", reason)
            return None
        client: AssistantsClient | None = self._session.client
        if client is None:
            reason = "Connect to a server first."
            self.save_refused.emit(reason)
            self._session.bridge.post_error("Not connected", reason)
            return None
        draft, family = self._draft, self.api_family
        self._set_saving(True)
        try:
            if self._assistant_id is None:
                result = await client.assistants.create(draft.request_body(family, update=False))
            else:
                result = await client.assistants.update(
                    self._assistant_id, draft.request_body(family, update=True)
                )
            await self._save_modes(result.id, draft)
        finally:
            self._set_saving(False)
        if self._draft == draft:
            self.load(result, dict(draft.function_modes))
        else:  # edited while saving: keep the newer edits as unsaved on top of the result
            self._assistant_id = result.id
            self._original = draft_from_assistant(result, dict(draft.function_modes))
            self._set(self._draft)
        self.saved.emit(result)
        return result

    async def _save_modes(self, assistant_id: str, draft: AssistantDraft) -> None:
        profile_id = self._session.profile_id
        if profile_id is None:
            return
        store = self._session.store.function_modes
        wanted = dict(draft.function_modes)
        names = set(draft.function_names()) | {n for n, _ in self._original.function_modes}

        def write() -> None:
            for name in sorted(names):
                store.set(profile_id, assistant_id, name, wanted.get(name, FunctionMode()))

        await self._session.runner.run_blocking(write)

    # -- internals -------------------------------------------------------------------------

    def _set(self, draft: AssistantDraft, *, reload: bool = False) -> None:
        self._draft = draft
        problems = draft.problems()
        if problems != self._problems:
            self._problems = problems
            self.problems_changed.emit(list(problems))
        dirty = draft != self._original
        if reload:
            self.loaded.emit()
        self.draft_changed.emit()
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)

    def _set_saving(self, value: bool) -> None:
        if value != self._saving:
            self._saving = value
            self.saving_changed.emit(value)
