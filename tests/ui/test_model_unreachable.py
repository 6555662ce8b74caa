"""The status line says the model endpoint is unreachable until a run succeeds again.

The runtime reports an unreachable model as a failed run whose ``last_error.message`` starts
with ``MODEL_UNREACHABLE_PREFIX`` (the shared wire text). Here a real run fails at the real
runtime (the scripted model answers 400); the window logic is then fed that same run object
with the unreachable message, as the runtime sends it for a closed port.
"""

from __future__ import annotations

from typing import Any

import pytest

from playground.protocol.runtime_errors import MODEL_UNREACHABLE_PREFIX
from playground.runs.events import RunFailed
from tests.helpers.qt_wait import until
from tests.helpers.scripted_llm import ScriptedLLM, error, text
from tests.ui.shell_support import llm, model_env, running_app

__all__ = ["llm", "model_env"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


async def test_status_line_says_unreachable_until_a_run_succeeds(
    qtbot: Any, model_env: ScriptedLLM
) -> None:
    model_env.queue(error(400, "bad request from the scripted model"), text("Back again."))
    async with running_app(qtbot) as app:
        await app.create_assistant()
        vm, session, label = app.parts.chat_vm, app.parts.session, app.window.connection_label
        failed: list[RunFailed] = []
        vm.run_event.connect(lambda ev: failed.append(ev) if isinstance(ev, RunFailed) else None)
        app.type_and_run("hello?")
        assert await app.run_finished() == "failed"
        assert failed and failed[0].run.last_error is not None
        # Another failure is not an unreachable model: the status line stays as it was.
        assert session.model_problem == ""
        assert "unreachable" not in label.full_text
        # The same run as the runtime reports a closed model port.
        message = f"{MODEL_UNREACHABLE_PREFIX}: http://127.0.0.1:9/v1 refused the connection."
        down = failed[0].run.model_copy(
            update={
                "last_error": failed[0].run.last_error.model_copy(
                    update={"code": "server_error", "message": message}
                )
            }
        )
        assert vm.run is not None
        vm._on_event(vm.run, RunFailed(run=down, reason=message))
        assert session.model_problem == message
        assert label.full_text.startswith("Model endpoint unreachable")
        assert app.window.info_label.text() == message
        # A run that succeeds clears it.
        app.type_and_run("again")
        assert await app.run_finished() == "completed"
        await until(lambda: session.model_problem == "", [session.model_problem_changed])
        assert "unreachable" not in label.full_text
        assert label.full_text.startswith("Connected")
