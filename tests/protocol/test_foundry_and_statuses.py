"""Azure AI Foundry extras and status vocabularies."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from playground.protocol import (
    POLL_STOP_RUN_STATUSES,
    AzureAISearchTool,
    BingGroundingTool,
    BingGroundingToolCall,
    ConnectedAgentTool,
    McpTool,
    McpToolCall,
    OpenApiTool,
    RequiredSubmitToolApproval,
    Run,
    RunStatus,
    RunStep,
    ToolCallsDetails,
    is_terminal_run_status,
    to_wire,
)

FOUNDRY_TOOLS: list[tuple[dict[str, Any], type]] = [
    (
        {
            "type": "bing_grounding",
            "bing_grounding": {"search_configurations": [{"connection_id": "conn-1", "count": 5}]},
        },
        BingGroundingTool,
    ),
    ({"type": "azure_ai_search"}, AzureAISearchTool),
    (
        {
            "type": "openapi",
            "openapi": {
                "name": "weather",
                "spec": {"openapi": "3.0.0"},
                "auth": {"type": "anonymous"},
            },
        },
        OpenApiTool,
    ),
    (
        {
            "type": "connected_agent",
            "connected_agent": {"id": "asst_x", "name": "stock", "description": "d"},
        },
        ConnectedAgentTool,
    ),
    (
        {
            "type": "mcp",
            "server_label": "github",
            "server_url": "https://mcp.example",
            "allowed_tools": [],
        },
        McpTool,
    ),
]


@pytest.mark.parametrize(("tool", "cls"), FOUNDRY_TOOLS, ids=[t["type"] for t, _ in FOUNDRY_TOOLS])
def test_foundry_tools_parse_to_named_classes_and_round_trip(
    tool: dict[str, Any], cls: type
) -> None:
    run = Run.model_validate({"id": "run_1", "status": "queued", "tools": [tool]})
    assert type(run.tools[0]) is cls
    assert to_wire(run)["tools"] == [tool]


def test_submit_tool_approval_required_action() -> None:
    run = Run.model_validate(
        {
            "id": "run_1",
            "status": "requires_action",
            "required_action": {
                "type": "submit_tool_approval",
                "submit_tool_approval": {
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "mcp",
                            "name": "search_repos",
                            "arguments": '{"q": "x"}',
                            "server_label": "github",
                        }
                    ]
                },
            },
        }
    )
    action = run.required_action
    assert isinstance(action, RequiredSubmitToolApproval)
    assert action.submit_tool_approval.tool_calls[0].server_label == "github"
    # Approval is not a tool-output request: nothing to answer with outputs.
    assert run.pending_tool_calls == []


def test_foundry_tool_call_in_a_step() -> None:
    step = RunStep.model_validate(
        {
            "id": "step_1",
            "status": "completed",
            "step_details": {
                "type": "tool_calls",
                "tool_calls": [
                    {
                        "id": "c1",
                        "type": "mcp",
                        "name": "n",
                        "arguments": "{}",
                        "output": "ok",
                        "server_label": "s",
                    },
                    {
                        "id": "c2",
                        "type": "bing_grounding",
                        "bing_grounding": {"requesturl": "https://b"},
                    },
                ],
            },
        }
    )
    assert isinstance(step.step_details, ToolCallsDetails)
    mcp, bing = step.step_details.tool_calls
    assert isinstance(mcp, McpToolCall) and mcp.output == "ok"
    assert isinstance(bing, BingGroundingToolCall)
    assert to_wire(step)["step_details"]["tool_calls"][1]["bing_grounding"] == {
        "requesturl": "https://b"
    }


def test_all_nine_run_statuses_and_terminal_set() -> None:
    statuses = set(get_args(RunStatus))
    assert statuses == {
        "queued",
        "in_progress",
        "requires_action",
        "cancelling",
        "cancelled",
        "failed",
        "completed",
        "incomplete",
        "expired",
    }
    terminal = {s for s in statuses if is_terminal_run_status(s)}
    assert terminal == {"cancelled", "failed", "completed", "incomplete", "expired"}
    assert POLL_STOP_RUN_STATUSES == terminal | {"requires_action"}
    for status in statuses:
        assert Run.model_validate({"id": "r", "status": status}).status == status
