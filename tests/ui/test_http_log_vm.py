"""The HTTP log: real requests to the runtime, redaction, truncation, and a curl that runs."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from playground.api import NotFoundError, RequestLogEntry
from playground.ui.viewmodels.http_log import (
    DISPLAY_BODY_LIMIT,
    HttpLogViewModel,
    display_body,
    path_of,
)
from playground.ui.widgets.http_log_view import HttpLogView
from tests.helpers.runtime_process import RuntimeServer
from tests.ui.inspector_env import env, llm, runtime
from tests.ui.support import Env

__all__ = ["env", "llm", "runtime"]

SECRET = "sk-live-abcdef0123456789"


def entry(**changes: object) -> RequestLogEntry:
    base: dict[str, object] = {
        "method": "GET",
        "url": "http://127.0.0.1:9/v1/assistants?limit=20",
        "status": 200,
        "duration_ms": 12.5,
        "request_id": "req_1",
        "request_headers": {"Authorization": f"Bearer {SECRET}", "api-key": SECRET},
        "request_body": None,
        "response_body": '{"object":"list","data":[]}',
    }
    base.update(changes)
    return RequestLogEntry(**base)  # type: ignore[arg-type]


def test_keys_are_redacted_even_if_an_entry_arrives_unredacted(qapp: object) -> None:
    vm = HttpLogViewModel()
    vm.append(entry())
    detail = vm.detail_text(0)
    curl = vm.curl_for(0)
    assert SECRET not in detail and SECRET not in curl
    assert "Authorization: Bearer ***" in detail and "api-key: ***" in detail
    assert '"Authorization: Bearer ${ASSISTANTS_API_KEY}"' in curl
    assert vm.row(0).path == "/v1/assistants?limit=20" and vm.row(0).status == "200"


def test_large_bodies_are_cut_for_display_and_json_is_indented(qapp: object) -> None:
    big = json.dumps({"data": ["x" * 100] * 2000})
    shown = display_body(big)
    assert len(shown) < DISPLAY_BODY_LIMIT + 100 and "more characters not shown" in shown
    assert display_body('{"a":1}') == '{\n  "a": 1\n}'
    assert display_body("not json {") == "not json {"
    assert display_body(None) == "(none)"
    assert path_of("https://h/openai/threads?api-version=2024-05-01-preview").startswith(
        "/openai/threads?api-version="
    )


def test_log_is_bounded_and_failed_rows_are_marked(qapp: object) -> None:
    vm = HttpLogViewModel(max_entries=3)
    resets: list[None] = []
    vm.entries_reset.connect(lambda: resets.append(None))
    for n in range(5):
        vm.append(entry(request_id=f"req_{n}"))
    vm.append(entry(status=None, error="connection refused"))
    vm.append(object())  # not an entry: ignored
    assert len(vm) == 3 and resets
    assert vm.row(2).failed and vm.row(2).status == "failed"
    assert vm.row(0).request_id == "req_3"


async def test_real_requests_are_logged_with_status_and_a_curl_that_runs(
    env: Env, runtime: RuntimeServer
) -> None:
    vm = HttpLogViewModel(env.session)
    await env.client.assistants.create({"model": "scripted-model", "name": "Logged"})
    with pytest.raises(NotFoundError):
        await env.client.assistants.retrieve("asst_missing")
    page = await env.client.assistants.list(limit=5).page()
    assert page.data
    rows = [vm.row(i) for i in range(len(vm))]
    assert [(r.method, r.status) for r in rows] == [("POST", "200"), ("GET", "404"), ("GET", "200")]
    assert rows[1].failed and not rows[0].failed
    for i in range(len(vm)):
        assert runtime.token not in vm.detail_text(i)
        assert runtime.token not in vm.curl_for(i)
    assert '"name": "Logged"' in vm.detail_text(0)
    curl = vm.curl_for(2)
    assert "${PLAYGROUND_RUNTIME_TOKEN}" in curl
    if shutil.which("bash") and shutil.which("curl"):
        done = await asyncio.to_thread(
            subprocess.run,
            ["bash", "-c", curl + " --silent --max-time 10"],
            capture_output=True,
            text=True,
            env={**os.environ, "PLAYGROUND_RUNTIME_TOKEN": runtime.token},
            timeout=20,
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["object"] == "list"
    folder = os.environ.get("PLAYGROUND_SCREENSHOTS")
    if folder:
        view = HttpLogView(vm)
        view.resize(560, 520)
        view.select(0)
        assert view.grab().save(os.path.join(folder, "http-log.png"))
        view.deleteLater()
    # A new connection starts a fresh log.
    env.session.set_connection(env.session.connection)
    assert len(vm) == 0


def test_view_lists_rows_shows_details_and_copies_curl(qtbot: QtBot) -> None:
    vm = HttpLogViewModel()
    view = HttpLogView(vm)
    qtbot.addWidget(view)
    assert not view.copy_curl_button.isEnabled()
    vm.append(entry())
    vm.append(entry(method="POST", status=500, request_body='{"x":1}'))
    assert view.model.rowCount() == 2 and view.count_label.text() == "2 requests"
    view.select(1)
    assert "Status: 500" in view.detail.toPlainText() and '"x": 1' in view.detail.toPlainText()
    assert view.copy_curl_button.isEnabled()
    view.on_copy_curl_clicked()
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith("curl -X POST") and SECRET not in copied
    view.clear_button.click()
    assert view.model.rowCount() == 0 and view.detail.toPlainText() == ""


async def test_copy_as_curl_confirms_and_says_where_the_token_is(
    env: Env, runtime: RuntimeServer, qtbot: QtBot
) -> None:
    vm = HttpLogViewModel(env.session)
    await env.client.assistants.list(limit=1).page()
    view = HttpLogView(vm)
    qtbot.addWidget(view)
    view.select(0)
    assert "PLAYGROUND_RUNTIME_TOKEN" in view.copy_curl_button.toolTip()
    assert "Copy token" in view.copy_curl_button.toolTip()
    view.copy_curl_button.click()
    assert "${PLAYGROUND_RUNTIME_TOKEN}" in QGuiApplication.clipboard().text()
    assert env.notices and env.notices[-1].startswith("Copied the request as a curl command")
    assert "new at each start" in env.notices[-1]
    assert runtime.token not in env.notices[-1]
    assert not view.copy_token_button.isHidden()
    view.copy_token_button.click()
    assert QGuiApplication.clipboard().text() == runtime.token
    assert "PLAYGROUND_RUNTIME_TOKEN" in env.notices[-1] and runtime.token not in env.notices[-1]
    QGuiApplication.clipboard().clear()
