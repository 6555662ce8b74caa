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


async def test_the_window_leaves_run_metadata_to_the_user(
    qtbot: Any, model_env: ScriptedLLM
) -> None:
    """Where a run's line goes is kept locally: the run's 16 metadata pairs stay the user's."""
    model_env.queue(error(400, "the scripted model refuses"))
    async with running_app(qtbot) as app:
        await app.create_assistant()
        vm = app.parts.chat_vm
        app.type_and_run("first")
        assert await app.run_finished() == "failed"
        thread_id, run = vm.thread_id, vm.run
        assert thread_id is not None and run is not None and run.run_id is not None
        client = app.parts.session.client
        on_server = await client.runs.retrieve(thread_id, run.run_id)
        assert on_server.metadata == {}
        profile_id = app.parts.session.profile_id
        assert profile_id is not None
        user_message = next(i.key for i in vm.items if i.role == "user")
        anchors = app.parts.session.store.threads.run_anchors(profile_id, thread_id)
        assert anchors == {run.run_id: user_message}


async def test_failed_line_survives_a_restart(qtbot: Any, model_env: ScriptedLLM) -> None:
    model_env.queue(error(400, "the scripted model refuses"))
    async with running_app(qtbot) as app:
        await app.create_assistant()
        app.type_and_run("first")
        assert await app.run_finished() == "failed"
        live = _shape(app)
        thread_id = app.parts.chat_vm.thread_id
        await app.app.runner.wait_idle()  # the last place is saved
    async with running_app(qtbot) as again:
        vm = again.parts.chat_vm
        await until(
            lambda: vm.thread_id == thread_id and len(_shape(again)) == 2,
            [vm.thread_changed, vm.messages_changed],
            what="the thread reopened with its line",
        )
        assert [r for r, _ in live] == ["user", "notice"]
        (_, first), (_, line) = _shape(again)
        assert first == "first"
        assert line.startswith("The run failed:") and "the scripted model refuses" in line
        # One wording: the line reads the same after a restart as it did live.
        assert line == live[1][1]
        assert "internal error" not in line


async def _failed_run(app: Running, thread_id: str, assistant_id: str, **fields: Any) -> str:
    """Start a run through the API (as another program would) and read it to its end."""
    client = app.parts.session.client
    run_id = ""
    async with client.runs.stream(thread_id, {"assistant_id": assistant_id, **fields}) as stream:
        async for _event in stream:
            run_id = run_id or (stream.run_id or "")
    run = await client.runs.retrieve(thread_id, run_id)
    assert run.status == "failed"
    return run_id


async def test_lines_go_after_the_message_the_store_or_an_old_version_names(
    qtbot: Any, model_env: ScriptedLLM
) -> None:
    """Old versions kept the message in the run's metadata; new runs in the thread index.

    Both runs start after the third message, so placing them by time alone would put both
    lines at the end: each line after its own message shows the anchor was read."""
    from playground.ui.viewmodels.run_notices import AFTER_MESSAGE_KEY

    model_env.queue(error(400, "old refusal"), error(400, "new refusal"))
    async with running_app(qtbot) as app:
        assistant_id = await app.create_assistant()
        client = app.parts.session.client
        thread = await client.threads.create({})
        posted = [
            await client.messages.create(thread.id, {"role": "user", "content": words})
            for words in ("one", "two", "three")
        ]
        await _failed_run(app, thread.id, assistant_id, metadata={AFTER_MESSAGE_KEY: posted[0].id})
        new_run = await _failed_run(app, thread.id, assistant_id)
        profile_id = app.parts.session.profile_id
        assert profile_id is not None
        app.parts.session.store.threads.anchor_run(profile_id, thread.id, new_run, posted[1].id)
        vm = app.parts.chat_vm
        assert await app.parts.threads_vm.open_by_id_async(thread.id)
        await until(
            lambda: vm.thread_id == thread.id and len(_shape(app)) == 5,
            [vm.thread_changed, vm.messages_changed],
            what="the thread with both lines",
        )
        shape = _shape(app)
        assert [(role, words if role == "user" else "") for role, words in shape] == [
            ("user", "one"),
            ("notice", ""),
            ("user", "two"),
            ("notice", ""),
            ("user", "three"),
        ]
        assert "old refusal" in shape[1][1] and "new refusal" in shape[3][1]
