"""Test connection leaves the live connection alone; Save & connect closes and keeps the place."""

from __future__ import annotations

from typing import Any

import pytest

from playground.ui.dialogs.connection_dialog import ConnectionDialog
from playground.ui.viewmodels.connection import TestReport as Report
from tests.helpers.qt_wait import until
from tests.helpers.scripted_llm import ScriptedLLM
from tests.ui.shell_support import llm, model_env, running_app

__all__ = ["llm", "model_env"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


async def test_test_connection_never_restarts_the_live_runtime(
    qtbot: Any, model_env: ScriptedLLM
) -> None:
    async with running_app(qtbot) as app:
        parts = app.parts
        assistant_id = await app.create_assistant(name="Keeper")
        vm, pane = parts.chat_vm, app.chat_pane
        pane.composer.setPlainText("where was I")
        pane.add_button.click()
        await until(lambda: vm.thread_id and not vm.locked, [vm.locked_changed, vm.thread_changed])
        thread_id = vm.thread_id
        live_pid, live_url = parts.embedded.pid, parts.embedded.base_url
        live_client = parts.session.client
        app.window.connections_button.click()
        dialog = app.app._dialog
        assert isinstance(dialog, ConnectionDialog) and dialog.isVisible()
        # Other embedded settings: the live runtime would need a restart to use them.
        dialog.model_name.setText("another-model")
        reports: list[Report] = []
        parts.connection_vm.test_finished.connect(reports.append)
        dialog.test_button.click()
        await until(lambda: reports, [parts.connection_vm.test_finished], within=90, what="test")
        assert reports[0].ok, reports[0].text()
        assert "test runtime" in reports[0].text()
        assert "another-model" in reports[0].text()
        # The live connection is untouched: same process, same port, same client.
        assert (parts.embedded.pid, parts.embedded.base_url) == (live_pid, live_url)
        assert parts.session.client is live_client and parts.session.is_connected
        assert vm.thread_id == thread_id
        # Save & connect closes the dialog at once and comes back to the same place.
        dialog.save_button.click()
        assert not dialog.isVisible()
        session = parts.session
        await until(
            lambda: (
                session.is_connected
                and session.client is not live_client
                and vm.thread_id == thread_id
                and vm.assistant_id == assistant_id
                and not parts.place.restoring
            ),
            [session.state_changed, vm.thread_changed, vm.assistant_changed, parts.place.restored],
            within=90,
            what="reconnected in place",
        )
        assert parts.embedded.pid != live_pid  # the new settings did need a restart
