"""View code: the generated Python (openai SDK) and curl, executed against the real runtime,
reproduce the assistant and the run; the key appears only as an environment variable."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from playground.testing.codegen import (
    KEY_ENV,
    Target,
    assistant_body,
    assistant_curl,
    assistant_python,
    run_curl,
    run_inputs,
    run_python,
)
from playground.testing.runner import run_turn
from playground.testing.suite import CannedOutput
from playground.testing.tool_answers import CannedOutputs, ToolAnswers
from tests.helpers.scripted_llm import text, tool_calls
from tests.helpers.weather_tool import WEATHER

from .conftest import Rig

TRICKY = 'Be brief. It\'s "quoted", $(echo pwned) `x` \\ and a\nnew line; ünïcode.'


def _execute(argv: list[str], rig: Rig, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, KEY_ENV: rig.runtime.token}
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


async def test_generated_python_and_curl_recreate_the_assistant(rig: Rig, tmp_path: Path) -> None:
    original = await rig.client.assistants.create(
        {
            "model": "scripted-model",
            "name": "Weather 'bot'",
            "instructions": TRICKY,
            "tools": [WEATHER, {"type": "code_interpreter"}],
            "temperature": 0.3,
            "top_p": 0.9,
            "metadata": {"team": "a&b"},
        }
    )
    target = Target(rig.runtime.api_base)
    source = assistant_python(original, target)
    assert rig.runtime.token not in source and f"os.environ[{KEY_ENV!r}]" in source
    script = tmp_path / "make_assistant.py"
    script.write_text(source)
    made = _execute([sys.executable, str(script)], rig, tmp_path).stdout.strip()
    copy = await rig.client.assistants.retrieve(made)
    assert copy.id != original.id
    assert assistant_body(copy) == assistant_body(original)

    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    command = assistant_curl(original, target)
    assert rig.runtime.token not in command and f"${KEY_ENV}" in command
    answer = json.loads(_execute(["bash", "-c", command], rig, tmp_path).stdout)
    assert answer["id"].startswith("asst_") and answer["instructions"] == TRICKY
    curl_copy = await rig.client.assistants.retrieve(answer["id"])
    assert assistant_body(curl_copy) == assistant_body(original)


async def test_generated_python_reproduces_a_run_with_tool_outputs(
    rig: Rig, tmp_path: Path
) -> None:
    assistant = await rig.client.assistants.create(
        {"model": "scripted-model", "name": "W", "instructions": "Answer.", "tools": [WEATHER]}
    )
    thread = await rig.client.threads.create()
    script = (
        tool_calls(("get_weather", {"city": "Oslo", "unit": "celsius"})),
        text("It is 5 degrees in Oslo."),
    )
    # A first exchange, then the run to reproduce (it must see the earlier messages too).
    first = await run_turn(
        rig.client, rig.driver, thread.id, assistant.id, "hello", ToolAnswers(CannedOutputs([]))
    )
    rig.llm.queue(*script)
    answers = ToolAnswers(
        CannedOutputs([CannedOutput(function="get_weather", output='{"temp": 5, "it\'s": "cold"}')])
    )
    outcome = await run_turn(
        rig.client,
        rig.driver,
        thread.id,
        assistant.id,
        "Weather in Oslo?",
        answers,
        overrides={"temperature": 0.1},
    )
    seen = outcome.observation
    assert first.observation is not None and seen is not None and seen.status == "completed"

    run, earlier, outputs = await run_inputs(rig.client, thread.id, seen.run_id)
    assert [m.text() for m in earlier] == ["hello", "You said: hello", "Weather in Oslo?"]
    target = Target(rig.runtime.api_base)
    source = run_python(run, earlier, outputs, target)
    assert rig.runtime.token not in source
    path = tmp_path / "reproduce.py"
    path.write_text(source)
    asked = len(rig.llm.requests)
    rig.llm.queue(*script)
    lines = _execute([sys.executable, str(path)], rig, tmp_path).stdout.splitlines()
    run_id, thread_id, status = lines[0].split()
    assert status == "completed" and lines[1:] == ["It is 5 degrees in Oslo."]
    again = await rig.client.runs.retrieve(thread_id, run_id)
    assert (again.temperature, again.assistant_id) == (0.1, assistant.id)
    # The model saw the same conversation and the same tool output as the first time.
    first_time, second_time = rig.llm.requests[asked - 1], rig.llm.requests[-1]
    assert second_time["messages"][-1]["content"] == first_time["messages"][-1]["content"]
    assert [m.get("content") for m in second_time["messages"] if m["role"] == "user"] == [
        "hello",
        "Weather in Oslo?",
    ]
    assert rig.llm.pending == 0

    curl = run_curl(run, earlier, target)
    assert rig.runtime.token not in curl and "submit_tool_outputs" in curl
