"""What the hostile-input limits cost: child-process decoding and schema checks, and the
instructions editor with one very long line.

``python -m benchmarks.bench_hostile_client`` prints each figure and its ratio to a goal:
a thumbnail decoded out of process within 1 s, a pattern check within 1 s, a 200,000-char
single-line instructions text loaded into the editor within 0.5 s.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _report(what: str, seconds: float, goal: float) -> None:
    print(
        f"{what}: {seconds * 1000:.0f} ms (goal {goal * 1000:.0f} ms, ratio {seconds / goal:.2f})"
    )


async def _decode_figures() -> None:
    from playground.ui.image_decode import decode_untrusted
    from playground.ui.viewmodels.outputs import THUMBNAIL_SIZE, decode_image
    from tests.helpers.images import png_bytes

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "photo.png"
        path.write_bytes(png_bytes(1600, 1200))
        child, here = [], []
        for _ in range(3):
            started = time.perf_counter()
            await decode_untrusted(path, max_side=THUMBNAIL_SIZE)
            child.append(time.perf_counter() - started)
            started = time.perf_counter()
            decode_image(path, max_side=THUMBNAIL_SIZE)
            here.append(time.perf_counter() - started)
        _report("thumbnail of a 1600x1200 PNG, child process", statistics.median(child), 1.0)
        print(f"  (in-process decode for comparison: {statistics.median(here) * 1000:.0f} ms)")


async def _schema_figures() -> None:
    from playground.runs.tool_outputs import check_arguments_bounded

    schema = {"type": "object", "properties": {"a": {"type": "string", "pattern": "^[a-z]+$"}}}
    times = []
    for _ in range(3):
        started = time.perf_counter()
        await check_arguments_bounded(json.dumps({"a": "abc"}), schema)
        times.append(time.perf_counter() - started)
    _report("arguments check with a pattern, child process", statistics.median(times), 1.0)


def _editor_figures() -> None:
    from PySide6.QtWidgets import QApplication

    from playground.ui.widgets.assistant_form import LONG_LINE_CHARS  # noqa: F401

    app = QApplication.instance() or QApplication([])
    from PySide6.QtWidgets import QPlainTextEdit

    for wrap in (True, False):
        edit = QPlainTextEdit()
        edit.resize(400, 300)
        if not wrap:
            edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        edit.show()
        started = time.perf_counter()
        edit.setPlainText("a" * 200_000)
        edit.repaint()
        app.processEvents()
        seconds = time.perf_counter() - started
        _report(
            f"200,000-char single line, {'wrapped' if wrap else 'unwrapped (what the editor now does)'}",
            seconds,
            0.5,
        )
        edit.close()


def main() -> None:
    asyncio.run(_decode_figures())
    asyncio.run(_schema_figures())
    _editor_figures()


if __name__ == "__main__":
    main()
