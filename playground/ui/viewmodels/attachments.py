"""The files attached to the message being written, and which tools each one goes to.

An attachment is only useful if it reaches a tool that can read it: a CSV sent to file search
is never analysed, a PNG sent to file search is never seen. So each file gets the tools the
assistant actually has, defaulting to what its type suits (tables, data, images and archives
to the code interpreter; documents to file search), and the person can change that per file.

Images are also sent as ``image_file`` content, so the chat shows them inline (and a model
that takes images sees them); ``image_note`` says plainly when the model will only see the
image's name.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import QObject, Signal

from playground.ui.viewmodels.session import Session

if TYPE_CHECKING:
    from playground.api import AssistantsClient

log = logging.getLogger(__name__)

ToolName = Literal["code_interpreter", "file_search"]
CODE: ToolName = "code_interpreter"
SEARCH: ToolName = "file_search"
ATTACHABLE: tuple[ToolName, ...] = (CODE, SEARCH)

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp"})
#: Data the code interpreter opens (pandas, PIL, zipfile); file search cannot read them well.
_CODE_SUFFIXES = frozenset(
    {".csv", ".tsv", ".xlsx", ".xls", ".json", ".jsonl", ".zip", ".parquet", ".py", ".xml"}
    | IMAGE_SUFFIXES
)
#: Documents whose text file search indexes.
_SEARCH_SUFFIXES = frozenset(
    {".pdf", ".docx", ".doc", ".md", ".txt", ".html", ".htm", ".pptx", ".rtf", ".tex"}
)

TOOL_LABELS: dict[ToolName, str] = {CODE: "Code interpreter", SEARCH: "File search"}


def is_image(path: str) -> bool:
    return PurePath(path).suffix.lower() in IMAGE_SUFFIXES


def suited_tool(path: str) -> ToolName | None:
    """The tool a file of this type is for, by its extension (None: no preference)."""
    suffix = PurePath(path).suffix.lower()
    if suffix in _CODE_SUFFIXES:
        return CODE
    if suffix in _SEARCH_SUFFIXES:
        return SEARCH
    return None


def default_tools(path: str, available: frozenset[str]) -> frozenset[ToolName]:
    """What a newly attached file goes to, given the tools the assistant has.

    The suited tool when the assistant has it; otherwise the other one, except for images,
    which file search cannot read (they are then shown as image content only).
    """
    suited = suited_tool(path)
    if suited is not None and suited in available:
        return frozenset({suited})
    if is_image(path):
        return frozenset()
    for tool in (SEARCH, CODE) if suited is None else (CODE, SEARCH):
        if tool in available:
            return frozenset({tool})
    return frozenset()


@dataclass(frozen=True)
class Attachment:
    """One file to send: where it is and the tools it goes to."""

    path: str
    tools: frozenset[ToolName] = frozenset()
    #: The person chose the tools (a change of assistant then keeps them where possible).
    chosen: bool = False

    @property
    def name(self) -> str:
        return PurePath(self.path).name

    @property
    def image(self) -> bool:
        return is_image(self.path)

    def wire_tools(self) -> list[dict[str, str]]:
        """The ``tools`` of the message attachment, in a stable order."""
        return [{"type": tool} for tool in ATTACHABLE if tool in self.tools]


def tool_choices(attachment: Attachment, available: frozenset[str]) -> list[frozenset[ToolName]]:
    """The tool sets a chip offers for this file (the current one always among them)."""
    have = [tool for tool in ATTACHABLE if tool in available]
    choices: list[frozenset[ToolName]] = [frozenset({tool}) for tool in have]
    if len(have) == 2:
        choices.append(frozenset(have))
    if attachment.image or not choices:
        choices.append(frozenset())
    if attachment.tools not in choices:
        choices.append(attachment.tools)
    return choices


def choice_label(tools: frozenset[ToolName], *, image: bool) -> str:
    if not tools:
        return "Shown only" if image else "No tool"
    if len(tools) == 2:
        return "Both tools"
    return TOOL_LABELS[next(iter(tools))]


class AttachmentsViewModel(QObject):
    """The composer's attachments. Signals: ``changed()`` (list or tool choices),
    ``available_changed()`` (the assistant's tools, or its name, became known or changed)."""

    changed = Signal()
    available_changed = Signal()

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._items: list[Attachment] = []
        self._available: frozenset[str] = frozenset()
        self._assistant_id: str | None = None
        self._assistant_name = ""

    # -- state ----------------------------------------------------------------------------

    @property
    def items(self) -> list[Attachment]:
        return list(self._items)

    @property
    def paths(self) -> list[str]:
        return [a.path for a in self._items]

    @property
    def available(self) -> frozenset[str]:
        """Tool types of the chosen assistant that attachments can go to."""
        return self._available

    @property
    def assistant_name(self) -> str:
        """The chosen assistant's name, once read ("" until then, or when it has none)."""
        return self._assistant_name

    def choices(self, index: int) -> list[frozenset[ToolName]]:
        return tool_choices(self._items[index], self._available)

    def image_note(self) -> str:
        """Plain words on what happens to attached images, or "" when there are none.

        The embedded runtime shows images to its model as pictures when the model endpoint
        takes them, and otherwise tells the model it cannot see them; its offline model
        reads text only, which the person is told before sending.
        """
        if not any(a.image for a in self._items):
            return ""
        from playground.store.profiles import ProfileKind

        if self._session.api_family == "v1":
            return "This API version takes text only: images are attached as files, not shown."
        if self._session.text_only_model:
            return (
                "This model reads text only: it is told each image's name and that it cannot "
                "see it (the code interpreter can open the file)."
            )
        profile = self._session.profile
        if profile is not None and profile.kind is ProfileKind.EMBEDDED:
            return (
                "Images go to the model as pictures; a model without image input is told "
                "it cannot see them."
            )
        return "Images are sent as image content (the model must accept image input)."

    # -- intents --------------------------------------------------------------------------

    def add(self, paths: list[str]) -> None:
        known = set(self.paths)
        for path in paths:
            if path and path not in known:
                known.add(path)
                self._items.append(Attachment(path, default_tools(path, self._available)))
        self.changed.emit()

    def set_paths(self, paths: list[str]) -> None:
        """Replace the list (a draft was loaded); tools follow the file types."""
        self._items = []
        self.add(paths)

    def remove(self, index: int) -> None:
        if 0 <= index < len(self._items):
            del self._items[index]
            self.changed.emit()

    def set_tools(self, index: int, tools: frozenset[ToolName]) -> None:
        if 0 <= index < len(self._items):
            item = self._items[index]
            self._items[index] = Attachment(item.path, tools, chosen=True)
            self.changed.emit()

    def clear(self) -> None:
        if self._items:
            self._items = []
            self.changed.emit()

    def set_available(self, tools: frozenset[str]) -> None:
        """The assistant's tools changed: re-route files to what it has now."""
        tools = frozenset(t for t in tools if t in ATTACHABLE)
        if tools == self._available:
            return
        self._available = tools
        self._items = [
            Attachment(
                a.path,
                frozenset(t for t in a.tools if t in tools) or default_tools(a.path, tools),
                chosen=a.chosen,
            )
            if a.chosen
            else Attachment(a.path, default_tools(a.path, tools))
            for a in self._items
        ]
        self.available_changed.emit()
        self.changed.emit()

    def follow_assistant(self, assistant_id: str | None) -> None:
        """Look up which tools ``assistant_id`` has (in the background)."""
        if assistant_id != self._assistant_id:
            self._assistant_name = ""
        self._assistant_id = assistant_id
        client: AssistantsClient | None = self._session.client
        if not assistant_id or client is None:
            self.set_available(frozenset())
            return
        self._session.runner.start(
            "attachments.tools",
            self._fetch_tools(client, assistant_id),
            label="Checking the assistant's tools",
        )

    def refresh(self) -> None:
        self.follow_assistant(self._assistant_id)

    async def _fetch_tools(self, client: AssistantsClient, assistant_id: str) -> None:
        try:
            assistant = await client.assistants.retrieve(assistant_id)
        except Exception as exc:  # a deleted assistant: the send will say so
            log.info("Could not read the assistant's tools: %s", type(exc).__name__)
            return
        if assistant_id != self._assistant_id:
            return
        self._session.assistant_names.learn(assistant)
        name = str(assistant.name or "")
        if name != self._assistant_name:
            self._assistant_name = name
            self.available_changed.emit()
        # v1's "retrieval" is the same route as v2's file_search.
        kinds = {str(t.type or "") for t in assistant.tools or []}
        if "retrieval" in kinds:
            kinds.add(SEARCH)
        self.set_available(frozenset(kinds))
