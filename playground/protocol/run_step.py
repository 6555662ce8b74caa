"""The run step object: message creation or tool calls, with their outputs."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Discriminator, Field, Tag

from .base import WireModel
from .common import LastError, Metadata, Usage
from .statuses import RunStepStatus
from .tools import RankingOptions
from .unions import UNKNOWN_TAG, type_discriminator

# --- code interpreter outputs -------------------------------------------------------


class CodeInterpreterLogsOutput(WireModel):
    type: Literal["logs"] = "logs"
    logs: str = ""


class ImageRef(WireModel):
    file_id: str = ""


class CodeInterpreterImageOutput(WireModel):
    type: Literal["image"] = "image"
    image: ImageRef = Field(default_factory=ImageRef)


class UnknownCodeInterpreterOutput(WireModel):
    type: str | None = None


CodeInterpreterOutput = Annotated[
    Annotated[CodeInterpreterLogsOutput, Tag("logs")]
    | Annotated[CodeInterpreterImageOutput, Tag("image")]
    | Annotated[UnknownCodeInterpreterOutput, Tag(UNKNOWN_TAG)],
    Discriminator(type_discriminator(["logs", "image"])),
]


# --- tool calls --------------------------------------------------------------------


class CodeInterpreterCallDetails(WireModel):
    input: str = ""
    outputs: list[CodeInterpreterOutput] = Field(default_factory=list)


class CodeInterpreterToolCall(WireModel):
    id: str = ""
    type: Literal["code_interpreter"] = "code_interpreter"
    code_interpreter: CodeInterpreterCallDetails = Field(default_factory=CodeInterpreterCallDetails)


class FileSearchResultContent(WireModel):
    type: str = "text"
    text: str = ""


class FileSearchResult(WireModel):
    file_id: str = ""
    file_name: str = ""
    score: float = 0.0
    content: list[FileSearchResultContent] | None = None


class FileSearchCallDetails(WireModel):
    """Early v2 and Azure's TypeSpec return ``{}``; later servers add options and results."""

    ranking_options: RankingOptions | None = None
    results: list[FileSearchResult] | None = None


class FileSearchToolCall(WireModel):
    id: str = ""
    type: Literal["file_search"] = "file_search"
    file_search: FileSearchCallDetails = Field(default_factory=FileSearchCallDetails)


class RetrievalToolCall(WireModel):
    """v1 retrieval call (``retrieval: {}``)."""

    id: str = ""
    type: Literal["retrieval"] = "retrieval"
    retrieval: dict[str, object] = Field(default_factory=dict)


class FunctionCallDetails(WireModel):
    """``output`` stays ``null`` until the client submits it."""

    name: str = ""
    arguments: str = ""
    output: str | None = None


class FunctionToolCall(WireModel):
    id: str = ""
    type: Literal["function"] = "function"
    function: FunctionCallDetails = Field(default_factory=FunctionCallDetails)


class _FoundryToolCall(WireModel):
    """Foundry tool calls: ``id`` + ``type``; details ride as extras."""

    id: str = ""


class BingGroundingToolCall(_FoundryToolCall):
    type: Literal["bing_grounding"] = "bing_grounding"


class AzureAISearchToolCall(_FoundryToolCall):
    type: Literal["azure_ai_search"] = "azure_ai_search"


class OpenApiToolCall(_FoundryToolCall):
    type: Literal["openapi"] = "openapi"


class AzureFunctionToolCall(_FoundryToolCall):
    type: Literal["azure_function"] = "azure_function"


class ConnectedAgentToolCall(_FoundryToolCall):
    type: Literal["connected_agent"] = "connected_agent"


class McpToolCall(_FoundryToolCall):
    type: Literal["mcp"] = "mcp"
    name: str | None = None
    arguments: str | None = None
    output: str | None = None
    server_label: str | None = None


class DeepResearchToolCall(_FoundryToolCall):
    type: Literal["deep_research"] = "deep_research"


class UnknownToolCall(WireModel):
    """A tool call type this version does not know; every field is kept."""

    id: str | None = None
    type: str | None = None


TOOL_CALL_TYPES = (
    "code_interpreter",
    "file_search",
    "retrieval",
    "function",
    "bing_grounding",
    "azure_ai_search",
    "openapi",
    "azure_function",
    "connected_agent",
    "mcp",
    "deep_research",
)

ToolCall = Annotated[
    Annotated[CodeInterpreterToolCall, Tag("code_interpreter")]
    | Annotated[FileSearchToolCall, Tag("file_search")]
    | Annotated[RetrievalToolCall, Tag("retrieval")]
    | Annotated[FunctionToolCall, Tag("function")]
    | Annotated[BingGroundingToolCall, Tag("bing_grounding")]
    | Annotated[AzureAISearchToolCall, Tag("azure_ai_search")]
    | Annotated[OpenApiToolCall, Tag("openapi")]
    | Annotated[AzureFunctionToolCall, Tag("azure_function")]
    | Annotated[ConnectedAgentToolCall, Tag("connected_agent")]
    | Annotated[McpToolCall, Tag("mcp")]
    | Annotated[DeepResearchToolCall, Tag("deep_research")]
    | Annotated[UnknownToolCall, Tag(UNKNOWN_TAG)],
    Discriminator(type_discriminator(TOOL_CALL_TYPES)),
]


# --- step details ------------------------------------------------------------------


class MessageCreation(WireModel):
    message_id: str = ""


class MessageCreationDetails(WireModel):
    type: Literal["message_creation"] = "message_creation"
    message_creation: MessageCreation = Field(default_factory=MessageCreation)


class ToolCallsDetails(WireModel):
    type: Literal["tool_calls"] = "tool_calls"
    tool_calls: list[ToolCall] = Field(default_factory=list)


class UnknownStepDetails(WireModel):
    type: str | None = None


StepDetails = Annotated[
    Annotated[MessageCreationDetails, Tag("message_creation")]
    | Annotated[ToolCallsDetails, Tag("tool_calls")]
    | Annotated[UnknownStepDetails, Tag(UNKNOWN_TAG)],
    Discriminator(type_discriminator(["message_creation", "tool_calls"])),
]


class RunStep(WireModel):
    """``object: "thread.run.step"`` (streams also carry ``expires_at``)."""

    id: str
    object: Literal["thread.run.step"] = "thread.run.step"
    created_at: int = 0
    assistant_id: str = ""
    thread_id: str = ""
    run_id: str = ""
    type: str = ""
    status: RunStepStatus | str = "in_progress"
    step_details: StepDetails = Field(default_factory=UnknownStepDetails)
    last_error: LastError | None = None
    expired_at: int | None = None
    cancelled_at: int | None = None
    failed_at: int | None = None
    completed_at: int | None = None
    expires_at: int | None = None
    metadata: Metadata | None = None
    usage: Usage | None = None
