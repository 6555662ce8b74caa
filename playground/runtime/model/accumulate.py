"""Folding a stream of chunks into one finished model turn."""

from __future__ import annotations

from dataclasses import dataclass, field

from playground.runtime.model.types import ChatChunk, Usage


@dataclass
class ToolCall:
    """A complete tool call the model asked for."""

    id: str
    name: str
    arguments: str


@dataclass
class _PartialCall:
    id: str | None = None
    name: str = ""
    arguments: list[str] = field(default_factory=list)


@dataclass
class ChatTurn:
    """Accumulates chunks; tool-call fragments are joined by their ``index``.

    Some servers repeat the name on every fragment, others send it once; the name is taken
    once (first non-empty) so both work.
    """

    text_parts: list[str] = field(default_factory=list)
    refusal_parts: list[str] = field(default_factory=list)
    finish_reason: str | None = None
    usage: Usage | None = None
    _calls: dict[int, _PartialCall] = field(default_factory=dict)

    def add(self, chunk: ChatChunk) -> None:
        if chunk.text:
            self.text_parts.append(chunk.text)
        if chunk.refusal:
            self.refusal_parts.append(chunk.refusal)
        for delta in chunk.tool_calls:
            call = self._calls.setdefault(delta.index, _PartialCall())
            if delta.id and not call.id:
                call.id = delta.id
            if delta.name and not call.name:
                call.name = delta.name
            if delta.arguments:
                call.arguments.append(delta.arguments)
        if chunk.finish_reason:
            self.finish_reason = chunk.finish_reason
        if chunk.usage is not None:
            self.usage = chunk.usage

    @property
    def text(self) -> str:
        return "".join(self.text_parts)

    @property
    def refusal(self) -> str:
        return "".join(self.refusal_parts)

    def tool_calls(self) -> list[ToolCall]:
        """The finished calls in index order; calls without an id get ``call_<index>``."""
        calls = []
        for index in sorted(self._calls):
            part = self._calls[index]
            calls.append(
                ToolCall(
                    id=part.id or f"call_{index}",
                    name=part.name,
                    arguments="".join(part.arguments),
                )
            )
        return calls
