"""Comparison and replay, the engine under the window's Compare and Replay views.

A *variant* is an assistant plus run overrides (model, instructions, temperature, top_p,
tools, response format): a "temporary copy" that changes nothing on the server, because
the overrides travel with the run (the protocol's CreateRun fields). Each variant runs in a
new thread of its own, all at once, through the same client and driver as the chat.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from playground.api import AssistantsClient, AssistantsError
from playground.runs import RunDriver, RunEvent

from .capture import CapturedThread
from .runner import Clock, TurnOutcome, run_turn
from .tool_answers import CannedOutputs, ToolAnswers, ToolAnswerSource

#: The run fields a variant may change (CreateRun overrides).
VARIANT_FIELDS = ("model", "instructions", "temperature", "top_p", "tools", "response_format")


@dataclass(frozen=True)
class Variant:
    label: str
    assistant_id: str
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.overrides) - set(VARIANT_FIELDS)
        if unknown:
            raise ValueError(f"a variant cannot change {', '.join(sorted(unknown))}")


@dataclass(frozen=True)
class VariantOutcome:
    variant: Variant
    thread_id: str
    turns: tuple[TurnOutcome, ...]


AnswersFor = Callable[[int, Variant], ToolAnswers]
EventsFor = Callable[[int], Callable[[RunEvent], None] | None]


async def _run_variant(
    client: AssistantsClient,
    driver: RunDriver,
    index: int,
    variant: Variant,
    users: Sequence[str],
    answers: ToolAnswers,
    clock: Clock,
    on_event: Callable[[RunEvent], None] | None,
) -> VariantOutcome:
    thread_id = ""
    turns: list[TurnOutcome] = []
    try:
        thread_id = (await client.threads.create()).id
        for user in users:
            outcome = await run_turn(
                client,
                driver,
                thread_id,
                variant.assistant_id,
                user,
                answers,
                clock=clock,
                overrides=variant.overrides,
                on_event=on_event,
            )
            turns.append(outcome)
            seen = outcome.observation
            if outcome.error or seen is None or seen.status != "completed":
                break
    except AssistantsError as exc:
        turns.append(TurnOutcome(None, exc.message))
    return VariantOutcome(variant, thread_id, tuple(turns))


async def compare(
    client: AssistantsClient,
    driver: RunDriver,
    variants: Sequence[Variant],
    message: str,
    answers_for: AnswersFor,
    *,
    clock: Clock = time.monotonic,
    events_for: EventsFor | None = None,
) -> list[VariantOutcome]:
    """Send ``message`` to every variant at once; results in the order of ``variants``."""
    return list(
        await asyncio.gather(
            *(
                _run_variant(
                    client,
                    driver,
                    i,
                    v,
                    [message],
                    answers_for(i, v),
                    clock,
                    events_for(i) if events_for else None,
                )
                for i, v in enumerate(variants)
            )
        )
    )


async def replay(
    client: AssistantsClient,
    driver: RunDriver,
    captured: CapturedThread,
    variant: Variant,
    *extra: ToolAnswerSource,
    clock: Clock = time.monotonic,
) -> VariantOutcome:
    """Re-send the thread's user messages to ``variant`` in a new thread, answering function
    calls with the outputs given in the original wherever the same call recurs."""
    answers = ToolAnswers(CannedOutputs(captured.outputs()), *extra)
    return await _run_variant(client, driver, 0, variant, captured.users, answers, clock, None)
