"""Request bodies, for both halves: the client builds them, the runtime parses them.

Dump them with :func:`playground.protocol.base.to_body`. Every field is optional except
those the API requires, and only fields the caller set are sent, because ``null`` and
"absent" differ on the wire.

The models carry the API's limits (from :mod:`.limits`), so a client learns about a bad
value before sending and the runtime answers the service's 400. They keep unknown fields
(``extra="allow"``) so the client can pass vendor parameters to a server that knows them;
the runtime, which knows every field it serves, rejects whatever lands in ``model_extra``
(see :mod:`.inbound`). ``v1_fields``/``v2_fields`` name the fields that exist in only one
Assistants version, so a request in the other version is told which one it used.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, AliasChoices, Discriminator, Field, Tag, model_validator

from . import limits
from .base import RequestModel
from .tools import (
    AzureAISearchTool,
    AzureFunctionTool,
    BingCustomSearchTool,
    BingGroundingTool,
    BrowserAutomationTool,
    CodeInterpreterTool,
    ConnectedAgentTool,
    DeepResearchTool,
    FabricDataAgentTool,
    McpTool,
    OpenApiTool,
    RetrievalTool,
    SharepointGroundingTool,
    ToolChoiceFunction,
    UnknownTool,
)
from .unions import UNKNOWN_TAG, type_discriminator

# --- shared field types -----------------------------------------------------------


def check_metadata(value: dict[str, str]) -> dict[str, str]:
    """The API's metadata limits: 16 pairs, keys ≤ 64 and values ≤ 512 characters."""
    if len(value) > limits.MAX_METADATA_PAIRS:
        raise ValueError(
            f"at most {limits.MAX_METADATA_PAIRS} key-value pairs are allowed, got {len(value)}"
        )
    for key, item in value.items():
        if len(key) > limits.MAX_METADATA_KEY:
            raise ValueError(
                f"the key '{key[:20]}…' is longer than {limits.MAX_METADATA_KEY} characters"
            )
        if len(item) > limits.MAX_METADATA_VALUE:
            raise ValueError(
                f"the value of '{key}' is longer than {limits.MAX_METADATA_VALUE} characters"
            )
    return value


#: ``map<string,string>`` within the API's limits.
MetadataInput = Annotated[dict[str, str], AfterValidator(check_metadata)]
Temperature = Annotated[float, Field(ge=0, le=limits.MAX_TEMPERATURE)]
TopP = Annotated[float, Field(ge=0, le=limits.MAX_TOP_P)]
TokenBudget = Annotated[int, Field(ge=limits.MIN_TOKEN_BUDGET)]
Instructions = Annotated[str, Field(max_length=limits.MAX_INSTRUCTIONS)]
FileIds = Annotated[list[Annotated[str, Field(min_length=1)]], Field()]


# --- tools ------------------------------------------------------------------------


class FunctionDefinitionInput(RequestModel):
    """A function definition; the name follows the API's pattern (``^[a-zA-Z0-9_-]{1,64}$``)."""

    name: Annotated[str, Field(pattern=limits.FUNCTION_NAME_PATTERN)]
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class FunctionToolInput(RequestModel):
    type: Literal["function"] = "function"
    function: FunctionDefinitionInput


class RankingOptionsInput(RequestModel):
    ranker: Literal["auto", "default_2024_08_21"] | None = None
    score_threshold: Annotated[float, Field(ge=0, le=1)] | None = None


class FileSearchOptionsInput(RequestModel):
    max_num_results: (
        Annotated[int, Field(ge=limits.MIN_FILE_SEARCH_RESULTS, le=limits.MAX_FILE_SEARCH_RESULTS)]
        | None
    ) = None
    ranking_options: RankingOptionsInput | None = None


class FileSearchToolInput(RequestModel):
    type: Literal["file_search"] = "file_search"
    file_search: FileSearchOptionsInput | None = None


#: Tool types the OpenAI API defines (v2 first, then v1's ``retrieval``).
OPENAI_TOOL_TYPES = ("code_interpreter", "file_search", "function", "retrieval")

