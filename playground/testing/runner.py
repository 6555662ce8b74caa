"""Run cases: new thread, post each user turn, run it with the driver, answer tool calls,
read back what happened, evaluate the checks.

The same :class:`~playground.runs.RunDriver` the chat uses follows every run, so a suite
exercises streaming, polling and ``requires_action`` exactly as a person's chat does. Runs
go one after the other: a suite measures each run's duration, and parallel runs against one
local model would distort it.

Connection failures (:class:`~playground.api.APIConnectionError`) and an assistant that does
not exist end the whole suite (the caller reports them as a setup problem); anything else
that goes wrong in a case is recorded on that case and the suite goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from playground.api import (
    APIConnectionError,
    AssistantsClient,
    AssistantsError,
    NotFoundError,
)
from playground.protocol import Assistant, FunctionTool, ToolOutput
from playground.runs import (
    RequiresAction,
    RunDriver,
    RunDriverError,
    RunEvent,
    RunFailed,
    RunIncomplete,
    ToolOutputsError,
)

from .checks import evaluate
from .errors import NoToolOutputError, TestingError
from .observed import RunObservation, read_observation
from .results import CaseRun, SuiteReport, TurnResult
from .suite import Case, Suite
from .tool_answers import CannedOutputs, ToolAnswers, ToolAnswerSource

Clock = Callable[[], float]
Progress = Callable[[int, int, CaseRun], None]
EventSink = Callable[[RunEvent], None]


class UnknownAssistantError(TestingError):
    """A target assistant id does not exist on the server."""


@dataclass(frozen=True)
class TurnOutcome:
    observation: RunObservation | None
    error: str = ""

    @property
    def run_id(self) -> str:
        return self.observation.run_id if self.observation else ""


def function_schemas(assistant: Assistant) -> dict[str, dict[str, Any] | None]:
    """The assistant's function names → parameter schemas (what calls are checked against)."""
    return {
        tool.function.name: tool.function.parameters
        for tool in assistant.tools
        if isinstance(tool, FunctionTool)
    }


async def run_turn(
    client: AssistantsClient,
    driver: RunDriver,
    thread_id: str,
    assistant_id: str,
    user_text: str,
    answers: ToolAnswers,
    *,
    clock: Clock = time.monotonic,
    overrides: Mapping[str, Any] | None = None,
    on_event: EventSink | None = None,
) -> TurnOutcome:
    """Post ``user_text``, run the assistant on the thread and follow the run to its end.

    ``overrides`` are CreateRun fields (model, instructions, temperature, top_p, tools,
    response_format): how a comparison tries a variant without changing the assistant.
    """
    await client.messages.create(thread_id, {"role": "user", "content": user_text})
    started = clock()
    session = await driver.create_run(thread_id, assistant_id, **dict(overrides or {}))
    failure = error = ""
    try:
        async for event in session.events():
            if on_event is not None:
                on_event(event)
            match event:
                case RequiresAction(tool_calls=calls):
                    try:
                        outputs = [
                            ToolOutput(
                                tool_call_id=call.id,
                                output=await answers.output(
                                    assistant_id, call.function.name, call.function.arguments
                                ),
                            )
                            for call in calls
                        ]
                    except NoToolOutputError as exc:
                        error = exc.message
                        await session.cancel()
                        continue
                    await session.submit_tool_outputs(outputs)
                case RunFailed(reason=reason) | RunIncomplete(reason=reason):
                    failure = reason
                case _:
                    pass
    except (RunDriverError, ToolOutputsError) as exc:
        error = str(exc)
    duration = clock() - started
    run = session.run
    if run is None:
        return TurnOutcome(None, error or "The run was not created.")
    observation = await read_observation(client, run, duration, failure)
    return TurnOutcome(observation, error)


class SuiteRunner:
    """Runs a suite against assistants; ``extra_sources`` answer calls the case does not."""

    def __init__(
        self,
        client: AssistantsClient,
        driver: RunDriver,
        *,
        extra_sources: Sequence[ToolAnswerSource] = (),
        clock: Clock = time.monotonic,
        wall_clock: Clock = time.time,
    ) -> None:
        self.client = client
        self.driver = driver
        self._extra = list(extra_sources)
        self._clock = clock
        self._wall_clock = wall_clock

    async def resolve(self, assistant_ids: Sequence[str]) -> list[Assistant]:
        """Fetch the targets up front so a typo fails before any run starts."""
        found: list[Assistant] = []
        for assistant_id in assistant_ids:
            try:
                found.append(await self.client.assistants.retrieve(assistant_id))
            except NotFoundError:
                raise UnknownAssistantError(
                    f"There is no assistant {assistant_id} on this connection."
                ) from None
        return found

    async def run(
        self,
        suite: Suite,
        assistant_ids: Sequence[str],
        *,
        repeat: int | None = None,
        on_progress: Progress | None = None,
    ) -> SuiteReport:
        if not assistant_ids:
            raise TestingError(
                "No assistant to test: name one (--assistant ID) or list them in the suite."
            )
        assistants = await self.resolve(assistant_ids)
        times = repeat or suite.repeat
        report = SuiteReport(suite=suite.name, started_at=self._wall_clock())
        total = len(assistants) * len(suite.cases) * times
        for assistant in assistants:
            schemas = function_schemas(assistant)
            for case in suite.cases:
                for k in range(1, times + 1):
                    case_run = await self.run_case(case, assistant, schemas, k)
                    report.runs.append(case_run)
                    if on_progress is not None:
                        on_progress(len(report.runs), total, case_run)
        report.finished_at = self._wall_clock()
        return report

    async def run_case(
        self,
        case: Case,
        assistant: Assistant,
        schemas: Mapping[str, dict[str, Any] | None],
        repeat: int,
    ) -> CaseRun:
        answers = ToolAnswers(CannedOutputs(case.tool_outputs), *self._extra)
        name = assistant.name or assistant.id
        turns: list[TurnResult] = []
        thread_id = ""
        try:
            thread = await self.client.threads.create()
            thread_id = thread.id
            for turn in case.turns:
                outcome = await run_turn(
                    self.client,
                    self.driver,
                    thread_id,
                    assistant.id,
                    turn.user,
                    answers,
                    clock=self._clock,
                )
                checks: tuple = ()
                if outcome.observation is not None:
                    checks = tuple(evaluate(c, outcome.observation, schemas) for c in turn.checks)
                turns.append(TurnResult(turn.user, outcome.observation, checks, outcome.error))
                if outcome.error or (
                    outcome.observation is not None and outcome.observation.status != "completed"
                ):
                    break  # later turns would talk to a thread in an unknown state
        except APIConnectionError:
            raise
        except AssistantsError as exc:
            return CaseRun(
                assistant.id, name, case.name, repeat, tuple(turns), thread_id, exc.message
            )
        skipped = len(case.turns) - len(turns)
        error = (
            f"{skipped} later turn(s) not run because this one did not complete." if skipped else ""
        )
        return CaseRun(assistant.id, name, case.name, repeat, tuple(turns), thread_id, error)
