"""The suite runner against the real runtime with a scripted model: every kind of check,
passing and failing; canned outputs keyed by arguments; a call nobody can answer; repeats."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from playground.testing.reports import html_report, junit_xml, write_report
from playground.testing.results import CaseRun
from playground.testing.runner import SuiteRunner
from playground.testing.suite import Suite, parse_suite
from tests.helpers.scripted_llm import code, text, tool_calls
from tests.helpers.weather_tool import WEATHER

from .conftest import Rig

PLOT_AND_CSV = """
import matplotlib.pyplot as plt
with open('out.csv', 'w') as f:
    f.write('a,b\\n1,2\\n')
plt.plot([1, 2, 3], [3, 1, 2])
plt.show()
"""

TEMP_SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "temp": {"type": "number"}},
    "required": ["city", "temp"],
}
HUMIDITY_SCHEMA = {"type": "object", "required": ["humidity"]}

#: (check, should pass) for the first turn: every kind, passing and failing.
TURN_ONE = [
    ({"type": "function_called", "name": "get_weather", "arguments": {"city": "Oslo"}}, True),
    ({"type": "function_called", "name": "get_weather", "arguments": {"city": "Rome"}}, False),
    ({"type": "function_called", "name": "send_email", "valid_arguments": False}, False),
    ({"type": "function_not_called", "name": "send_email"}, True),
    ({"type": "function_not_called", "name": "get_weather"}, False),
    ({"type": "answer_contains", "text": "oslo", "ignore_case": True}, True),
    ({"type": "answer_contains", "text": "Paris"}, False),
    ({"type": "answer_matches", "pattern": r"\"temp\": \d+"}, True),
    ({"type": "answer_matches", "pattern": "^Sunny"}, False),
    ({"type": "answer_json", "schema": TEMP_SCHEMA}, True),
    ({"type": "answer_json", "schema": HUMIDITY_SCHEMA}, False),
    ({"type": "run_completed"}, True),
    ({"type": "max_seconds", "seconds": 3600}, True),
    ({"type": "max_seconds", "seconds": 1e-9}, False),
    ({"type": "max_tokens", "tokens": 1_000_000}, True),
    ({"type": "max_tokens", "tokens": 1}, False),
    ({"type": "code_image"}, False),
    ({"type": "code_file"}, False),
]
#: The second turn: bad arguments, then the code interpreter makes a chart and a file.
TURN_TWO = [
    ({"type": "function_called", "name": "get_weather"}, False),  # arguments invalid
    ({"type": "function_called", "name": "get_weather", "valid_arguments": False}, True),
    ({"type": "code_image"}, True),
    ({"type": "code_file"}, True),
    ({"type": "answer_json"}, False),
]


def _suite(assistant_id: str) -> Suite:
    data = {
        "name": "Weather <suite>",
        "assistants": [assistant_id],
        "cases": [
            {
                "name": "Oslo & a chart",
                "turns": [
                    {"user": "Weather in Oslo?", "checks": [c for c, _ in TURN_ONE]},
                    {"user": "Plot it", "checks": [c for c, _ in TURN_TWO]},
                ],
                "tool_outputs": [
                    {"function": "get_weather", "output": "unknown city"},
                    {
                        "function": "get_weather",
                        "arguments": {"city": "Oslo"},
                        "output": '{"temp": 5}',
                    },
                ],
            }
        ],
    }
    return parse_suite(json.dumps(data))


async def _assistant(rig: Rig, name: str = "Weather", **extra: object) -> str:
    body = {
        "model": "scripted-model",
        "name": name,
        "tools": [WEATHER, {"type": "code_interpreter"}],
        **extra,
    }
    return (await rig.client.assistants.create(body)).id


async def test_every_check_kind_passes_and_fails_as_expected_and_reports_say_so(
    rig: Rig, tmp_path: Path
) -> None:
    assistant_id = await _assistant(rig)
    rig.llm.queue(
        tool_calls(("get_weather", {"city": "Oslo", "unit": "celsius"})),
        text('{"city": "Oslo", "temp": 5}'),
        tool_calls(("get_weather", {"city": 5})),
        code(PLOT_AND_CSV),
        text("Done. [Download](sandbox:/mnt/data/out.csv)"),
    )
    suite = _suite(assistant_id)
    report = await SuiteRunner(rig.client, rig.driver).run(suite, suite.assistants)
    assert rig.llm.pending == 0

    [run] = report.runs
    assert [t.error for t in run.turns] == ["", ""]
    for turn, expected in zip(run.turns, (TURN_ONE, TURN_TWO), strict=True):
        got = [(c.check, c.passed) for c in turn.checks]
        want = [p for _, p in expected]
        assert [p for _, p in got] == want, [c for c in turn.checks]
    # The canned output keyed by arguments won over the generic one, and was sent.
    first = run.turns[0].observation
    assert first is not None and first.function_calls[0].output == '{"temp": 5}'
    second = run.turns[1].observation
    assert second is not None and second.function_calls[0].output == "unknown city"
    assert not report.passed

    failing = sum(1 for _, p in TURN_ONE + TURN_TWO if not p)
    junit_path = tmp_path / "out" / "junit.xml"
    write_report(junit_xml(report), junit_path)
    root = ET.parse(junit_path).getroot()
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(TURN_ONE) + len(TURN_TWO)
    assert int(root.get("failures", "-1")) == failing
    assert len([c for c in cases if c.find("failure") is not None]) == failing
    names = [c.get("name", "") for c in cases]
    assert "Oslo & a chart [1] turn 1: answer contains 'Paris'" in names
    outs = {c.findtext("system-out") for c in cases}
    assert {o.split(" ")[1] for o in outs if o} == {t.run_id for t in run.turns}

    page = html_report(report)
    write_report(page, tmp_path / "report.html")
    assert "Weather &lt;suite&gt;" in page and "<suite>" not in page
    assert "Oslo &amp; a chart" in page
    lowered = page.lower()
    for external in ("<script", "<link", "src=", "url(", "@import", "href="):
        assert external not in lowered
    assert run.turns[0].run_id in page


async def test_a_call_nobody_can_answer_cancels_the_run_and_says_what_to_add(rig: Rig) -> None:
    assistant_id = await _assistant(rig)
    rig.llm.queue(tool_calls(("get_weather", {"city": "Oslo", "unit": "celsius"})))
    suite = parse_suite(
        json.dumps(
            {
                "name": "No outputs",
                "cases": [
                    {
                        "name": "c",
                        "turns": [
                            {"user": "Weather?", "checks": [{"type": "run_completed"}]},
                            {"user": "never sent"},
                        ],
                    }
                ],
            }
        )
    )
    report = await SuiteRunner(rig.client, rig.driver).run(suite, [assistant_id])
    [run] = report.runs
    assert len(run.turns) == 1 and not run.passed
    turn = run.turns[0]
    assert "get_weather" in turn.error and "Add a tool output" in turn.error
    assert turn.observation is not None and turn.observation.status == "cancelled"
    assert [c.passed for c in turn.checks] == [False]
    assert "1 later turn(s) not run" in run.error
    # Only the first user message was posted.
    messages = await rig.client.messages.list(run.thread_id).to_list()
    assert [m.text() for m in messages if m.role == "user"] == ["Weather?"]


async def test_repeat_k_runs_each_case_k_times_in_new_threads(rig: Rig) -> None:
    first = await _assistant(rig, "A")
    second = await _assistant(rig, "B")
    suite = parse_suite(
        json.dumps(
            {
                "name": "Echo",
                "repeat": 2,
                "cases": [
                    {
                        "name": "echo",
                        "turns": [
                            {
                                "user": "ping",
                                "checks": [{"type": "answer_contains", "text": "ping"}],
                            }
                        ],
                    },
                    {"name": "other", "turns": [{"user": "pong"}]},
                ],
            }
        )
    )
    progress: list[tuple[int, int, CaseRun]] = []
    report = await SuiteRunner(rig.client, rig.driver).run(
        suite, [first, second], repeat=3, on_progress=lambda d, t, r: progress.append((d, t, r))
    )
    assert len(report.runs) == 2 * 2 * 3
    assert [(d, t) for d, t, _ in progress] == [(i, 12) for i in range(1, 13)]
    assert [(r.assistant_name, r.case, r.repeat) for r in report.runs][:6] == [
        ("A", "echo", 1),
        ("A", "echo", 2),
        ("A", "echo", 3),
        ("A", "other", 1),
        ("A", "other", 2),
        ("A", "other", 3),
    ]
    assert len({r.thread_id for r in report.runs}) == 12
    assert len({r.turns[0].run_id for r in report.runs}) == 12
    assert report.passed and report.counts() == (12, 12, 6, 6)


async def test_calls_without_a_canned_output_follow_the_functions_saved_mode(
    rig: Rig, tmp_path: Path
) -> None:
    from playground.store.function_modes import FunctionMode, FunctionModeKind
    from playground.store.store import open_store
    from playground.testing.tool_answers import SavedFunctionModes

    store = open_store()
    assistant_id = await _assistant(rig)
    local = tmp_path / "weather.py"
    local.write_text("def get_weather(city, unit):\n    return {'city': city, 'temp': len(city)}\n")
    store.function_modes.set(
        "prof_1",
        assistant_id,
        "get_weather",
        FunctionMode(
            kind=FunctionModeKind.LOCAL_PYTHON, python_path=str(local), callable_name="get_weather"
        ),
    )
    suite = parse_suite(
        json.dumps(
            {
                "name": "Modes",
                "cases": [{"name": "local", "turns": [{"user": "Weather?"}]}],
            }
        )
    )
    rig.llm.queue(tool_calls(("get_weather", {"city": "Oslo", "unit": "celsius"})), text("ok"))
    modes = SavedFunctionModes(store.function_modes, "prof_1")
    report = await SuiteRunner(rig.client, rig.driver, extra_sources=[modes]).run(
        suite, [assistant_id]
    )
    [turn] = report.runs[0].turns
    assert turn.error == "" and turn.observation is not None
    assert json.loads(turn.observation.function_calls[0].output or "") == {
        "city": "Oslo",
        "temp": 4,
    }

    store.function_modes.set(
        "prof_1",
        assistant_id,
        "get_weather",
        FunctionMode(kind=FunctionModeKind.CANNED, canned_output="always 20"),
    )
    rig.llm.queue(tool_calls(("get_weather", {"city": "Rome", "unit": "celsius"})), text("ok"))
    report = await SuiteRunner(rig.client, rig.driver, extra_sources=[modes]).run(
        suite, [assistant_id]
    )
    observed = report.runs[0].turns[0].observation
    assert observed is not None and observed.function_calls[0].output == "always 20"
    assert rig.llm.pending == 0