_TOOL_INPUTS: dict[str, Any] = {
    "code_interpreter": CodeInterpreterTool,
    "retrieval": RetrievalTool,
    "file_search": FileSearchToolInput,
    "function": FunctionToolInput,
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

ToolInput = Annotated[
    Annotated[CodeInterpreterTool, Tag("code_interpreter")]
    | Annotated[RetrievalTool, Tag("retrieval")]
    | Annotated[FileSearchToolInput, Tag("file_search")]
    | Annotated[FunctionToolInput, Tag("function")]
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
    Discriminator(type_discriminator(_TOOL_INPUTS)),
]
"""A tool in a request; Foundry types pass through for Foundry servers."""


# --- tool resources ---------------------------------------------------------------


class StaticChunkingInput(RequestModel):
    max_chunk_size_tokens: Annotated[int, Field(ge=100, le=4096)]
    chunk_overlap_tokens: Annotated[int, Field(ge=0)]

    @model_validator(mode="after")
    def _overlap_at_most_half(self) -> StaticChunkingInput:
        if self.chunk_overlap_tokens > self.max_chunk_size_tokens // 2:
            raise ValueError("chunk_overlap_tokens must not exceed half of max_chunk_size_tokens")
        return self


class ChunkingStrategyInput(RequestModel):
    """``{"type": "auto"}`` or ``{"type": "static", "static": {...}}``."""

    type: Literal["auto", "static"] = "auto"
    static: StaticChunkingInput | None = None

    @model_validator(mode="after")
    def _static_needs_sizes(self) -> ChunkingStrategyInput:
        if self.type == "static" and self.static is None:
            raise ValueError("a static chunking strategy needs 'static'")
        return self


class CodeInterpreterResourcesInput(RequestModel):
    file_ids: Annotated[FileIds, Field(max_length=limits.MAX_CODE_INTERPRETER_FILES)] | None = None


class VectorStoreSpecInput(RequestModel):
    """A vector store created inline with an assistant or thread."""

    file_ids: Annotated[FileIds, Field(max_length=limits.MAX_VECTOR_STORE_FILES)] | None = None
    chunking_strategy: ChunkingStrategyInput | None = None
    metadata: MetadataInput | None = None


class FileSearchResourcesInput(RequestModel):
    vector_store_ids: (
        Annotated[FileIds, Field(max_length=limits.MAX_VECTOR_STORES_PER_OBJECT)] | None
    ) = None


class FileSearchResourcesCreateInput(FileSearchResourcesInput):
    """Create form: either existing ``vector_store_ids`` or inline ``vector_stores``."""

    vector_stores: (
        Annotated[list[VectorStoreSpecInput], Field(max_length=limits.MAX_VECTOR_STORES_PER_OBJECT)]
        | None
    ) = None

    @model_validator(mode="after")
    def _one_of(self) -> FileSearchResourcesCreateInput:
        if self.vector_store_ids is not None and self.vector_stores is not None:
            raise ValueError("send only one of 'vector_store_ids' and 'vector_stores'")
        return self


class ToolResourcesInput(RequestModel):
    code_interpreter: CodeInterpreterResourcesInput | None = None
    file_search: FileSearchResourcesInput | None = None


class ToolResourcesCreateInput(RequestModel):
    code_interpreter: CodeInterpreterResourcesInput | None = None
    file_search: FileSearchResourcesCreateInput | None = None


# --- response format, tool choice, truncation ---------------------------------------


class JsonSchemaInput(RequestModel):
    name: Annotated[str, Field(pattern=limits.FUNCTION_NAME_PATTERN)]
    description: str | None = None
    # ``schema`` would shadow a BaseModel attribute, so the field lives under an alias
    # (``schema_`` first, so a response-side JsonSchemaFormat converts by attribute).
    schema_: dict[str, Any] | None = Field(
        default=None,
        validation_alias=AliasChoices("schema_", "schema"),
        serialization_alias="schema",
    )
    strict: bool | None = None


class ResponseFormatTextInput(RequestModel):
    type: Literal["text"] = "text"


class ResponseFormatJsonObjectInput(RequestModel):
    type: Literal["json_object"] = "json_object"


class ResponseFormatJsonSchemaInput(RequestModel):
    type: Literal["json_schema"] = "json_schema"
    json_schema: JsonSchemaInput


ResponseFormatInput = Annotated[
    ResponseFormatTextInput | ResponseFormatJsonObjectInput | ResponseFormatJsonSchemaInput,
    Field(discriminator="type"),
]
#: ``"auto"`` or one of the format objects.
ResponseFormatOptionInput = Literal["auto"] | ResponseFormatInput


class ToolChoiceObjectInput(RequestModel):
    """Force one tool: ``{"type": "function", "function": {"name"}}`` or a built-in type."""

    type: str
    function: ToolChoiceFunction | None = None


ToolChoiceOptionInput = Literal["none", "auto", "required"] | ToolChoiceObjectInput


class TruncationStrategyInput(RequestModel):
    type: Literal["auto", "last_messages"]
    last_messages: Annotated[int, Field(ge=1)] | None = None


# --- messages ----------------------------------------------------------------------


class TextInput(RequestModel):
    """Request form of a text part: ``text`` is a plain string here."""

    type: Literal["text"] = "text"
    text: str


ImageDetail = Literal["auto", "low", "high"]


class ImageFileRef(RequestModel):
    file_id: Annotated[str, Field(min_length=1)]
    detail: ImageDetail | None = None


class ImageUrlRef(RequestModel):
    url: Annotated[str, Field(min_length=1)]
    detail: ImageDetail | None = None


class ImageFileInput(RequestModel):
    type: Literal["image_file"] = "image_file"
    image_file: ImageFileRef


class ImageUrlInput(RequestModel):
    type: Literal["image_url"] = "image_url"
    image_url: ImageUrlRef


class UnknownInput(RequestModel):
    type: str | None = None


MessageContentInput = Annotated[
    Annotated[TextInput, Tag("text")]
    | Annotated[ImageFileInput, Tag("image_file")]
    | Annotated[ImageUrlInput, Tag("image_url")]
    | Annotated[UnknownInput, Tag(UNKNOWN_TAG)],
    Discriminator(type_discriminator(["text", "image_file", "image_url"])),
]


class AttachmentToolInput(RequestModel):
    type: Literal["code_interpreter", "file_search"]


class AttachmentInput(RequestModel):
    file_id: Annotated[str, Field(min_length=1)]
    tools: list[AttachmentToolInput] | None = None


class CreateMessage(RequestModel):
    """``POST /threads/{id}/messages``; also thread messages and run ``additional_messages``."""

    v1_fields: ClassVar[frozenset[str]] = frozenset({"file_ids"})
    v2_fields: ClassVar[frozenset[str]] = frozenset({"attachments"})

    role: Literal["user", "assistant"]
    content: str | Annotated[list[MessageContentInput], Field(min_length=1)]
    attachments: list[AttachmentInput] | None = None
    file_ids: Annotated[FileIds, Field(max_length=limits.MAX_V1_MESSAGE_FILES)] | None = None
    metadata: MetadataInput | None = None


class ModifyMessage(RequestModel):
    metadata: MetadataInput | None = None


# --- assistants --------------------------------------------------------------------


class _AssistantFields(RequestModel):
    v1_fields: ClassVar[frozenset[str]] = frozenset({"file_ids"})
    v2_fields: ClassVar[frozenset[str]] = frozenset({"tool_resources"})

    name: Annotated[str, Field(max_length=limits.MAX_ASSISTANT_NAME)] | None = None
    description: Annotated[str, Field(max_length=limits.MAX_ASSISTANT_DESCRIPTION)] | None = None
    instructions: Instructions | None = None
    reasoning_effort: Literal["low", "medium", "high", "minimal"] | None = None
    tools: Annotated[list[ToolInput], Field(max_length=limits.MAX_ASSISTANT_TOOLS)] | None = None
    file_ids: Annotated[FileIds, Field(max_length=limits.MAX_CODE_INTERPRETER_FILES)] | None = None
    metadata: MetadataInput | None = None
    temperature: Temperature | None = None
    top_p: TopP | None = None
    response_format: ResponseFormatOptionInput | None = None


class CreateAssistant(_AssistantFields):
    """``POST /assistants``: ``model`` is required (Azure: the deployment name)."""

    model: Annotated[str, Field(min_length=1)]
    tool_resources: ToolResourcesCreateInput | None = None


class ModifyAssistant(_AssistantFields):
    """``POST /assistants/{id}``: only supplied fields change; lists are replaced."""

    model: Annotated[str, Field(min_length=1)] | None = None
    tool_resources: ToolResourcesInput | None = None


class CreateAssistantFile(RequestModel):
    """v1 ``POST /assistants/{id}/files``."""

    file_id: Annotated[str, Field(min_length=1)]


# --- threads -----------------------------------------------------------------------


class CreateThread(RequestModel):
    v2_fields: ClassVar[frozenset[str]] = frozenset({"tool_resources"})

    messages: list[CreateMessage] | None = None
    tool_resources: ToolResourcesCreateInput | None = None
    metadata: MetadataInput | None = None


class ModifyThread(RequestModel):
    v2_fields: ClassVar[frozenset[str]] = frozenset({"tool_resources"})

    tool_resources: ToolResourcesInput | None = None
    metadata: MetadataInput | None = None


# --- runs --------------------------------------------------------------------------


class _RunFields(RequestModel):
    assistant_id: Annotated[str, Field(min_length=1)]
    model: str | None = None
    instructions: Instructions | None = None
    tools: Annotated[list[ToolInput], Field(max_length=limits.MAX_RUN_TOOLS)] | None = None
    metadata: MetadataInput | None = None
    temperature: Temperature | None = None
    top_p: TopP | None = None
    stream: bool | None = None
    max_prompt_tokens: TokenBudget | None = None
    max_completion_tokens: TokenBudget | None = None
    truncation_strategy: TruncationStrategyInput | None = None
    tool_choice: ToolChoiceOptionInput | None = None
    parallel_tool_calls: bool | None = None
    response_format: ResponseFormatOptionInput | None = None


class CreateRun(_RunFields):
    """``POST /threads/{id}/runs`` (``include[]`` is a query parameter, not here)."""

    reasoning_effort: Literal["low", "medium", "high", "minimal"] | None = None
    additional_instructions: Instructions | None = None
    additional_messages: list[CreateMessage] | None = None


class CreateThreadAndRun(_RunFields):
    """``POST /threads/runs``."""

    v2_fields: ClassVar[frozenset[str]] = frozenset({"tool_resources"})

    thread: CreateThread | None = None
    tool_resources: ToolResourcesInput | None = None


class ModifyRun(RequestModel):
    metadata: MetadataInput | None = None


class ToolOutput(RequestModel):
    """The answer to one pending call; ``output`` is a string (serialise JSON yourself)."""

    tool_call_id: str
    output: str = ""


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


class ExpiresAfterInput(RequestModel):
    """Expire ``days`` (1-365) after the ``anchor`` (only ``last_active_at``)."""

    anchor: Literal["last_active_at"]
    days: Annotated[int, Field(ge=1, le=365)]


def check_attributes(value: dict[str, str | float | bool]) -> dict[str, str | float | bool]:
    """The spec's limits on file attributes: 64-character keys, 512-character strings."""
    for key, item in value.items():
        if len(key) > limits.MAX_ATTRIBUTE_KEY:
            raise ValueError(
                f"attribute keys may be at most {limits.MAX_ATTRIBUTE_KEY} characters; "
                f"'{key[:20]}…' has {len(key)}"
            )
        if isinstance(item, str) and len(item) > limits.MAX_ATTRIBUTE_STRING:
            raise ValueError(
                f"attribute '{key}' is {len(item)} characters long; string values may be at "
                f"most {limits.MAX_ATTRIBUTE_STRING}"
            )
    return value


Attributes = Annotated[
    dict[str, str | float | bool],
    Field(max_length=limits.MAX_ATTRIBUTE_PAIRS),
    AfterValidator(check_attributes),
]


class CreateVectorStore(RequestModel):
    file_ids: Annotated[FileIds, Field(max_length=limits.MAX_VECTOR_STORE_BATCH_FILES)] | None = (
        None
    )
    name: str | None = None
    expires_after: ExpiresAfterInput | None = None
    chunking_strategy: ChunkingStrategyInput | None = None
    metadata: MetadataInput | None = None


class ModifyVectorStore(RequestModel):
    name: str | None = None
    expires_after: ExpiresAfterInput | None = None
    metadata: MetadataInput | None = None


class CreateVectorStoreFile(RequestModel):
    file_id: Annotated[str, Field(min_length=1)]
    chunking_strategy: ChunkingStrategyInput | None = None
    attributes: Attributes | None = None


class CreateVectorStoreFileBatch(RequestModel):
    file_ids: Annotated[
        FileIds, Field(min_length=1, max_length=limits.MAX_VECTOR_STORE_BATCH_FILES)
    ]
    chunking_strategy: ChunkingStrategyInput | None = None
    attributes: Attributes | None = None


class ModifyVectorStoreFile(RequestModel):
    """``POST /vector_stores/{id}/files/{file_id}``: replace the file's attributes."""

    attributes: Attributes | None


class ComparisonFilterInput(RequestModel):
    """Compare one file attribute with a value (``eq``, ``ne``, ``gt``, ``gte``, ``lt``, ``lte``)."""

    type: Literal["eq", "ne", "gt", "gte", "lt", "lte"] = "eq"
    key: str
    value: str | float | bool


class CompoundFilterInput(RequestModel):
    """``and``/``or`` over comparison filters or further compound filters."""

    type: Literal["and", "or"]
    filters: list[ComparisonFilterInput | CompoundFilterInput]


class SearchRankingOptionsInput(RequestModel):
    ranker: Literal["auto", "default-2024-11-15"] | None = None
    score_threshold: Annotated[float, Field(ge=0, le=1)] | None = None


def _filter_kind(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return "compound" if kind in ("and", "or") else "comparison"


SearchFilter = Annotated[
    Annotated[ComparisonFilterInput, Tag("comparison")]
    | Annotated[CompoundFilterInput, Tag("compound")],
    Discriminator(_filter_kind),
]


class SearchVectorStore(RequestModel):
    """``POST /vector_stores/{id}/search``: one query or several, filtered by file attributes."""

    query: str | Annotated[list[str], Field(min_length=1)]
    rewrite_query: bool | None = None
    max_num_results: (
        Annotated[int, Field(ge=limits.MIN_FILE_SEARCH_RESULTS, le=limits.MAX_FILE_SEARCH_RESULTS)]
        | None
    ) = None
    filters: SearchFilter | None = None
    ranking_options: SearchRankingOptionsInput | None = None
