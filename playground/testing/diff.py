"""Differences between two runs of the same turn: answer text, step sequence, function calls.

Word-level for answers (a changed word stands out; a reflowed paragraph does not),
item-level for steps and calls. Pure data; the replay view renders it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

from .observed import RunObservation

Tag = Literal["same", "removed", "added"]
_TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True, slots=True)
class Piece:
    text: str
    tag: Tag


@dataclass(frozen=True)
class TurnDiff:
    user: str
    left: tuple[Piece, ...]  # the original answer, removed words marked
    right: tuple[Piece, ...]  # the replayed answer, added words marked
    steps_left: tuple[Piece, ...]
    steps_right: tuple[Piece, ...]
    calls_left: tuple[Piece, ...]
    calls_right: tuple[Piece, ...]
    status_left: str
    status_right: str

    @property
    def answer_same(self) -> bool:
        return all(p.tag == "same" for p in self.left + self.right)

    @property
    def steps_same(self) -> bool:
        return all(p.tag == "same" for p in self.steps_left + self.steps_right)

    @property
    def calls_same(self) -> bool:
        return all(p.tag == "same" for p in self.calls_left + self.calls_right)

    @property
    def same(self) -> bool:
        return (
            self.answer_same
            and self.steps_same
            and self.calls_same
            and self.status_left == self.status_right
        )


def _pair(a: list[str], b: list[str]) -> tuple[tuple[Piece, ...], tuple[Piece, ...]]:
    left: list[Piece] = []
    right: list[Piece] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            left += [Piece(t, "same") for t in a[i1:i2]]
            right += [Piece(t, "same") for t in b[j1:j2]]
        else:
            left += [Piece(t, "removed") for t in a[i1:i2]]
            right += [Piece(t, "added") for t in b[j1:j2]]
    return tuple(left), tuple(right)


def _calls(seen: RunObservation | None) -> list[str]:
    return [f"{c.name}({c.arguments})" for c in seen.function_calls] if seen else []


def _steps(seen: RunObservation | None) -> list[str]:
    return (
        [s.label if s.kind != "message_creation" else "message" for s in seen.steps] if seen else []
    )


def diff_turn(user: str, before: RunObservation | None, after: RunObservation | None) -> TurnDiff:
    left, right = _pair(
        _TOKEN.findall(before.answer if before else ""),
        _TOKEN.findall(after.answer if after else ""),
    )
    steps_left, steps_right = _pair(_steps(before), _steps(after))
    calls_left, calls_right = _pair(_calls(before), _calls(after))
    return TurnDiff(
        user,
        left,
        right,
        steps_left,
        steps_right,
        calls_left,
        calls_right,
        before.status if before else "no run",
        after.status if after else "no run",
    )
