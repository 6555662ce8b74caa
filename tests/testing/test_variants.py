"""Capture, compare and replay against the real runtime (scripted model)."""

from __future__ import annotations

from playground.testing.capture import capture_thread
from playground.testing.diff import diff_turn
from playground.testing.runner import run_turn
from playground.testing.suite import CannedOutput, FunctionCalled, RunCompletedCheck
from playground.testing.tool_answers import CannedOutputs, ToolAnswers
from playground.testing.variants import Variant, compare, replay
from tests.helpers.scripted_llm import text, tool_calls
from tests.helpers.weather_tool import WEATHER

from .conftest import Rig

OSLO = {"city": "Oslo", "unit": "celsius"}


def _system(request: dict) -> str:
    return " ".join(str(m.get("content")) for m in request["messages"] if m["role"] == "system")


async def test_two_variants_run_at_once_in_their_own_threads_with_their_settings(
    rig: Rig,
) -> None:
    assistant = await rig.client.assistants.create(
        {"model": "scripted-model", "name": "C", "instructions": "Be plain."}
    )
    variants = [
        Variant("As saved", assistant.id),
        Variant(
            "Pirate", assistant.id, {"instructions": "Talk like a pirate.", "temperature": 1.5}
        ),
    ]
    asked = len(rig.llm.requests)
    rig.llm.queue(text("Hello."), text("Ahoy!"))
    outcomes = await compare(
        rig.client, rig.driver, variants, "Greet me", lambda i, v: ToolAnswers()
    )
    answers = {o.turns[0].observation.answer for o in outcomes if o.turns[0].observation}
    assert answers == {"Hello.", "Ahoy!"}
    assert outcomes[0].thread_id != outcomes[1].thread_id
    run_ids = [o.turns[0].run_id for o in outcomes]
    runs = [
        await rig.client.runs.retrieve(o.thread_id, r)
        for o, r in zip(outcomes, run_ids, strict=True)
    ]
    assert [r.temperature for r in runs] == [1.0, 1.5]  # the assistant's default, the override
    assert sorted(_system(r) for r in rig.llm.requests[asked:]) == [
        "Be plain.",
        "Talk like a pirate.",
    ]
    # The assistant itself was not changed by the variant.
    assert (await rig.client.assistants.retrieve(assistant.id)).instructions == "Be plain."


async def test_replay_with_a_changed_instruction_reuses_outputs_and_marks_the_difference(
    rig: Rig,
) -> None:
    assistant = await rig.client.assistants.create(
        {"model": "scripted-model", "name": "R", "instructions": "Be plain.", "tools": [WEATHER]}
    )
    thread = await rig.client.threads.create()
    rig.llm.queue(tool_calls(("get_weather", OSLO)), text("It is 5 degrees in Oslo."))
    given = ToolAnswers(CannedOutputs([CannedOutput(function="get_weather", output="5 C")]))
    await run_turn(rig.client, rig.driver, thread.id, assistant.id, "Weather in Oslo?", given)
    await run_turn(rig.client, rig.driver, thread.id, assistant.id, "Thanks", given)

    captured = await capture_thread(rig.client, thread.id)
    assert captured.users == ("Weather in Oslo?", "Thanks")
    case = captured.as_case("From thread")
    assert case.tool_outputs == [CannedOutput(function="get_weather", arguments=OSLO, output="5 C")]
    assert case.turns[0].checks == [RunCompletedCheck(), FunctionCalled(name="get_weather")]

    asked = len(rig.llm.requests)
    rig.llm.queue(tool_calls(("get_weather", OSLO)), text("Arr, 5 degrees in Oslo."))
    outcome = await replay(
        rig.client,
        rig.driver,
        captured,
        Variant("Pirate", assistant.id, {"instructions": "Talk like a pirate."}),
    )
    assert [t.error for t in outcome.turns] == ["", ""]
    assert outcome.thread_id != thread.id
    replayed = [t.observation for t in outcome.turns]
    assert replayed[0] is not None and replayed[0].function_calls[0].output == "5 C"
    assert _system(rig.llm.requests[asked]) == "Talk like a pirate."

    first = diff_turn(captured.users[0], captured.runs[0], replayed[0])
    assert not first.answer_same and first.steps_same and first.calls_same
    assert [p.text for p in first.left if p.tag == "removed" and p.text.strip()] == ["It", "is"]
    assert [p.text for p in first.right if p.tag == "added" and p.text.strip()] == ["Arr,"]
    second = diff_turn(captured.users[1], captured.runs[1], replayed[1])
    assert second.same  # the echo fallback answers "You said: Thanks" both times
