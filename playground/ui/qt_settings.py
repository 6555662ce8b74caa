"""Keep Qt's own settings files inside the app's config folder.

Qt widgets persist state through ``QSettings``: the file dialogs write the last folder and
view mode to ``~/.config/QtProject.conf``, outside every folder this app says it uses.
Pointing the user-scope path of both formats at our config folder at start-up keeps those
writes (and any other Qt-internal ones) where the app's other files are.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings


def confine_qt_settings(config_dir: Path) -> None:
    """Send every user-scope ``QSettings`` file under ``config_dir/qt``."""
    folder = str(config_dir / "qt")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)
