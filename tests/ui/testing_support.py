"""Shared bits of the Compare/Replay/Suites window tests: screenshots on request."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from tests.helpers.screenshots import shoot as save_screenshot


def shoot(widget: QWidget, name: str) -> None:
    """Save ``widget`` to $PLAYGROUND_SCREENSHOTS/name (docs/screenshots when refreshing)."""
    save_screenshot(widget, name)
