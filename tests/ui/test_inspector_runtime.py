"""The inspector, gallery and outputs against a real code-interpreter run on the runtime.

The scripted model asks for code that prints, writes a CSV and draws a matplotlib plot; the
runtime runs it in a real Jupyter kernel. Events come from the real RunDriver, as in the app.
Set ``PLAYGROUND_SCREENSHOTS=<folder>`` to also save screenshots of the panes.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QTabWidget, QWidget
from pytestqt.qtbot import QtBot

from playground.runs.driver import RunDriver
from playground.ui.viewmodels.inspector import InspectorViewModel, NodeKey
from playground.ui.viewmodels.outputs import OutputStatus, OutputsViewModel
from playground.ui.widgets.gallery import GalleryView, OutputActions
from playground.ui.widgets.image_viewer import ImageViewerDialog
from playground.ui.widgets.inspector_pane import InspectorPane, install_inspector
from tests.helpers.scripted_llm import ScriptedLLM, code, text
from tests.ui.inspector_env import env, llm, runtime
from tests.ui.support import Env

__all__ = ["env", "llm", "runtime"]

# The offscreen platform cannot pass size hints to a window manager (the viewer is shown).
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

PLOT_AND_CSV = """
import matplotlib.pyplot as plt
import numpy as np
with open('out.csv', 'w') as f:
    f.write('a,b\\n1,2\\n')
print('rows written')
x = np.linspace(0, 6.28, 200)
plt.plot(x, np.sin(x))
plt.title('sine wave')
plt.show()
"""


async def run_code_interpreter(env: Env, llm: ScriptedLLM, vm: InspectorViewModel) -> str:
    """Start a code-interpreter run and feed every driver event to ``vm``; returns thread id."""
    client = env.client
    llm.queue(code(PLOT_AND_CSV), text("Done. [Download the CSV](sandbox:/mnt/data/out.csv)"))
    assistant = await client.assistants.create(
        {"model": "scripted-model", "name": "Plotter", "tools": [{"type": "code_interpreter"}]}
    )
    thread = await client.threads.create(
        {"messages": [{"role": "user", "content": "Plot a sine wave and save a CSV."}]}
    )
    vm.set_thread(thread.id, load=False)
    session = await RunDriver(client).create_run(thread.id, assistant.id)
    try:
        async for event in session.events():
            vm.on_chat_run_event(event)
    finally:
        await session.aclose()
    return thread.id


def shoot(widget: QWidget, name: str) -> None:
    folder = os.environ.get("PLAYGROUND_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        assert widget.grab().save(str(Path(folder) / name))


async def test_code_interpreter_run_in_tree_details_gallery_and_save(
    env: Env, llm: ScriptedLLM, qtbot: QtBot, tmp_path: Path
) -> None:
    outputs = OutputsViewModel(env.session)
    vm = InspectorViewModel(env.session, outputs)
    actions = OutputActions(outputs, None, prompt=lambda _parent, suggested: tmp_path / "picked")
    pane = InspectorPane(vm, outputs, actions)
    gallery = GalleryView(outputs, actions)
    qtbot.addWidget(pane)
    qtbot.addWidget(gallery)

    thread_id = await run_code_interpreter(env, llm, vm)
    await env.idle()
    assert env.errors == []

    (run_id,) = vm.run_ids()
    record = vm.record(run_id)
    assert record is not None and str(record.run.status) == "completed"
    assert [m.status for m in record.transitions][-1] == "completed"
    steps = list(record.steps.values())
    assert [s.type for s in steps] == ["tool_calls", "message_creation"]
    code_step = steps[0]

    # The tree and the code-interpreter detail: input, logs, image thumbnail.
    call_key = NodeKey("call", run_id, code_step.id, 0)
    assert pane.tree.select_key(call_key)
    assert "np.sin" in pane.details.browser.toPlainText()
    assert "rows written" in pane.details.log_view.full_text()
    images = [i for i in outputs.items() if i.kind == "image"]
    assert len(images) == 1
    image = images[0]
    assert image.status is OutputStatus.READY and image.thumbnail is not None
    assert f"thumb:{image.file_id}" in pane.details.browser.toHtml()

    # The gallery lists the plot and the CSV from the file_path annotation.
    names = sorted(i.name for i in outputs.items())
    assert "out.csv" in names
    assert gallery.list.count() == 2
    csv = next(i for i in outputs.items() if i.name == "out.csv")

    # Save As writes exactly the server's bytes.
    server_png = await env.client.files.download(image.file_id)
    saved_png = await outputs.save_as_async(image.file_id, tmp_path / "plot.png")
    assert saved_png.read_bytes() == server_png and server_png.startswith(b"\x89PNG")

    # The file_path link: download, then the Save flow (prompt replaced) writes the bytes.
    saved: list[str] = []
    outputs.saved.connect(lambda _fid, path: saved.append(path))
    actions.save_as(csv.file_id)
    await env.idle()
    assert saved == [str(tmp_path / "picked")]
    assert (tmp_path / "picked").read_bytes() == b"a,b\n1,2\n"

    # The viewer opens the full image with zoom and fit.
    opened: list[ImageViewerDialog] = []
    actions.viewer_opened.connect(opened.append)
    actions.view_image(image.file_id)
    await env.idle()
    assert len(opened) == 1
    viewer = opened[0]
    qtbot.addWidget(viewer)
    assert viewer.image.width() > 100
    viewer.actual_size()
    assert viewer.zoom == 1.0
    viewer.zoom_in()
    assert viewer.zoom > 1.0 and not viewer.fit
    viewer.fit_to_window()
    assert viewer.fit

    # History: a fresh inspector loads the same run and steps from the server.
    fresh_outputs = OutputsViewModel(env.session)
    fresh = InspectorViewModel(env.session, fresh_outputs)
    fresh.set_thread(thread_id)
    await env.idle()
    assert fresh.run_ids() == [run_id]
    loaded = fresh.record(run_id)
    assert loaded is not None and list(loaded.steps) == list(record.steps)
    assert {i.name for i in fresh_outputs.items()} == {i.name for i in outputs.items()}

    pane.resize(520, 720)
    pane.tree.select_key(call_key)
    pane.grab()  # lay out once so the scroll range is known
    bar = pane.details.browser.verticalScrollBar()
    bar.setValue(bar.maximum())  # show the plot under the code
    shoot(pane, "inspector.png")
    viewer.resize(640, 480)
    viewer.fit_to_window()
    shoot(viewer, "image-viewer.png")
    gallery.resize(520, 300)
    shoot(gallery, "gallery.png")
    # The viewer deletes itself on close; qtbot (it is registered above) closes it.


async def test_install_inspector_adds_three_tabs_and_loads_a_thread_it_is_given(
    env: Env, qtbot: QtBot
) -> None:
    """The pane is built on its own; following the chat is the composition root's wiring
    (``tests/ui/test_app_wiring.py``)."""
    window = QWidget()
    qtbot.addWidget(window)
    tabs = QTabWidget(window)
    parts = install_inspector(tabs, env.session, parent=window)
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["Run steps", "Outputs", "HTTP log"]
    thread = await env.client.threads.create({})
    parts.inspector_vm.set_thread(thread.id)
    await env.idle()
    assert parts.inspector_vm.thread_id == thread.id
    assert parts.outputs_vm.thread_id == thread.id
    assert any(f"/threads/{thread.id}/runs" in e.url for e in env.logged)
    assert len(parts.http_log_vm) >= 1
