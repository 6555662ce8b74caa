"""Shared set-up for the shell, connection and chat tests: the REAL app around a real runtime.

``running_app`` builds the window exactly as ``playground.app.main`` does (PlaygroundApp +
MainWindow + the embedded runtime child process), pointed at a scripted Chat Completions
server through ``PLAYGROUND_MODEL_BASE_URL`` — the same variable ``make run`` honours.
Waiting is always for a condition tied to a Qt signal, with a timeout; never a bare sleep.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from playground.app import Parts, PlaygroundApp, install_asyncgen_hooks
from playground.store.store import Store
from playground.ui.main_window import MainWindow
from playground.ui.messages import MessageBridge
from playground.ui.tasks import TaskRunner
from playground.ui.widgets.chat_pane import ChatPane
from tests.helpers.qt_wait import until
from tests.helpers.scripted_llm import MODEL_ID, ScriptedLLM


class Running:
    """A started app for a test: the window, the parts, and the errors it showed."""

    def __init__(self, app: PlaygroundApp, window: MainWindow, bridge: MessageBridge) -> None:
        self.app = app
        self.window = window
        self.bridge = bridge
        self.errors: list[tuple[str, str]] = []
        bridge.error_posted.connect(lambda t, d: self.errors.append((t, d)))

    @property
    def parts(self) -> Parts:
        assert self.app.parts is not None
        return self.app.parts

    async def connected(self) -> None:
        session = self.parts.session
        await until(
            lambda: session.state.value in ("connected", "failed"),
            [session.state_changed],
            what="connection",
        )
        assert session.is_connected, session.state_detail

    async def create_assistant(self, **fields: Any) -> str:
        body = {"model": MODEL_ID, "name": "Test helper", "instructions": "Be brief.", **fields}
        assistant = await self.parts.session.client.assistants.create(body)
        assistants_vm = self.parts.assistants_vm
        if assistants_vm is not None:
            # Pick it in the left pane, the way a person does; the chat follows its signal.
            await assistants_vm.refresh_async()
            await assistants_vm.select_async(assistant.id)
        else:
            self.parts.chat_vm.set_assistant(assistant.id)
        assert self.parts.chat_vm.assistant_id == assistant.id
        return str(assistant.id)

    @property
    def chat_pane(self) -> ChatPane:
        pane = self.window.chat_pane
        assert isinstance(pane, ChatPane)
        return pane

    def type_and_run(self, message: str) -> None:
        """Type ``message`` into the composer and send it, as Ctrl+Enter does."""
        pane = self.chat_pane
        pane.composer.setPlainText(message)
        pane.composer.submit.emit()

    async def run_finished(self, within: float = 40) -> str:
        """Wait until the chat's current run is no longer active; return its status."""
        vm = self.parts.chat_vm
        await until(
            lambda: vm.run is not None and not vm.run.active,
            [vm.run_state_changed],
            within=within,
            what="run finished",
        )
        assert vm.run is not None
        return vm.run.status


@pytest.fixture
def llm() -> Any:
    with ScriptedLLM() as server:
        yield server


@pytest.fixture
def model_env(llm: ScriptedLLM, monkeypatch: pytest.MonkeyPatch) -> ScriptedLLM:
    monkeypatch.setenv("PLAYGROUND_MODEL_BASE_URL", llm.base_url)
    monkeypatch.setenv("PLAYGROUND_MODEL", MODEL_ID)
    return llm


@asynccontextmanager
async def running_app(
    qtbot: Any, *, store: Store | None = None, connect: bool = True
) -> AsyncIterator[Running]:
    """The whole app, shown offscreen; shut down (runtime stopped) at the end."""
    restore_hooks = install_asyncgen_hooks(asyncio.get_running_loop())
    qt_app = QApplication.instance()
    assert isinstance(qt_app, QApplication)
    # As in main(): closing the window must not stop the loop before the async shutdown.
    quit_on_close = qt_app.quitOnLastWindowClosed()
    qt_app.setQuitOnLastWindowClosed(False)
    bridge = MessageBridge()
    runner = TaskRunner(bridge)
    window = MainWindow(bridge)
    qtbot.addWidget(window)
    window.resize(1320, 820)
    window.show()
    app = PlaygroundApp(window, bridge, runner)
    running = Running(app, window, bridge)
    try:
        await app.bootstrap(store, connect=connect)
        if connect:
            await running.connected()
        yield running
    finally:
        await app.shutdown()
        window.close()
        restore_hooks()
        qt_app.setQuitOnLastWindowClosed(quit_on_close)
