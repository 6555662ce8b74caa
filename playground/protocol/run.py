"""The run object and what it asks of the client (``required_action``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Discriminator, Field, Tag

from .base import WireModel
from .common import IncompleteDetails, LastError, Metadata, TruncationStrategy, Usage
from .statuses import RunStatus
from .tools import ResponseFormatOption, Tool, ToolChoiceOption
from .unions import UNKNOWN_TAG, type_discriminator


class FunctionCall(WireModel):
    """The function a run wants called; ``arguments`` is JSON text."""

    name: str = ""
    arguments: str = ""


class RequiredToolCall(WireModel):
    """One pending call in ``submit_tool_outputs.tool_calls``."""

    id: str
    type: str = "function"
    function: FunctionCall = Field(default_factory=FunctionCall)


class SubmitToolOutputsAction(WireModel):
    tool_calls: list[RequiredToolCall] = Field(default_factory=list)


class RequiredSubmitToolOutputs(WireModel):
    """The run waits for outputs of every listed call, in one request."""

    type: Literal["submit_tool_outputs"] = "submit_tool_outputs"
    submit_tool_outputs: SubmitToolOutputsAction = Field(default_factory=SubmitToolOutputsAction)


class ApprovalToolCall(WireModel):
    """A call awaiting the user's approval (Foundry MCP); Foundry's fields ride as extras."""

    id: str
    type: str = "mcp"
    name: str | None = None
    arguments: str | None = None
    server_label: str | None = None


class SubmitToolApprovalAction(WireModel):
    tool_calls: list[ApprovalToolCall] = Field(default_factory=list)


class RequiredSubmitToolApproval(WireModel):
    """Foundry preview: the run waits for approve/deny decisions (``submit_tool_outputs``
    with ``tool_approvals``)."""

    type: Literal["submit_tool_approval"] = "submit_tool_approval"
    submit_tool_approval: SubmitToolApprovalAction = Field(default_factory=SubmitToolApprovalAction)


class UnknownRequiredAction(WireModel):
    """A required action this version does not know; every field is kept."""

    type: str | None = None


RequiredAction = Annotated[
    Annotated[RequiredSubmitToolOutputs, Tag("submit_tool_outputs")]
    | Annotated[RequiredSubmitToolApproval, Tag("submit_tool_approval")]
    | Annotated[UnknownRequiredAction, Tag(UNKNOWN_TAG)],
    Discriminator(type_discriminator(["submit_tool_outputs", "submit_tool_approval"])),
]


class Run(WireModel):
    """``object: "thread.run"``.

    ``status`` is ``RunStatus | str``: the nine known values, or any other string a newer
    server sends (see :mod:`playground.protocol.statuses`). Azure's TypeSpec sends
    ``incomplete_details`` as a bare string, so that is accepted too.
    """

    id: str
    object: Literal["thread.run"] = "thread.run"
    created_at: int = 0
    thread_id: str = ""
    assistant_id: str = ""
    status: RunStatus | str = "queued"
    required_action: RequiredAction | None = None
    last_error: LastError | None = None
    expires_at: int | None = None
    started_at: int | None = None
    cancelled_at: int | None = None
    failed_at: int | None = None
    completed_at: int | None = None
    incomplete_details: IncompleteDetails | str | None = None
    model: str = ""
    instructions: str | None = None
    tools: list[Tool] = Field(default_factory=list)
    file_ids: list[str] | None = None
    metadata: Metadata | None = None
    usage: Usage | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_prompt_tokens: int | None = None
    max_completion_tokens: int | None = None
    truncation_strategy: TruncationStrategy | None = None
    tool_choice: ToolChoiceOption | None = None
    parallel_tool_calls: bool | None = None
    response_format: ResponseFormatOption | None = None

    @property
    def incomplete_reason(self) -> str | None:
        """The incomplete reason whichever shape (object or bare string) it came in."""
        details = self.incomplete_details
        if isinstance(details, str):
            # Azure's TypeSpec examples even send the string "null".
            return None if details == "null" else details
        return details.reason if details is not None else None

    @property
    def pending_tool_calls(self) -> list[RequiredToolCall]:
        """Calls to answer now (empty unless ``requires_action`` with tool outputs)."""
        action = self.required_action
        if isinstance(action, RequiredSubmitToolOutputs):
            return list(action.submit_tool_outputs.tool_calls)
        return []
