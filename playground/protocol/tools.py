"""Tool definitions (assistant/run ``tools``) including Azure AI Foundry agent tools.

OpenAI tools are modelled field by field. Foundry tools are named by ``type`` and keep
their configuration as extra fields, because their inner shapes vary by api-version and
the playground only needs to show and round-trip them. Any other ``type`` becomes an
:class:`UnknownTool` that keeps every field.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from .base import WireModel
from .unions import UNKNOWN_TAG, type_discriminator


class FunctionDefinition(WireModel):
    """A callable function: ``parameters`` is a JSON Schema; omitted = no arguments."""

    name: str
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class RankingOptions(WireModel):
    """File-search ranking: which ranker and the minimum relevance score."""

    ranker: str | None = None
    score_threshold: float | None = None


class FileSearchOptions(WireModel):
    """Per-tool file-search overrides."""

    max_num_results: int | None = None
    ranking_options: RankingOptions | None = None


class CodeInterpreterTool(WireModel):
    """Run Python in a sandbox."""

    type: Literal["code_interpreter"] = "code_interpreter"


class RetrievalTool(WireModel):
    """v1 retrieval (renamed ``file_search`` in v2)."""

    type: Literal["retrieval"] = "retrieval"


class FileSearchTool(WireModel):
    """Search attached vector stores."""

    type: Literal["file_search"] = "file_search"
    file_search: FileSearchOptions | None = None


class FunctionTool(WireModel):
    """A function the client executes and answers via ``submit_tool_outputs``."""

    type: Literal["function"] = "function"
    function: FunctionDefinition


class _FoundryTool(WireModel):
    """Common base of Foundry tool types; their configuration rides in extra fields."""


class BingGroundingTool(_FoundryTool):
    type: Literal["bing_grounding"] = "bing_grounding"


class BingCustomSearchTool(_FoundryTool):
    type: Literal["bing_custom_search"] = "bing_custom_search"


class AzureAISearchTool(_FoundryTool):
    type: Literal["azure_ai_search"] = "azure_ai_search"


class OpenApiTool(_FoundryTool):
    type: Literal["openapi"] = "openapi"


class AzureFunctionTool(_FoundryTool):
    type: Literal["azure_function"] = "azure_function"


class ConnectedAgentTool(_FoundryTool):
    type: Literal["connected_agent"] = "connected_agent"


class McpTool(_FoundryTool):
    """Foundry MCP tool; calls may need approval (``submit_tool_approval``)."""

    type: Literal["mcp"] = "mcp"
    server_label: str | None = None
    server_url: str | None = None
    allowed_tools: list[str] | None = None


class SharepointGroundingTool(_FoundryTool):
    type: Literal["sharepoint_grounding"] = "sharepoint_grounding"


class FabricDataAgentTool(_FoundryTool):
    type: Literal["fabric_dataagent"] = "fabric_dataagent"


class DeepResearchTool(_FoundryTool):
    type: Literal["deep_research"] = "deep_research"


class BrowserAutomationTool(_FoundryTool):
    type: Literal["browser_automation"] = "browser_automation"


class UnknownTool(WireModel):
    """A tool type this version does not know; every field is kept."""

    type: str | None = None


TOOL_TYPES: dict[str, type[WireModel]] = {
    "code_interpreter": CodeInterpreterTool,
    "retrieval": RetrievalTool,
    "file_search": FileSearchTool,
    "function": FunctionTool,
    "bing_grounding": BingGroundingTool,
    "bing_custom_search": BingCustomSearchTool,
    "azure_ai_search": AzureAISearchTool,
    "openapi": OpenApiTool,
    "azure_function": AzureFunctionTool,
    "connected_agent": ConnectedAgentTool,
    "mcp": McpTool,
    "sharepoint_grounding": SharepointGroundingTool,
    "fabric_dataagent": FabricDataAgentTool,
    "deep_research": DeepResearchTool,
    "browser_automation": BrowserAutomationTool,
}

Tool = Annotated[
    Annotated[CodeInterpreterTool, Tag("code_interpreter")]
    | Annotated[RetrievalTool, Tag("retrieval")]
    | Annotated[FileSearchTool, Tag("file_search")]
    | Annotated[FunctionTool, Tag("function")]
    | Annotated[BingGroundingTool, Tag("bing_grounding")]
    | Annotated[BingCustomSearchTool, Tag("bing_custom_search")]
    | Annotated[AzureAISearchTool, Tag("azure_ai_search")]
    | Annotated[OpenApiTool, Tag("openapi")]
    | Annotated[AzureFunctionTool, Tag("azure_function")]
    | Annotated[ConnectedAgentTool, Tag("connected_agent")]
    | Annotated[McpTool, Tag("mcp")]
    | Annotated[SharepointGroundingTool, Tag("sharepoint_grounding")]
    | Annotated[FabricDataAgentTool, Tag("fabric_dataagent")]
    | Annotated[DeepResearchTool, Tag("deep_research")]
    | Annotated[BrowserAutomationTool, Tag("browser_automation")]
    | Annotated[UnknownTool, Tag(UNKNOWN_TAG)],
    Discriminator(type_discriminator(TOOL_TYPES)),
]
"""Any tool; unknown ``type`` values validate to :class:`UnknownTool`."""


# --- tool resources ---------------------------------------------------------------


class CodeInterpreterResources(WireModel):
    """Files the code interpreter can read."""

    file_ids: list[str] | None = None


class FileSearchResources(WireModel):
    """Vector stores file search looks in (plain form)."""

    vector_store_ids: list[str] | None = None


class ChunkingStrategy(WireModel):
    """``{"type": "auto"}``, ``{"type": "static", "static": {...}}`` or ``{"type": "other"}``."""

    type: str = "auto"
    static: StaticChunking | None = None


class StaticChunking(WireModel):
    """Fixed chunk size and overlap, in tokens."""

    max_chunk_size_tokens: int
    chunk_overlap_tokens: int


class VectorStoreSpec(WireModel):
    """A vector store created inline with an assistant or thread."""

    file_ids: list[str] | None = None
    chunking_strategy: ChunkingStrategy | None = None
    metadata: dict[str, Any] | None = None


class FileSearchResourcesCreate(FileSearchResources):
    """Create form: either existing ``vector_store_ids`` or inline ``vector_stores``."""

    vector_stores: list[VectorStoreSpec] | None = None


class ToolResources(WireModel):
    """Per-tool resources on an assistant or thread (Foundry adds more keys as extras)."""

    code_interpreter: CodeInterpreterResources | None = None
    file_search: FileSearchResources | None = None


class ToolResourcesCreate(WireModel):
    """Tool resources in create requests, where a vector store may be created inline."""

    code_interpreter: CodeInterpreterResources | None = None
    file_search: FileSearchResourcesCreate | None = None


ChunkingStrategy.model_rebuild()


# --- response format and tool choice ----------------------------------------------


class JsonSchemaFormat(WireModel):
    """A named JSON Schema the model's output must follow."""

    name: str
    description: str | None = None
    # ``schema`` would shadow a BaseModel attribute, so the field lives under an alias.
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    strict: bool | None = None


