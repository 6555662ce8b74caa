"""The window learns from the runtime's startup lines whether code runs sandboxed (issue 9)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from playground.connection.embedded import EmbeddedRuntime, EmbeddedSettings
from playground.runtime.code_interpreter import Mode, choose_isolation
from playground.ui.main_window import MainWindow
from playground.ui.messages import MessageBridge


def test_the_unsafe_flag_reaches_the_runtime_command(tmp_path: Path) -> None:
    assert "--unsafe-code-interpreter" not in EmbeddedSettings(data_dir=tmp_path).command()
    unsafe = EmbeddedSettings(data_dir=tmp_path, unsafe_code_interpreter=True)
    assert "--unsafe-code-interpreter" in unsafe.command()


async def test_runtime_says_how_code_runs_and_the_window_reads_it(tmp_path: Path) -> None:
    runtime = EmbeddedRuntime()
    settings = EmbeddedSettings(
        data_dir=tmp_path / "rt", use_local_model=False, unsafe_code_interpreter=True
    )
    await runtime.ensure_started(settings)
    try:
        described = runtime.code_interpreter_description or ""
        expected = choose_isolation(allow_unsafe=True).mode
        assert described.startswith(expected.value), described
        # --unsafe only takes effect where no sandbox works; the red notice follows it.
        assert runtime.code_interpreter_unsafe is (expected is Mode.UNSAFE)
    finally:
        await runtime.stop()
    assert runtime.code_interpreter_description is None


@pytest.mark.qt_log_ignore("This plugin does not support")  # offscreen window sizing notes
def test_the_window_shows_a_red_notice_only_while_code_runs_unsafe(qtbot: Any) -> None:
    window = MainWindow(MessageBridge())
    qtbot.addWidget(window)
    window.show()
    assert not window.unsafe_label.isVisible()
    window.set_unsafe_code_notice(True)
    assert window.unsafe_label.isVisible()
    assert "WITHOUT a sandbox" in window.unsafe_label.text()
    assert "#b00020" in window.unsafe_label.styleSheet()
    window.set_unsafe_code_notice(False)
    assert not window.unsafe_label.isVisible()
