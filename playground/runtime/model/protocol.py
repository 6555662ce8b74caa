"""The interface every model backend implements."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from playground.runtime.model.types import ChatChunk, ChatRequest


class ChatModel(Protocol):
    """Something that answers a chat request as a stream of chunks.

    Implementations raise :class:`~playground.runtime.model.errors.ModelError` for every
    failure (network, HTTP status, malformed answer), and must never block the event loop.
    """

    @property
    def sees_images(self) -> bool | None:
        """Whether images reach the model: True or False once known, None until tried.

        The engine leaves images out of requests (notes instead) for a model that says
        False; a model that does not know sends them and falls back to
        :attr:`ChatRequest.messages_without_images` if its server refuses them.
        """
        ...

    def complete(self, request: ChatRequest) -> AsyncIterator[ChatChunk]:
        """Stream the answer; an ``async def`` generator satisfies this."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...
