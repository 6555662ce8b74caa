"""The message object and its content parts."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Discriminator, Field, Tag

from .annotations import Annotation
from .base import WireModel
from .common import IncompleteDetails, Metadata
from .statuses import MessageStatus
from .unions import UNKNOWN_TAG, type_discriminator


class Text(WireModel):
    """The text of a text part, with its annotations."""

    value: str = ""
    annotations: list[Annotation] = Field(default_factory=list)


class ImageFile(WireModel):
    file_id: str = ""
    detail: str | None = None


class ImageUrl(WireModel):
    url: str = ""
    detail: str | None = None


class TextContent(WireModel):
    type: Literal["text"] = "text"
    text: Text = Field(default_factory=Text)


class ImageFileContent(WireModel):
    type: Literal["image_file"] = "image_file"
    image_file: ImageFile = Field(default_factory=ImageFile)


class ImageUrlContent(WireModel):
    type: Literal["image_url"] = "image_url"
    image_url: ImageUrl = Field(default_factory=ImageUrl)


class RefusalContent(WireModel):
    type: Literal["refusal"] = "refusal"
    refusal: str = ""


class UnknownContent(WireModel):
    """A content part type this version does not know; every field is kept."""

    type: str | None = None


CONTENT_TYPES = ("text", "image_file", "image_url", "refusal")

MessageContent = Annotated[
    Annotated[TextContent, Tag("text")]
    | Annotated[ImageFileContent, Tag("image_file")]
    | Annotated[ImageUrlContent, Tag("image_url")]
    | Annotated[RefusalContent, Tag("refusal")]
    | Annotated[UnknownContent, Tag(UNKNOWN_TAG)],
    Discriminator(type_discriminator(CONTENT_TYPES)),
]


class AttachmentTool(WireModel):
    """Which tool an attached file is for (``code_interpreter`` or ``file_search``)."""

    type: str


class Attachment(WireModel):
    """A file attached to a message, and the tools that should see it."""

    file_id: str
    tools: list[AttachmentTool] = Field(default_factory=list)


class Message(WireModel):
    """``object: "thread.message"`` (v1 messages carry ``file_ids`` and no ``status``)."""

    id: str
    object: Literal["thread.message"] = "thread.message"
    created_at: int = 0
    thread_id: str = ""
    status: MessageStatus | str | None = None
    incomplete_details: IncompleteDetails | None = None
    completed_at: int | None = None
    incomplete_at: int | None = None
    role: Literal["user", "assistant"] | str = "assistant"
    content: list[MessageContent] = Field(default_factory=list)
    assistant_id: str | None = None
    run_id: str | None = None
    attachments: list[Attachment] | None = None
    file_ids: list[str] | None = None
    metadata: Metadata | None = None

    def text(self) -> str:
        """All text parts joined by blank lines (what a chat view shows first)."""
        return "\n\n".join(p.text.value for p in self.content if isinstance(p, TextContent))
