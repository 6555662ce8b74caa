"""Shared bits of the Compare/Replay/Suites window tests: screenshots on request."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QWidget


def shoot(widget: QWidget, name: str) -> None:
    """Save ``widget`` to $PLAYGROUND_SCREENSHOTS/name (docs/screenshots when refreshing)."""
    folder = os.environ.get("PLAYGROUND_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        assert widget.grab().save(str(Path(folder) / name))
