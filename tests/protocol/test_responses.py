"""Every object kind the runtime answers with has a protocol model that checks it."""

from __future__ import annotations

import pytest

from playground.protocol.responses import RESPONSE_MODELS, ResponseShapeError, check_response
from playground.protocol.shapes import FIELDS

ASSISTANT = {
    "id": "asst_1",
    "object": "assistant",
    "created_at": 1,
    "name": None,
    "description": None,
    "model": "m",
    "instructions": None,
    "tools": [{"type": "code_interpreter"}],
    "metadata": {},
}


def test_every_shaped_kind_has_a_model() -> None:
    kinds = {kind for table in FIELDS.values() for kind in table}
    assert kinds <= set(RESPONSE_MODELS), kinds - set(RESPONSE_MODELS)


def test_a_fitting_object_passes_unchanged() -> None:
    obj = dict(ASSISTANT)
    assert check_response("assistant", obj) is obj
    assert list(obj) == list(ASSISTANT)  # nothing added, nothing reordered


@pytest.mark.parametrize(
    ("kind", "obj", "where"),
    [
        ("assistant", {**ASSISTANT, "tools": "code_interpreter"}, "tools"),
        ("assistant", {**ASSISTANT, "created_at": "yesterday"}, "created_at"),
        ("message", {"id": "msg_1", "object": "thread.message", "content": {"a": 1}}, "content"),
        ("file", {"id": "file-1", "object": "file", "bytes": "many"}, "bytes"),
    ],
)
def test_a_broken_object_is_refused_with_its_field(kind: str, obj: dict, where: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ResponseShapeError) as caught:
        check_response(kind, obj)
    assert where in str(caught.value) and obj["id"] in str(caught.value)
