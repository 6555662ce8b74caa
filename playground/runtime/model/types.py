"""Plain data passed between the run engine and a model backend.

Kept free of HTTP details so the engine can drive any backend (a Chat Completions server
today, an in-process model later) through the same shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Usage:
    """Token counts of one model call, as the model server reported them."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
        )

    def as_dict(self) -> dict[str, int]:
        """The wire shape used on runs and run steps."""
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
        }


@dataclass(frozen=True)
class ChatRequest:
    """One Chat Completions call: messages in OpenAI chat format plus sampling options."""

    messages: list[dict[str, Any]]
    #: The same conversation with every image as a bracketed note, when ``messages`` holds
    #: images: what a model that cannot take images is sent instead.
    messages_without_images: list[dict[str, Any]] | None = None
    tools: list[dict[str, Any]] = field(default_factory=list)
    tool_choice: str | dict[str, Any] | None = None
    parallel_tool_calls: bool | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    response_format: dict[str, Any] | None = None
    model: str | None = None


@dataclass(frozen=True)
class ToolCallDelta:
    """A fragment of one tool call; ``index`` ties fragments of the same call together."""

    index: int
    id: str | None = None
    name: str | None = None
    arguments: str = ""


@dataclass(frozen=True)
class ChatChunk:
    """One streamed piece of a model answer.

    Any field may be empty: servers send role-only chunks, finish-only chunks and a final
    usage-only chunk (with ``stream_options.include_usage``).
    """

    text: str = ""
    tool_calls: tuple[ToolCallDelta, ...] = ()
    finish_reason: str | None = None
    usage: Usage | None = None
    refusal: str = ""
