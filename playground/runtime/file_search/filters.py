"""File-attribute filters of ``POST /vector_stores/{id}/search``, evaluated on one file.

The filter arrives parsed as the protocol's comparison/compound models. Values are compared
only with values of the same kind (a string with a string, a number with a number, a boolean
with a boolean): ``"10" > 9`` or ``True == 1`` would be Python's answer, not what a person
filtering ``{"year": 2024}`` means. A missing key matches only ``ne``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import assert_never

from playground.protocol.requests import ComparisonFilterInput, CompoundFilterInput


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "str" if isinstance(value, str) else "other"


def _compare(rule: ComparisonFilterInput, attributes: Mapping[str, object]) -> bool:
    if rule.key not in attributes:
        return rule.type == "ne"
    have = attributes[rule.key]
    same_kind = _kind(have) == _kind(rule.value)
    if rule.type == "eq":
        return same_kind and have == rule.value
    if rule.type == "ne":
        return not (same_kind and have == rule.value)
    # Ordering means something for numbers and strings only; booleans never order.
    want = rule.value
    if isinstance(have, str) and isinstance(want, str):
        return _ordered(rule.type, (have > want) - (have < want))
    if _kind(have) == _kind(want) == "number":
        assert isinstance(have, int | float) and isinstance(want, int | float)
        return _ordered(rule.type, (have > want) - (have < want))
    return False


def _ordered(op: str, sign: int) -> bool:
    """``sign`` is -1, 0 or 1 (have below, equal to, above the value)."""
    return {"gt": sign > 0, "gte": sign >= 0, "lt": sign < 0, "lte": sign <= 0}[op]


def matches(
    rule: ComparisonFilterInput | CompoundFilterInput, attributes: Mapping[str, object]
) -> bool:
    """Whether a file with ``attributes`` passes ``rule``."""
    match rule:
        case ComparisonFilterInput():
            return _compare(rule, attributes)
        case CompoundFilterInput(type="and"):
            return all(matches(child, attributes) for child in rule.filters)
        case CompoundFilterInput(type="or"):
            return any(matches(child, attributes) for child in rule.filters)
        case CompoundFilterInput():
            raise AssertionError(f"unknown compound filter {rule.type!r}")
        case _:
            assert_never(rule)
