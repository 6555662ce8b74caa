"""Discriminated unions on ``type`` that never reject an unknown variant.

The Assistants protocol grew new variants over time (``refusal``, ``image_url``, Foundry's
``bing_grounding``…). A plain pydantic discriminated union raises on a tag it does not
know; we route unknown tags to an ``Unknown*`` class instead, which keeps every field.
A callable discriminator is a dict lookup, so parsing stays as fast as a plain union.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

UNKNOWN_TAG = "__unknown__"


def type_discriminator(known: Iterable[str], key: str = "type") -> Callable[[Any], str]:
    """Return a pydantic discriminator function mapping unknown tags to ``UNKNOWN_TAG``.

    Works on raw dicts (validation) and on model instances (serialisation).
    """
    known_tags = frozenset(known)

    def discriminate(value: Any) -> str:
        if isinstance(value, dict):
            tag = value.get(key)
        else:
            tag = getattr(value, key, None)
        if isinstance(tag, str) and tag in known_tags:
            return tag
        return UNKNOWN_TAG

    return discriminate
