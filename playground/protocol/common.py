"""Small shapes shared by several objects: errors, usage, lists, deletions."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import Field

from .base import WireModel

#: ``map<string,string>`` on the wire; responses are read leniently.
Metadata = dict[str, Any]

T = TypeVar("T")


class LastError(WireModel):
    """Why a run, step or vector-store file failed (``code`` is open-ended)."""

    code: str | None = None
    message: str = ""


class Usage(WireModel):
    """Token counts; ``null`` on runs/steps until they finish."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class IncompleteDetails(WireModel):
    """Why a run or message ended ``incomplete``."""

    reason: str | None = None


class TruncationStrategy(WireModel):
    """How the thread is cut to fit the context: ``auto`` or keep ``last_messages``."""

    type: str = "auto"
    last_messages: int | None = None


class DeletedObject(WireModel):
    """``{id, object: "<type>.deleted", deleted}`` (``DELETE /files`` says ``"file"``)."""

    id: str
    object: str = ""
    deleted: bool = True


class ListPage(WireModel, Generic[T]):
    """One page of a cursor list.

    ``first_id``/``last_id`` are optional (empty pages, old ``/files``) and ``has_more``
    defaults to ``False`` so a server that omits it ends pagination instead of looping.
    """

    object: str = "list"
    data: list[T] = Field(default_factory=list)
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool = False
