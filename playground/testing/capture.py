"""Turn an existing thread into a test case (and into the baseline a replay is compared with).

The user messages become the turns, in order; every function output that was given in the
thread becomes a canned output keyed by the function's name and arguments, so a replay
reuses it wherever the same call recurs. Each turn gets starter checks (the run completed,
and each function it called is called again with valid arguments), which a person then
edits in the suite file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from playground.api import AssistantsClient
from playground.protocol import Message, Run

from .observed import RunObservation, read_observation
from .suite import CannedOutput, Case, Check, FunctionCalled, RunCompletedCheck, Turn


@dataclass(frozen=True)
class CapturedThread:
    """The user turns of a thread, each with the run that answered it (if any)."""

    thread_id: str
    users: tuple[str, ...]
    runs: tuple[RunObservation | None, ...]  # aligned with ``users``

    def outputs(self) -> list[CannedOutput]:
        seen: dict[tuple[str, str], CannedOutput] = {}
        for run in self.runs:
            for call in run.function_calls if run else ():
                if call.output is None:
                    continue
                try:
                    arguments = json.loads(call.arguments or "{}")
                except ValueError:
                    arguments = None
                key = (call.name, json.dumps(arguments, sort_keys=True))
                seen.setdefault(
                    key,
                    CannedOutput(
                        function=call.name,
                        arguments=arguments if isinstance(arguments, dict) else None,
                        output=call.output,
                    ),
                )
        return list(seen.values())

    def as_case(self, name: str) -> Case:
        turns: list[Turn] = []
        for user, run in zip(self.users, self.runs, strict=True):
            checks: list[Check] = [RunCompletedCheck()]
            for fn in dict.fromkeys(c.name for c in (run.function_calls if run else ())):
                checks.append(FunctionCalled(name=fn))
            turns.append(Turn(user=user, checks=checks))
        return Case(name=name, turns=turns, tool_outputs=self.outputs())


def _assign(messages: list[Message], runs: list[Run]) -> dict[int, Run]:
    """Which user message (index into the user list) each run answered."""
    users = [m for m in messages if m.role == "user"]
    by_run: dict[int, Run] = {}
    position = {m.id: i for i, m in enumerate(messages)}
    for run in runs:
        produced = [position[m.id] for m in messages if m.run_id == run.id]
        if produced:
            before = [i for i, u in enumerate(users) if position[u.id] < min(produced)]
        else:
            before = [i for i, u in enumerate(users) if u.created_at <= run.created_at]
        if before:
            by_run[before[-1]] = run  # a later run on the same message replaces an earlier
    return by_run


async def capture_thread(client: AssistantsClient, thread_id: str) -> CapturedThread:
    messages = await client.messages.list(thread_id, order="asc").to_list()
    runs = await client.runs.list(thread_id, order="asc").to_list()
    assigned = _assign(messages, runs)
    users = [m.text() for m in messages if m.role == "user"]
    observed: list[RunObservation | None] = []
    for index in range(len(users)):
        run = assigned.get(index)
        if run is None:
            observed.append(None)
            continue
        duration = float((run.completed_at or run.created_at) - run.created_at)
        observed.append(await read_observation(client, run, duration))
    return CapturedThread(thread_id, tuple(users), tuple(observed))
