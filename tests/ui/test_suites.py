"""Suites in the window: save the chat's thread as a case, run it against two assistants
with repeats, read the results table, follow a row to its run, export both reports."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from playground.runs import RunDriver
from playground.testing.runner import run_turn
from playground.testing.suite import AnswerContains, load_suite
from playground.testing.tool_answers import ToolAnswers
from playground.ui.dialogs.testing_window import TestingWindow
from tests.helpers.qt_wait import until
from tests.helpers.runtime_process import RuntimeServer
from tests.helpers.scripted_llm import ScriptedLLM
from tests.ui.inspector_env import env, llm, runtime
from tests.ui.support import Env
from tests.ui.testing_support import shoot

__all__ = ["env", "llm", "runtime"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


async def test_thread_to_case_run_against_two_assistants_with_repeats_and_export(
    env: Env, llm: ScriptedLLM, runtime: RuntimeServer, qtbot: QtBot, tmp_path: Path
) -> None:
    client = env.client
    first = await client.assistants.create({"model": "scripted-model", "name": "Echo A"})
    second = await client.assistants.create({"model": "scripted-model", "name": "Echo B"})
    thread = await client.threads.create()
    await run_turn(client, RunDriver(client), thread.id, first.id, "ping", ToolAnswers())
    shown: list[tuple[str, str]] = []
    window = TestingWindow(
        env.session,
        lambda: [(first.id, "Echo A"), (second.id, "Echo B")],
        lambda: thread.id,
        show_run=lambda t, r: shown.append((t, r)),
    )
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentWidget(window.suite_view)
    view, vm = window.suite_view, window.suites_vm

    view.case_name.setText("Ping")
    view.add_thread_button.click()
    await until(lambda: vm.suite is not None, [vm.suite_changed], what="the case")
    assert vm.suite is not None and [t.user for t in vm.suite.cases[0].turns] == ["ping"]
    # A person adds a check that fails (the echo says "You said: ping").
    case = vm.suite.cases[0]
    turn = case.turns[0].model_copy(
        update={"checks": [*case.turns[0].checks, AnswerContains(text="pong")]}
    )
    vm.add_case(case.model_copy(update={"turns": [turn]}))
    saved = tmp_path / "suite.json"
    vm.save(saved)
    await until(lambda: vm.path == saved, [vm.suite_changed], what="saving")
    assert load_suite(saved) == vm.suite

    for row in range(view.assistant_list.count()):
        view.assistant_list.item(row).setCheckState(
            view.assistant_list.item(row).checkState().Checked
        )
    view.repeat_spin.setValue(2)
    progress: list[tuple[int, int]] = []
    vm.progress_changed.connect(lambda d, t: progress.append((d, t)))
    view.run_button.click()
    await until(lambda: vm.report is not None, [vm.finished], what="the suite", within=120)

    assert progress[0] == (0, 4) and progress[-1] == (4, 4)
    assert view.progress.value() == 4 and view.progress.maximum() == 4
    rows = vm.rows
    assert len(rows) == 4 * 2  # two checks per run, four runs
    assert {(r.assistant, r.repeat) for r in rows} == {
        ("Echo A", 1),
        ("Echo A", 2),
        ("Echo B", 1),
        ("Echo B", 2),
    }
    assert [r.passed for r in rows if r.check == "run completed"] == [True] * 4
    assert [r.passed for r in rows if r.check == "answer contains 'pong'"] == [False] * 4
    assert view.table.rowCount() == 8
    assert view.table.item(1, 5).text() == "FAIL"
    assert "FAILED: 0/4 case runs passed, 4/8 checks passed" in view.summary_label.text()

    view.table.selectRow(1)
    assert shown[-1] == (rows[1].thread_id, rows[1].run_id) and rows[1].run_id.startswith("run_")
    view.copy_button.click()
    assert rows[1].run_id in QGuiApplication.clipboard().text()

    junit, page = tmp_path / "out" / "junit.xml", tmp_path / "out" / "report.html"
    vm.export(junit, page)
    await env.idle()
    root = ET.parse(junit).getroot()
    assert root.get("tests") == "8" and root.get("failures") == "4"
    assert "<script" not in page.read_text()
    shoot(window, "suite-results.png")

    # The selected result's run is ready in the Code tab: Python and curl, key as a variable.
    code, code_vm = window.code_view, window.code_vm
    assert (code.thread_edit.text(), code.run_edit.text()) == (rows[1].thread_id, rows[1].run_id)
    window.tabs.setCurrentWidget(code)
    code.run_button.click()
    await until(lambda: code_vm.title.startswith("Run"), [code_vm.code_changed])
    assert "create_and_run_poll" in code.python_text.toPlainText()
    assert "/threads/runs" in code.curl_text.toPlainText()
    code.assistant_button.click()
    await until(lambda: code_vm.title.startswith("Assistant"), [code_vm.code_changed])
    assert "client.beta.assistants.create(**ASSISTANT)" in code_vm.python
    for text in (code_vm.python, code_vm.curl):
        assert runtime.token not in text and "ASSISTANTS_API_KEY" in text
    code.copy_button.click()
    assert QGuiApplication.clipboard().text() == code_vm.python
