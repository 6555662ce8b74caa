"""The response model of each object kind: the runtime checks every object it answers with.

:mod:`.shapes` says which fields a version's objects carry; this module says what those
fields must look like, with the same models the client parses with. A stored object that
no longer fits (a bug, or data written by a future version) is refused at the server with
a plain reason, instead of reaching a client that would fail on it far from the cause.
"""

from __future__ import annotations

from typing import Any, Final

from pydantic import ValidationError

from .assistant import Assistant
from .base import WireModel
from .file import FileObject
from .message import Message
from .run import Run
from .run_step import RunStep
from .thread import Thread
from .vector_store import (
    VectorStore,
    VectorStoreFile,
    VectorStoreFileBatch,
    VectorStoreSearchPage,
)

#: Keyed by :data:`.shapes.Kind`.
RESPONSE_MODELS: Final[dict[str, type[WireModel]]] = {
    "assistant": Assistant,
    "thread": Thread,
    "message": Message,
    "run": Run,
    "step": RunStep,
    "vector_store": VectorStore,
    "vector_store_file": VectorStoreFile,
    "file_batch": VectorStoreFileBatch,
    "file": FileObject,
    "vector_store_search_page": VectorStoreSearchPage,
}


class ResponseShapeError(ValueError):
    """An object the server was about to send does not fit its protocol model."""


def check_response(kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    """Return ``obj`` unchanged if it validates as ``kind``'s model; raise otherwise.

    The dict (not the model's dump) is what goes on the wire, so validation never adds
    defaults or reorders fields the version's shape decided.
    """
    model = RESPONSE_MODELS.get(kind)
    if model is None:
        return obj
    try:
        model.model_validate(obj)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "(object)"
        raise ResponseShapeError(
            f"The {kind} {obj.get('id', '')} does not fit the wire model at {where}: "
            f"{first.get('msg', 'invalid')}"
        ) from None
    return obj


__all__ = ["RESPONSE_MODELS", "ResponseShapeError", "check_response"]
