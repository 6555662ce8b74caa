"""Model backends for the embedded runtime: the engine talks to a :class:`ChatModel`."""

from playground.runtime.model.accumulate import ChatTurn, ToolCall
from playground.runtime.model.errors import ModelError
from playground.runtime.model.openai_chat import OpenAIChatModel
from playground.runtime.model.protocol import ChatModel
from playground.runtime.model.types import ChatChunk, ChatRequest, ToolCallDelta, Usage

__all__ = [
    "ChatChunk",
    "ChatModel",
    "ChatRequest",
    "ChatTurn",
    "ModelError",
    "OpenAIChatModel",
    "ToolCall",
    "ToolCallDelta",
    "Usage",
]
