"""Names instead of ids: the composer line and the inspector's run rows say which assistant.

Against the real runtime, in the real window: the name shows as soon as any part of the
window has read the assistant (the left pane's selection), and an assistant the list has
not seen yet is named once the chat's own look-up arrives.
"""

from __future__ import annotations

from typing import Any

import pytest

from playground.ui.viewmodels.inspector import NodeKey
from playground.ui.widgets.step_detail import StepDetailView
from playground.ui.widgets.step_tree import StepTree
from tests.helpers.qt_wait import until
from tests.helpers.scripted_llm import MODEL_ID, ScriptedLLM, text
from tests.ui.shell_support import llm, model_env, running_app

__all__ = ["llm", "model_env"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


async def test_composer_and_run_rows_name_the_assistant(qtbot: Any, model_env: ScriptedLLM) -> None:
    model_env.queue(text("Hello."))
    async with running_app(qtbot) as app:
        assistant_id = await app.create_assistant(name="Weather helper")
        label = app.chat_pane.assistant_label
        # Picked in the left pane: named at once, no look-up to wait for.
        assert label.text() == "Runs use the assistant Weather helper"
        assert label.toolTip() == assistant_id
        app.type_and_run("Hi")
        assert await app.run_finished() == "completed"
        inspector = app.parts.inspector
        assert app.parts.chat_vm.run is not None
        run_id = app.parts.chat_vm.run.run_id or ""
        tree = inspector.pane.tree
        assert isinstance(tree, StepTree)
        await until(
            lambda: tree.run_item(run_id) is not None,
            [inspector.inspector_vm.run_changed],
            what="the run row",
        )
        row = tree.run_item(run_id)
        assert row is not None
        assert row.text(0) == "Run · Weather helper"
        assert "asst_" not in row.text(0)
        assert run_id in row.toolTip(0)
        details = inspector.pane.details
        assert isinstance(details, StepDetailView)
        details.show_node(NodeKey("run", run_id))
        assert f"Assistant\nWeather helper ({assistant_id})\n" in details.browser.toPlainText()


async def test_an_assistant_the_list_has_not_seen_is_named_when_its_look_up_arrives(
    qtbot: Any, model_env: ScriptedLLM
) -> None:
    async with running_app(qtbot) as app:
        client = app.parts.session.client
        assistant = await client.assistants.create({"model": MODEL_ID, "name": "Made elsewhere"})
        names = app.parts.chat_vm.assistant_names
        assert names.name(assistant.id) == ""  # no part of the window has read it yet
        app.parts.chat_vm.set_assistant(assistant.id)
        label = app.chat_pane.assistant_label
        await until(
            lambda: label.text() == "Runs use the assistant Made elsewhere",
            [names.changed],
            what="the name",
        )
        assert label.toolTip() == assistant.id


async def test_a_run_by_another_program_is_named_by_a_look_up(
    qtbot: Any, model_env: ScriptedLLM
) -> None:
    """No pane has read the assistant (it was made and run through the API): the inspector
    asks the server once, and the row changes from the id to the name."""
    model_env.queue(text("Done."))
    async with running_app(qtbot) as app:
        session = app.parts.session
        client = session.client
        assert client is not None
        assistant = await client.assistants.create({"model": MODEL_ID, "name": "Batch job"})
        thread = await client.threads.create()
        async with client.runs.stream(thread.id, {"assistant_id": assistant.id}) as stream:
            async for _event in stream:
                pass
        run_id = stream.run_id or ""
        # Forget what the left pane may have read meanwhile: only the look-up can name it now.
        session.assistant_names.reset(client)
        assert session.assistant_names.name(assistant.id) == ""
        inspector = app.parts.inspector
        tree = inspector.pane.tree
        assert isinstance(tree, StepTree)
        inspector.inspector_vm.set_thread(thread.id)

        def row_text() -> str:
            row = tree.run_item(run_id)
            return row.text(0) if row is not None else ""

        await until(
            lambda: row_text() == "Run · Batch job",
            [inspector.inspector_vm.run_changed, session.assistant_names.changed],
            what="the run row named by the look-up",
        )
        # A new connection forgets the old server's names.
        session.set_connection(session.connection)
        assert session.assistant_names.name(assistant.id) == ""
