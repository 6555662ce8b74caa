"""The whole window against the REAL runtime process and a scripted model: runs end to end.

Send and see the reply; function calls answered in the requires_action prompt (twice in
one run, with an argument mismatch flagged); canned answers sent automatically; cancel; a
failed run's reason; the thread locked during a run; closing the window stops the runtime.
Screenshots of the window and the prompt are saved when PLAYGROUND_SCREENSHOTS names a folder.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from playground.store.function_modes import FunctionMode, FunctionModeKind
from playground.ui.dialogs.tool_outputs_dialog import ToolOutputsDialog
from tests.helpers.qt_wait import until
from tests.helpers.screenshots import shoot
from tests.helpers.scripted_llm import ScriptedLLM, error, text, tool_calls
from tests.ui.shell_support import Running, llm, model_env, running_app

__all__ = ["llm", "model_env"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"enum": ["c", "f"]}},
            "required": ["city"],
            "additionalProperties": False,
        },
    },
}


def _assistant_texts(app: Running) -> list[str]:
    return [i.text for i in app.parts.chat_vm.items if i.role == "assistant"]


def _run_status(app: Running) -> str:
    run = app.parts.chat_vm.run
    return run.status if run else ""


async def _prompt(app: Running) -> ToolOutputsDialog:
    pane = app.chat_pane
    vm = app.parts.chat_vm
    await until(
        lambda: (
            isinstance(pane.prompt_dialog, ToolOutputsDialog)
            and pane.prompt_dialog.isVisible()
            and vm.prompt is not None
            and not vm.prompt.closed
        ),
        [vm.tool_prompt_requested, vm.run_state_changed],
        what="the tool prompt",
    )
    assert isinstance(pane.prompt_dialog, ToolOutputsDialog)
    return pane.prompt_dialog


async def _weather_by_local_python(app: Running, tools: Path) -> tuple[str, str]:
    """A weather assistant whose ``get_weather`` is answered by ``tools`` (a Python file)."""
    assistant_id = await app.create_assistant(tools=[WEATHER])
    profile_id = app.parts.session.profile_id
    assert profile_id
    mode = FunctionMode(
        kind=FunctionModeKind.LOCAL_PYTHON, python_path=str(tools), callable_name="get_weather"
    )
    app.parts.store.function_modes.set(profile_id, assistant_id, "get_weather", mode)
    return profile_id, assistant_id


def _save(widget: Any, name: str) -> None:
    shoot(widget, name)


async def test_send_a_message_and_see_the_streamed_reply(
    qtbot: Any, model_env: ScriptedLLM
) -> None:
    model_env.queue(text("Hello! Here is code:\n\n```python\nprint('hi')\n```", chunk_delay=0.01))
    async with running_app(qtbot) as app:
        await app.create_assistant()
        events: list[str] = []
        app.parts.chat_vm.run_event.connect(lambda ev: events.append(type(ev).__name__))
        app.type_and_run("Say hello")
        assert await app.run_finished() == "completed"
        view = app.chat_pane.messages
        await until(
            lambda: "print('hi')" in view.plain_text() and "writing" not in view.plain_text(),
            [view.rendered],
            what="finished reply shown",
        )
        shown = view.plain_text()
        assert "Say hello" in shown and "Hello! Here is code:" in shown and "print('hi')" in shown
        assert "RunCompleted" in events
        assert app.chat_pane.composer.toPlainText() == ""
        assert app.chat_pane.run_status.status_label.text() == "Completed"
        assert model_env.requests[-1]["messages"][-1]["content"] == "Say hello"


async def test_function_call_prompt_twice_in_one_run(qtbot: Any, model_env: ScriptedLLM) -> None:
    model_env.queue(
        tool_calls(("get_weather", {"town": "Paris"})),  # wrong argument name: flagged
        tool_calls(("get_weather", {"city": "Lyon", "unit": "c"})),
        text("It is 21 degrees in Paris and 19 in Lyon."),
    )
    async with running_app(qtbot) as app:
        await app.create_assistant(tools=[WEATHER])
        app.type_and_run("Weather in Paris and Lyon?")
        dialog = await _prompt(app)
        prompt = app.parts.chat_vm.prompt
        assert prompt is not None
        await until(lambda: prompt.is_ready, [prompt.ready, prompt.changed])
        box = dialog.boxes[0]
        assert box.title().startswith("get_weather")
        assert '"town": "Paris"' in box.arguments.toPlainText()
        assert "schema" in box.argument_problems.text()
        left = prompt.seconds_left()
        assert left is not None and left > 0
        assert dialog.countdown.text().startswith("Expires in")
        box.output.setPlainText('{"temp": 21}')
        dialog.submit_button.click()
        # The same run asks again: a second prompt, arguments fine this time.
        await until(
            lambda: app.parts.chat_vm.prompt is not None and app.parts.chat_vm.prompt is not prompt,
            [app.parts.chat_vm.run_state_changed],
            what="second requires_action",
        )
        dialog2 = await _prompt(app)
        second = app.parts.chat_vm.prompt
        assert second is not None
        await until(lambda: second.is_ready, [second.ready, second.changed])
        assert '"city": "Lyon"' in dialog2.boxes[0].arguments.toPlainText()
        assert dialog2.boxes[0].argument_problems.text() == ""
        # Broken JSON is warned about, and still sent as it is (plain text is allowed).
        dialog2.boxes[0].output.setPlainText('{"temp": 19, cloudy}')
        assert "not valid JSON" in dialog2.boxes[0].output_notes.text()
        dialog2.submit_button.click()
        assert await app.run_finished() == "completed"
        await until(
            lambda: any("21 degrees" in t for t in _assistant_texts(app)),
            [app.parts.chat_vm.messages_changed, app.parts.chat_vm.item_updated],
        )
        # The model saw both outputs.
        tool_messages = [m for m in model_env.requests[-1]["messages"] if m.get("role") == "tool"]
        assert [m["content"] for m in tool_messages] == ['{"temp": 21}', '{"temp": 19, cloudy}']
        assert not dialog.isVisible() and not dialog2.isVisible()
        view = app.chat_pane.messages
        await until(lambda: "19 in Lyon" in view.plain_text(), [view.rendered], what="reply shown")


async def test_canned_output_is_sent_without_asking(qtbot: Any, model_env: ScriptedLLM) -> None:
    model_env.queue(tool_calls(("get_weather", {"city": "Oslo"})), text("Snowing in Oslo."))
    async with running_app(qtbot) as app:
        assistant_id = await app.create_assistant(tools=[WEATHER])
        profile_id = app.parts.session.profile_id
        assert profile_id
        app.parts.store.function_modes.set(
            profile_id,
            assistant_id,
            "get_weather",
            FunctionMode(kind=FunctionModeKind.CANNED, canned_output='{"weather": "snow"}'),
        )
        asked: list[object] = []
        app.parts.chat_vm.tool_prompt_requested.connect(asked.append)
        app.type_and_run("Oslo?")
        assert await app.run_finished() == "completed"
        assert asked == []
        tool_messages = [m for m in model_env.requests[-1]["messages"] if m.get("role") == "tool"]
        assert json.loads(tool_messages[0]["content"]) == {"weather": "snow"}


async def test_local_python_answers_off_the_qt_thread(
    qtbot: Any, model_env: ScriptedLLM, tmp_path: Path
) -> None:
    tools = tmp_path / "weather_tools.py"
    tools.write_text(
        "def get_weather(city, unit='c'):\n    return {'city': city.upper(), 'temp': 7}\n"
    )
    model_env.queue(tool_calls(("get_weather", {"city": "Bergen"})), text("Cold in Bergen."))
    async with running_app(qtbot) as app:
        await _weather_by_local_python(app, tools)
        sources: list[tuple[str, str]] = []
        app.parts.chat_vm.tool_output_supplied.connect(lambda c, s: sources.append((c, s)))
        app.type_and_run("Bergen?")
        assert await app.run_finished() == "completed"
        tool_messages = [m for m in model_env.requests[-1]["messages"] if m.get("role") == "tool"]
        assert json.loads(tool_messages[0]["content"]) == {"city": "BERGEN", "temp": 7}
        assert [s for _, s in sources] == ["local_python"]


async def test_failing_local_python_falls_back_to_asking(
    qtbot: Any, model_env: ScriptedLLM, tmp_path: Path
) -> None:
    tools = tmp_path / "broken_tools.py"
    tools.write_text("def get_weather(city):\n    raise ValueError('no network')\n")
    model_env.queue(tool_calls(("get_weather", {"city": "Rome"})), text("Warm in Rome."))
    async with running_app(qtbot) as app:
        profile_id, assistant_id = await _weather_by_local_python(app, tools)
        app.type_and_run("Rome?")
        dialog = await _prompt(app)
        box = dialog.boxes[0]
        assert "no network" in box.output_notes.text()
        assert box.mode.currentData() == "local_python"
        prompt = app.parts.chat_vm.prompt
        assert prompt is not None
        box.mode.setCurrentIndex(box.mode.findData("ask"))
        await until(
            lambda: prompt.items[0].mode == FunctionMode(), [prompt.changed], what="mode saved"
        )
        box.output.setPlainText("25 C")
        dialog.submit_button.click()
        assert await app.run_finished() == "completed"
        saved = app.parts.store.function_modes.get(profile_id, assistant_id, "get_weather")
        assert saved == FunctionMode()
        tool_messages = [m for m in model_env.requests[-1]["messages"] if m.get("role") == "tool"]
        assert tool_messages[0]["content"] == "25 C"


async def test_cancel_a_run_and_the_thread_is_locked_meanwhile(
    qtbot: Any, model_env: ScriptedLLM
) -> None:
    model_env.queue(text("too late", delay=20))
    async with running_app(qtbot) as app:
        await app.create_assistant()
        vm = app.parts.chat_vm
        pane = app.chat_pane
        app.type_and_run("Take your time")
        await until(lambda: _run_status(app) in ("queued", "in_progress"), [vm.run_state_changed])
        assert vm.locked and not pane.run_button.isEnabled()
        pane.composer.setPlainText("second message")
        pane.composer.submit.emit()
        assert vm.send("second message") is False
        assert pane.composer.toPlainText() == "second message"  # kept
        assert pane.run_status.cancel_button.isVisible()
        pane.run_status.cancel_button.click()
        assert await app.run_finished() == "cancelled"
        notices = [i for i in vm.items if i.role == "notice"]
        assert notices and notices[-1].text == "The run was cancelled."
        assert pane.run_button.isEnabled()
        assert pane.composer.toPlainText() == "second message"


async def test_failed_run_shows_its_reason(qtbot: Any, model_env: ScriptedLLM) -> None:
    model_env.queue(*[error(500, "the model fell over")] * 4)
    async with running_app(qtbot) as app:
        await app.create_assistant()
        app.type_and_run("Break please")
        assert await app.run_finished(within=60) == "failed"
        notices = [i for i in app.parts.chat_vm.items if i.role == "notice"]
        assert notices and notices[-1].text.startswith("The run failed: ")
        assert notices[-1].tone == "error"
        assert "cancel" not in notices[-1].text.lower()
        assert "The run failed" in app.chat_pane.messages.plain_text()


async def test_closing_the_window_during_a_run_stops_the_runtime(
    qtbot: Any, model_env: ScriptedLLM
) -> None:
    model_env.queue(text("never", delay=30))
    async with running_app(qtbot) as app:
        await app.create_assistant()
        pid = app.parts.embedded.pid
        assert pid
        app.type_and_run("Long job")
        vm = app.parts.chat_vm
        await until(lambda: _run_status(app) in ("queued", "in_progress"), [vm.run_state_changed])
        app.window.close()
    # running_app's exit ran the app's shutdown, as main() does after the window closes.
    assert _reaped(pid)
    assert app.parts.embedded.pid is None


def _reaped(pid: int) -> bool:
    """True when the child is gone and already collected (WNOHANG never blocks)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False
