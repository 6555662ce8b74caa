"""The failed/cancelled line is part of the thread's history: it survives reloading."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.qt_wait import until
from tests.helpers.scripted_llm import ScriptedLLM, error, text
from tests.ui.shell_support import Running, llm, model_env, running_app

__all__ = ["llm", "model_env"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def _shape(app: Running) -> list[tuple[str, str]]:
    return [(i.role, i.text) for i in app.parts.chat_vm.items]


async def test_failed_and_cancelled_lines_survive_a_reload(
    qtbot: Any, model_env: ScriptedLLM
) -> None:
    model_env.queue(error(400, "the scripted model refuses"), text("too late", delay=30))
    async with running_app(qtbot) as app:
        await app.create_assistant()
        vm, threads = app.parts.chat_vm, app.parts.threads_vm
        app.type_and_run("first")
        assert await app.run_finished() == "failed"
        app.type_and_run("second")
        await until(
            lambda: vm.run is not None and vm.run.status == "in_progress",
            [vm.run_state_changed],
            what="second run in progress",
        )
        vm.cancel_run()
        assert await app.run_finished() == "cancelled"
        live = _shape(app)
        assert [r for r, _ in live] == ["user", "notice", "user", "notice"], live
        assert live[3] == ("notice", "The run was cancelled.")
        thread_id = vm.thread_id
        # Reload: away and back (the transient state is gone; the runs are on the server).
        threads.new_thread()
        await until(lambda: vm.thread_id is None, [vm.thread_changed])
        threads.select(thread_id)
        await until(
            lambda: len(_shape(app)) == 4, [vm.messages_changed], what="history with notices"
        )
        again = _shape(app)
        assert [r for r, _ in again] == ["user", "notice", "user", "notice"]
        assert again[0] == ("user", "first") and again[2] == ("user", "second")
        assert again[1][1].startswith("The run failed:")
        assert again[3] == ("notice", "The run was cancelled.")
