"""Screenshots from tests: always rendered, saved only when asked for.

``make test`` must leave a checkout as it found it, so nothing is written into
``docs/screenshots`` unless ``PLAYGROUND_SCREENSHOTS`` names a folder (set it to
``docs/screenshots`` to refresh the README's pictures). The widget is grabbed either way, so
the test still paints it.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QWidget


def shoot(widget: QWidget, name: str) -> QPixmap:
    """Grab ``widget``; save it as ``$PLAYGROUND_SCREENSHOTS/name`` when that is set."""
    pixmap = widget.grab()
    assert not pixmap.isNull() and pixmap.width() > 0 and pixmap.height() > 0
    folder = os.environ.get("PLAYGROUND_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        assert pixmap.save(str(Path(folder) / name))
    return pixmap
