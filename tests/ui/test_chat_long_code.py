"""A long code line neither widens nor wraps the conversation, and stays fully reachable.

One QTextDocument cannot scroll a single block sideways, so the chat cuts a code line longer
than ``CODE_LINE_CHARS`` with "…" and links the block to a plain viewer that does scroll
sideways and holds the exact code (see playground/ui/markdown.py). Real runtime, real window.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextBlock, QTextDocument
from PySide6.QtWidgets import QApplication

from playground.ui.markdown import CODE_LINE_CHARS
from playground.ui.widgets.full_text_dialog import FullTextDialog
from playground.ui.widgets.message_view import SHOW_CODE_LINK
from tests.helpers.qt_wait import posted_events_delivered, until
from tests.helpers.screenshots import shoot
from tests.helpers.scripted_llm import ScriptedLLM, text
from tests.ui.shell_support import llm, model_env, running_app

__all__ = ["llm", "model_env"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

LONG_LINE = "data = '" + "".join(chr(ord("a") + i % 26) for i in range(2_000)) + "'"
CODE = f"import json\n{LONG_LINE}\nprint(json.dumps(data))\n"
ANSWER = f"Here is the script:\n\n```python\n{CODE}```\n\nRun it with Python 3."


def _code_line(doc: QTextDocument) -> QTextBlock:
    block = doc.begin()
    while block.isValid() and not block.text().startswith("data = '"):
        block = block.next()
    assert block.isValid(), "the code line is in the chat"
    return block


async def test_a_2000_character_code_line_stays_in_its_block(
    qtbot: Any, model_env: ScriptedLLM
) -> None:
    model_env.queue(text(ANSWER))
    async with running_app(qtbot) as app:
        await app.create_assistant(name="Coder")
        vm = app.parts.chat_vm
        app.type_and_run("Write me a script with a long line.")
        assert await app.run_finished() == "completed"
        await until(
            lambda: any(i.role == "assistant" and i.status == "completed" for i in vm.items),
            [vm.messages_changed, vm.item_updated],
            what="the answer",
        )
        messages = app.chat_pane.messages
        messages.render_now()
        await posted_events_delivered()
        browser = messages.browser
        # The conversation does not scroll sideways...
        assert browser.horizontalScrollBar().maximum() == 0
        # ...and the long line is one cut line, not a wall of wrapped ones.
        narrow = messages.code_columns()
        assert narrow < CODE_LINE_CHARS  # this chat column is narrower than the default
        block = _code_line(browser.document())
        assert len(block.text()) == narrow and block.text().endswith("…")
        assert block.layout().lineCount() == 1
        shoot(app.window, "chat-long-code.png")
        # A wider chat shows more of the line, still on one line and without sideways scroll.
        sizes = app.window.splitter.sizes()
        app.window.splitter.setSizes([sizes[0], sizes[1] + sizes[2] - 150, 150])
        await posted_events_delivered()
        messages.render_now()
        await posted_events_delivered()
        assert messages.code_columns() > narrow
        block = _code_line(browser.document())
        assert len(block.text()) == messages.code_columns()
        assert block.layout().lineCount() == 1
        assert browser.horizontalScrollBar().maximum() == 0
        # The whole block is one click away, exactly as written, in a viewer that scrolls.
        html = browser.toHtml()
        start = html.index(SHOW_CODE_LINK)
        href = html[start : html.index('"', start)]
        browser.link_activated.emit(QUrl(href))
        viewers = [w for w in QApplication.topLevelWidgets() if isinstance(w, FullTextDialog)]
        assert len(viewers) == 1
        viewer = viewers[0]
        await until(viewer.loaded, [viewer.loaded_all], what="the code in the viewer")
        assert viewer.editor.toPlainText() == CODE
        await posted_events_delivered()
        assert viewer.editor.horizontalScrollBar().maximum() > 0
        viewer.editor.selectAll()
        assert LONG_LINE in viewer.editor.textCursor().selectedText()
        viewer.close()
