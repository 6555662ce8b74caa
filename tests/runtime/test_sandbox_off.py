"""Where no sandbox is possible the code interpreter is off and the run step says why.

The engine with a real store and the scripted model; the interpreter is given the
"off" isolation this machine would get without bubblewrap (or on macOS/Windows). No
kernel may start, and the reason must reach the run step and the run's error.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import psutil
import pytest

from playground.runtime.code_interpreter import CodeInterpreter, Isolation, Limits, Mode
from playground.runtime.engine import RunEngine
from playground.runtime.model import OpenAIChatModel
from playground.runtime.store import Store
from tests.helpers.scripted_llm import ScriptedLLM, code
from tests.helpers.scripted_llm import scripted_llm as scripted_llm
from tests.runtime.test_engine_inprocess import Rig, names

REASON = (
    "The code interpreter is off because no sandbox is available: bubblewrap needs Linux; "
    "this is darwin. Start the runtime with --unsafe-code-interpreter to run code without "
    "isolation."
)


@pytest.fixture
async def off_rig(scripted_llm: ScriptedLLM, tmp_path: Path) -> AsyncIterator[Rig]:
    store = Store.open(tmp_path / "runtime.sqlite3", tmp_path / "files")
    model = OpenAIChatModel(scripted_llm.base_url, "scripted")
    interpreter = CodeInterpreter(
        tmp_path / "ci", limits=Limits(prewarm=True), isolation=Isolation(Mode.OFF, REASON)
    )
    engine = RunEngine(store, model, interpreter, None)
    try:
        yield Rig(store, engine, scripted_llm)
    finally:
        await engine.aclose()
        await interpreter.aclose()
        await model.aclose()
        store.close()


async def test_without_a_sandbox_the_step_and_the_run_say_why(off_rig: Rig) -> None:
    rig = off_rig
    rig.llm.queue(code("print(1)"))
    assistant = await rig.assistant(tools=[{"type": "code_interpreter"}])
    thread = await rig.thread_with("run some code")
    run = await rig.queued_run(assistant, thread)
    events = await rig.start(run["id"])
    assert names(events)[-1] == "thread.run.failed"
    assert events[-1][1]["last_error"]["message"] == REASON
    step = (await rig.store.list_run_steps(run["id"]))[0]
    outputs = step["step_details"]["tool_calls"][0]["code_interpreter"]["outputs"]
    assert outputs == [{"type": "logs", "logs": REASON}]
    kernels = [
        p for p in psutil.Process().children(recursive=True) if "ipykernel" in " ".join(p.cmdline())
    ]
    assert kernels == []
