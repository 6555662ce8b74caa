"""Request bodies. Dump them with :func:`playground.protocol.base.to_body`.

Every field is optional except those the API requires, and only fields the caller set
are sent, because ``null`` and "absent" differ on the wire.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Tag

from .base import RequestModel
from .common import TruncationStrategy
from .message import Attachment, ImageFile, ImageUrl
from .tools import (
    ChunkingStrategy,
    ResponseFormatOption,
    Tool,
    ToolChoiceOption,
    ToolResources,
    ToolResourcesCreate,
)
from .unions import UNKNOWN_TAG, type_discriminator
from .vector_store import ExpiresAfter

# --- messages ----------------------------------------------------------------------


class TextInput(RequestModel):
    """Request form of a text part: ``text`` is a plain string here."""

    type: Literal["text"] = "text"
    text: str


class ImageFileInput(RequestModel):
    type: Literal["image_file"] = "image_file"
    image_file: ImageFile


class ImageUrlInput(RequestModel):
    type: Literal["image_url"] = "image_url"
    image_url: ImageUrl


class UnknownInput(RequestModel):
    type: str | None = None


MessageContentInput = Annotated[
    Annotated[TextInput, Tag("text")]
    | Annotated[ImageFileInput, Tag("image_file")]
    | Annotated[ImageUrlInput, Tag("image_url")]
    | Annotated[UnknownInput, Tag(UNKNOWN_TAG)],
    Discriminator(type_discriminator(["text", "image_file", "image_url"])),
]


class CreateMessage(RequestModel):
    """``POST /threads/{id}/messages``; also thread messages and run ``additional_messages``."""

    role: str
    content: str | list[MessageContentInput]
    attachments: list[Attachment] | None = None
    file_ids: list[str] | None = None
    metadata: dict[str, str] | None = None


class ModifyMessage(RequestModel):
    metadata: dict[str, str] | None = None


# --- assistants --------------------------------------------------------------------


class _AssistantFields(RequestModel):
    name: str | None = None
    description: str | None = None
    instructions: str | None = None
    reasoning_effort: str | None = None
    tools: list[Tool] | None = None
    file_ids: list[str] | None = None
    metadata: dict[str, str] | None = None
    temperature: float | None = None
    top_p: float | None = None
    response_format: ResponseFormatOption | None = None


class CreateAssistant(_AssistantFields):
    """``POST /assistants``: ``model`` is required (Azure: the deployment name)."""

    model: str
    tool_resources: ToolResourcesCreate | None = None


class ModifyAssistant(_AssistantFields):
    """``POST /assistants/{id}``: only supplied fields change; lists are replaced."""

    model: str | None = None
    tool_resources: ToolResources | None = None


# --- threads -----------------------------------------------------------------------


class CreateThread(RequestModel):
    messages: list[CreateMessage] | None = None
    tool_resources: ToolResourcesCreate | None = None
    metadata: dict[str, str] | None = None


class ModifyThread(RequestModel):
    tool_resources: ToolResources | None = None
    metadata: dict[str, str] | None = None


# --- runs --------------------------------------------------------------------------


class _RunFields(RequestModel):
    assistant_id: str
    model: str | None = None
    instructions: str | None = None
    tools: list[Tool] | None = None
    metadata: dict[str, str] | None = None
    temperature: float | None = None
    top_p: float | None = None
    stream: bool | None = None
    max_prompt_tokens: int | None = None
    max_completion_tokens: int | None = None
    truncation_strategy: TruncationStrategy | None = None
    tool_choice: ToolChoiceOption | None = None
    parallel_tool_calls: bool | None = None
    response_format: ResponseFormatOption | None = None


class CreateRun(_RunFields):
    """``POST /threads/{id}/runs`` (``include[]`` is a query parameter, not here)."""

    reasoning_effort: str | None = None
    additional_instructions: str | None = None
    additional_messages: list[CreateMessage] | None = None


class CreateThreadAndRun(_RunFields):
    """``POST /threads/runs``."""

    thread: CreateThread | None = None
    tool_resources: ToolResources | None = None


class ModifyRun(RequestModel):
    metadata: dict[str, str] | None = None


class ToolOutput(RequestModel):
    """The answer to one pending call; ``output`` is a string (serialise JSON yourself)."""

    tool_call_id: str
    output: str


class ToolApproval(RequestModel):
    """Foundry preview: approve or deny one call listed by ``submit_tool_approval``."""

    tool_call_id: str
    approve: bool
    headers: dict[str, str] | None = None


class SubmitToolOutputs(RequestModel):
    """``POST .../submit_tool_outputs``: every pending call answered in one request.

    Foundry answers ``submit_tool_approval`` on the same path with ``tool_approvals``.
    """

    tool_outputs: list[ToolOutput] | None = None
    tool_approvals: list[ToolApproval] | None = None
    stream: bool | None = None


# --- vector stores -----------------------------------------------------------------


class CreateVectorStore(RequestModel):
    file_ids: list[str] | None = None
    name: str | None = None
    expires_after: ExpiresAfter | None = None
    chunking_strategy: ChunkingStrategy | None = None
    metadata: dict[str, str] | None = None


class ModifyVectorStore(RequestModel):
    name: str | None = None
    expires_after: ExpiresAfter | None = None
    metadata: dict[str, str] | None = None


class CreateVectorStoreFile(RequestModel):
    file_id: str
    chunking_strategy: ChunkingStrategy | None = None
    attributes: dict[str, Any] | None = None


class CreateVectorStoreFileBatch(RequestModel):
    file_ids: list[str]
    chunking_strategy: ChunkingStrategy | None = None
    attributes: dict[str, Any] | None = None
