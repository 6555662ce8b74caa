"""Streaming delta shapes: ``thread.message.delta`` and ``thread.run.step.delta``.

Every list element carries ``index`` (its position in the parent list); all other fields
are optional fragments. Merge them with :mod:`playground.protocol.merge`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Discriminator, Field, Tag

from .base import WireModel
from .unions import UNKNOWN_TAG, type_discriminator

# --- message delta -----------------------------------------------------------------


class FileCitationDelta(WireModel):
    file_id: str | None = None
    quote: str | None = None


class FilePathDelta(WireModel):
    file_id: str | None = None


class UrlCitationDelta(WireModel):
    url: str | None = None
    title: str | None = None


class _AnnotationDeltaBase(WireModel):
    index: int = 0
    text: str | None = None
    start_index: int | None = None
    end_index: int | None = None


class FileCitationAnnotationDelta(_AnnotationDeltaBase):
    type: Literal["file_citation"] = "file_citation"
    file_citation: FileCitationDelta | None = None


class FilePathAnnotationDelta(_AnnotationDeltaBase):
    type: Literal["file_path"] = "file_path"
    file_path: FilePathDelta | None = None


class UrlCitationAnnotationDelta(_AnnotationDeltaBase):
    type: Literal["url_citation"] = "url_citation"
    url_citation: UrlCitationDelta | None = None


class UnknownAnnotationDelta(WireModel):
    index: int = 0
    type: str | None = None


AnnotationDelta = Annotated[
    Annotated[FileCitationAnnotationDelta, Tag("file_citation")]
    | Annotated[FilePathAnnotationDelta, Tag("file_path")]
    | Annotated[UrlCitationAnnotationDelta, Tag("url_citation")]
    | Annotated[UnknownAnnotationDelta, Tag(UNKNOWN_TAG)],
    Discriminator(type_discriminator(["file_citation", "file_path", "url_citation"])),
]


class TextDelta(WireModel):
    value: str | None = None
    annotations: list[AnnotationDelta] | None = None


class ImageFileDelta(WireModel):
    file_id: str | None = None
    detail: str | None = None


class ImageUrlDelta(WireModel):
    url: str | None = None
    detail: str | None = None


class TextDeltaPart(WireModel):
    index: int = 0
    type: Literal["text"] = "text"
    text: TextDelta | None = None


class ImageFileDeltaPart(WireModel):
    index: int = 0
    type: Literal["image_file"] = "image_file"
    image_file: ImageFileDelta | None = None


class ImageUrlDeltaPart(WireModel):
    index: int = 0
    type: Literal["image_url"] = "image_url"
    image_url: ImageUrlDelta | None = None


class RefusalDeltaPart(WireModel):
    index: int = 0
    type: Literal["refusal"] = "refusal"
    refusal: str | None = None


class UnknownDeltaPart(WireModel):
    index: int = 0
    type: str | None = None


MessageContentDelta = Annotated[
    Annotated[TextDeltaPart, Tag("text")]
    | Annotated[ImageFileDeltaPart, Tag("image_file")]
    | Annotated[ImageUrlDeltaPart, Tag("image_url")]
    | Annotated[RefusalDeltaPart, Tag("refusal")]
    | Annotated[UnknownDeltaPart, Tag(UNKNOWN_TAG)],
    Discriminator(type_discriminator(["text", "image_file", "image_url", "refusal"])),
]


class MessageDeltaBody(WireModel):
    role: str | None = None
    content: list[MessageContentDelta] | None = None


class MessageDelta(WireModel):
    """``object: "thread.message.delta"``."""

    id: str
    object: Literal["thread.message.delta"] = "thread.message.delta"
    delta: MessageDeltaBody = Field(default_factory=MessageDeltaBody)

    def text(self) -> str:
        """The text fragments in this delta, in content order (for live typing)."""
        parts = sorted(
            (p for p in self.delta.content or [] if isinstance(p, TextDeltaPart)),
            key=lambda p: p.index,
        )
        return "".join(p.text.value or "" for p in parts if p.text is not None)


# --- run step delta ----------------------------------------------------------------


class ImageRefDelta(WireModel):
    file_id: str | None = None


class CodeInterpreterLogsDelta(WireModel):
    index: int = 0
    type: Literal["logs"] = "logs"
    logs: str | None = None


class CodeInterpreterImageDelta(WireModel):
    index: int = 0
    type: Literal["image"] = "image"
    image: ImageRefDelta | None = None


class UnknownCodeInterpreterOutputDelta(WireModel):
    index: int = 0
    type: str | None = None


CodeInterpreterOutputDelta = Annotated[
    Annotated[CodeInterpreterLogsDelta, Tag("logs")]
    | Annotated[CodeInterpreterImageDelta, Tag("image")]
    | Annotated[UnknownCodeInterpreterOutputDelta, Tag(UNKNOWN_TAG)],
    Discriminator(type_discriminator(["logs", "image"])),
]


class CodeInterpreterDelta(WireModel):
    input: str | None = None
    outputs: list[CodeInterpreterOutputDelta] | None = None


class CodeInterpreterToolCallDelta(WireModel):
    index: int = 0
    id: str | None = None
    type: Literal["code_interpreter"] = "code_interpreter"
    code_interpreter: CodeInterpreterDelta | None = None


class FileSearchToolCallDelta(WireModel):
    """The file_search payload stays a raw dict: it is ``{}`` in deltas in practice."""

    index: int = 0
    id: str | None = None
    type: Literal["file_search"] = "file_search"
    file_search: dict[str, object] | None = None


class FunctionDelta(WireModel):
    name: str | None = None
    arguments: str | None = None
    output: str | None = None


class FunctionToolCallDelta(WireModel):
    index: int = 0
    id: str | None = None
    type: Literal["function"] = "function"
    function: FunctionDelta | None = None


class UnknownToolCallDelta(WireModel):
    """Retrieval, Foundry tool calls and anything newer: every field kept."""

    index: int = 0
    id: str | None = None
    type: str | None = None


ToolCallDelta = Annotated[
    Annotated[CodeInterpreterToolCallDelta, Tag("code_interpreter")]
    | Annotated[FileSearchToolCallDelta, Tag("file_search")]
    | Annotated[FunctionToolCallDelta, Tag("function")]
    | Annotated[UnknownToolCallDelta, Tag(UNKNOWN_TAG)],
    Discriminator(type_discriminator(["code_interpreter", "file_search", "function"])),
]


class MessageCreationDelta(WireModel):
    message_id: str | None = None


class MessageCreationDetailsDelta(WireModel):
    type: Literal["message_creation"] = "message_creation"
    message_creation: MessageCreationDelta | None = None


class ToolCallsDetailsDelta(WireModel):
    type: Literal["tool_calls"] = "tool_calls"
    tool_calls: list[ToolCallDelta] | None = None


class UnknownStepDetailsDelta(WireModel):
    type: str | None = None


StepDetailsDelta = Annotated[
    Annotated[MessageCreationDetailsDelta, Tag("message_creation")]
    | Annotated[ToolCallsDetailsDelta, Tag("tool_calls")]
    | Annotated[UnknownStepDetailsDelta, Tag(UNKNOWN_TAG)],
    Discriminator(type_discriminator(["message_creation", "tool_calls"])),
]


class RunStepDeltaBody(WireModel):
    step_details: StepDetailsDelta | None = None


class RunStepDelta(WireModel):
    """``object: "thread.run.step.delta"``."""

    id: str
    object: Literal["thread.run.step.delta"] = "thread.run.step.delta"
    delta: RunStepDeltaBody = Field(default_factory=RunStepDeltaBody)
