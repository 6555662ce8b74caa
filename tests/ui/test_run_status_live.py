"""One status everywhere, live: the chat strip, the inspector's run and the timeline agree,
and a model that has not answered yet (still loading) is named as the reason for the wait."""

from __future__ import annotations

from typing import Any

import pytest

from playground.ui.widgets.run_status import WAITING_FOR_MODEL
from tests.helpers.qt_wait import until
from tests.helpers.scripted_llm import ScriptedLLM, text
from tests.ui.shell_support import llm, model_env, running_app

__all__ = ["llm", "model_env"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


async def test_slow_model_status_is_the_same_everywhere(qtbot: Any, model_env: ScriptedLLM) -> None:
    # The scripted model waits before its first byte, as a local model does while loading.
    model_env.queue(text("Finally, an answer.", delay=4, chunk_delay=0.05))
    async with running_app(qtbot) as app:
        await app.create_assistant()
        vm = app.parts.chat_vm
        inspector = app.parts.inspector.inspector_vm
        strip = app.chat_pane.run_status
        app.type_and_run("Are you there?")
        await until(
            lambda: vm.run is not None and vm.run.status == "in_progress" and vm.run.run_id,
            [vm.run_state_changed],
            what="in progress",
        )
        run_id = vm.run.run_id
        assert vm.run.waiting_for_model
        assert strip.status_label.text() == WAITING_FOR_MODEL
        record = inspector.record(run_id)
        assert record is not None and str(record.run.status) == "in_progress"
        timeline = inspector.timeline(run_id)
        assert timeline is not None and timeline.statuses[-1].status == "in_progress"
        # Once the model writes, the wait is over: the strip says running, not waiting.
        await until(
            lambda: vm.run is not None and not vm.run.waiting_for_model,
            [vm.run_state_changed],
            what="the model answering",
        )
        assert await app.run_finished() == "completed"
        assert strip.status_label.text() == "Completed"
        record = inspector.record(run_id)
        assert record is not None and str(record.run.status) == "completed"
        final = inspector.timeline(run_id)
        assert final is not None and final.final_status == "completed"