class ResponseFormatText(WireModel):
    type: Literal["text"] = "text"


class ResponseFormatJsonObject(WireModel):
    type: Literal["json_object"] = "json_object"


class ResponseFormatJsonSchema(WireModel):
    type: Literal["json_schema"] = "json_schema"
    json_schema: JsonSchemaFormat


class UnknownResponseFormat(WireModel):
    """A response format type this version does not know."""

    type: str | None = None


ResponseFormat = Annotated[
    Annotated[ResponseFormatText, Tag("text")]
    | Annotated[ResponseFormatJsonObject, Tag("json_object")]
    | Annotated[ResponseFormatJsonSchema, Tag("json_schema")]
    | Annotated[UnknownResponseFormat, Tag(UNKNOWN_TAG)],
    Discriminator(type_discriminator(["text", "json_object", "json_schema"])),
]

#: ``"auto"`` (a bare string) or one of the format objects.
ResponseFormatOption = str | ResponseFormat


class ToolChoiceFunction(WireModel):
    """Names the function a ``tool_choice`` forces."""

    name: str


class ToolChoiceObject(WireModel):
    """Force one tool: ``{"type": "function", "function": {"name"}}`` or a built-in type."""

    type: str
    function: ToolChoiceFunction | None = None


#: ``"none" | "auto" | "required"`` or a :class:`ToolChoiceObject`.
ToolChoiceOption = str | ToolChoiceObject
