"""Folding stream deltas into snapshots, following the SDK's ``accumulate_delta`` rules.

Rules (wire reference §5.4): strings concatenate, numbers add, dicts merge recursively,
lists of dicts merge element-wise by each element's ``index`` (a new index appends),
lists of scalars extend; ``type`` is overwritten, never merged; a ``null`` in the
snapshot is replaced and a ``null`` in the delta changes nothing. Unlike the SDK we drop
the ``index`` bookkeeping key from merged list elements, so a finished snapshot equals
the object the server reports in ``*.completed``.

These are pure functions over plain dicts plus thin typed wrappers; they never mutate
their inputs.
"""

from __future__ import annotations

import copy
from typing import Any

from .base import to_wire
from .deltas import MessageDelta, RunStepDelta
from .message import Message
from .run_step import RunStep


def _without_index(value: Any) -> Any:
    """A deep copy of a fresh delta value with ``index`` removed from list elements."""
    if isinstance(value, dict):
        return {k: _without_index(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip_entry(v) for v in value]
    return value


def _strip_entry(entry: Any) -> Any:
    if isinstance(entry, dict):
        return {k: _without_index(v) for k, v in entry.items() if k != "index"}
    return _without_index(entry)


def _merge_list(acc: list[Any], delta: list[Any]) -> list[Any]:
    indexed = all(isinstance(e, dict) and isinstance(e.get("index"), int) for e in delta)
    if not indexed or (acc and all(not isinstance(a, dict) for a in acc)):
        # Lists of scalars (or un-indexed entries) are extended, as the SDK does.
        return acc + [_without_index(e) for e in delta]
    for entry in delta:
        position = entry["index"]
        if 0 <= position < len(acc) and isinstance(acc[position], dict):
            acc[position] = _accumulate(
                acc[position], {k: v for k, v in entry.items() if k != "index"}
            )
        else:
            acc.append(_strip_entry(entry))
    return acc


def _accumulate(acc: dict[str, Any], delta: dict[str, Any]) -> dict[str, Any]:
    for key, new in delta.items():
        old = acc.get(key)
        if key not in acc or old is None:
            acc[key] = _without_index(new)
        elif new is None:
            continue
        elif key == "type":
            acc[key] = new
        elif isinstance(old, bool) or isinstance(new, bool):
            acc[key] = new
        elif isinstance(old, str) and isinstance(new, str):
            acc[key] = old + new
        elif isinstance(old, int | float) and isinstance(new, int | float):
            acc[key] = old + new
        elif isinstance(old, dict) and isinstance(new, dict):
            acc[key] = _accumulate(old, new)
        elif isinstance(old, list) and isinstance(new, list):
            acc[key] = _merge_list(old, new)
        else:
            acc[key] = _without_index(new)
    return acc


def accumulate_delta(snapshot: dict[str, Any], delta: dict[str, Any]) -> dict[str, Any]:
    """Return ``snapshot`` with ``delta`` folded in; neither input is modified."""
    return _accumulate(copy.deepcopy(snapshot), delta)


def apply_message_delta(message: Message | None, delta: MessageDelta) -> Message:
    """Fold a ``thread.message.delta`` into the message snapshot.

    ``message`` is the object from ``thread.message.created`` (or the previous result);
    ``None`` starts from an empty message with the delta's id, for servers that stream
    deltas before (or without) ``created``.
    """
    if message is None:
        snapshot: dict[str, Any] = {"id": delta.id, "object": "thread.message", "content": []}
    else:
        snapshot = to_wire(message)
    merged = _accumulate(snapshot, to_wire(delta.delta))
    return Message.model_validate(merged)


def apply_step_delta(step: RunStep, delta: RunStepDelta) -> RunStep:
    """Fold a ``thread.run.step.delta`` into the step snapshot from ``*.created``."""
    merged = _accumulate(to_wire(step), to_wire(delta.delta))
    return RunStep.model_validate(merged)
