"""Render the app icon SVG into the PNG sizes desktops and PyInstaller want.

Why a script rather than hand-exported PNGs: the SVG is the single source; re-running this
after editing it keeps every size in step. Output mirrors the XDG ``hicolor`` layout
(``resources/icons/hicolor/NxN/apps/NAME.png``) so ``make install-desktop`` copies it as is.

Usage: ``python packaging/render_icons.py`` (works headless: forces the offscreen platform).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "assistants-playground.svg"
HICOLOR = ROOT / "resources" / "icons" / "hicolor"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def render(svg: Path = SVG, out_dir: Path = HICOLOR, sizes: tuple[int, ...] = SIZES) -> list[Path]:
    """Write one PNG per size; returns the written paths."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not a valid SVG file.")
    written = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        target = out_dir / f"{size}x{size}" / "apps" / f"{svg.stem}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target), "PNG"):
            raise SystemExit(f"Could not write {target}.")
        written.append(target)
    scalable = out_dir / "scalable" / "apps" / svg.name
    scalable.parent.mkdir(parents=True, exist_ok=True)
    scalable.write_bytes(svg.read_bytes())
    return written


if __name__ == "__main__":
    for path in render():
        print(path.relative_to(ROOT))
