"""Images from a hostile server: picked by content, decoded out of process, UI never frozen.

An SVG ``<use>`` bomb (built here: ten levels of ten ``<use>`` each, 10^10 shapes in a few
KB) froze the window for 95 s when its name ended in ``.svg``. It must now be refused without
being parsed, while PNG and JPEG images (whatever they are called) still show.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QTimer
from PySide6.QtGui import QColor, QImage

from playground.protocol.image_formats import sniff_image as sniff
from playground.ui.viewmodels.output_refs import OutputRef
from playground.ui.viewmodels.outputs import OutputStatus, OutputsViewModel
from playground.ui.widgets.gallery import GalleryView, OutputActions
from tests.ui.inspector_env import env, llm, png_bytes, runtime, upload
from tests.ui.support import Env

__all__ = ["env", "llm", "runtime"]


def svg_use_bomb(levels: int = 10, fan_out: int = 10) -> bytes:
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'width="100" height="100"><defs><g id="l0"><rect width="1" height="1"/></g>'
    ]
    for level in range(1, levels):
        uses = "".join(f'<use xlink:href="#l{level - 1}"/>' for _ in range(fan_out))
        parts.append(f'<g id="l{level}">{uses}</g>')
    parts.append(f'</defs><use xlink:href="#l{levels - 1}"/></svg>')
    return "".join(parts).encode()


def jpeg_bytes() -> bytes:
    image = QImage(32, 24, QImage.Format.Format_RGB32)
    image.fill(QColor(20, 120, 220))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "JPEG")
    return bytes(data.data())


def test_formats_are_sniffed_from_content() -> None:
    assert sniff(png_bytes()[:16]) == "png"
    assert sniff(jpeg_bytes()[:16]) == "jpeg"
    assert sniff(b"GIF89a" + b"\0" * 10) == "gif"
    assert sniff(b"RIFF\0\0\0\0WEBPVP8 ") == "webp"
    assert sniff(svg_use_bomb()[:16]) is None
    assert sniff(b"<?xml version='1.0'?><svg") is None


async def test_svg_bomb_is_refused_while_png_and_jpeg_show(env: Env, qapp: Any) -> None:
    bomb = await upload(env, "plot.svg", svg_use_bomb())
    bomb_as_png = await upload(env, "innocent.png", svg_use_bomb())  # a lying suffix
    png = await upload(env, "chart.svg", png_bytes(8, 6))  # a real PNG, odd suffix
    jpeg = await upload(env, "photo.jpg", jpeg_bytes())
    vm = OutputsViewModel(env.session)
    gallery = GalleryView(vm, OutputActions(vm))
    vm.set_thread("t")
    ticks = 0

    def tick() -> None:
        nonlocal ticks
        ticks += 1

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    try:
        for file_id, name in (
            (bomb, "plot.svg"),
            (bomb_as_png, "innocent.png"),
            (png, "chart.svg"),
            (jpeg, "photo.jpg"),
        ):
            vm.add_reference(OutputRef(file_id, "image", name, "test"))
        await env.idle(120)
    finally:
        timer.stop()
    assert ticks > 0  # the Qt event loop kept running while images were handled
    for refused in (bomb, bomb_as_png):
        item = vm.item(refused)
        assert item is not None and item.thumbnail is None
        assert "not an image this app can show" in item.error and "SVG" in item.error
        tile = gallery.list_item(refused)
        assert tile is not None and "cannot show" in tile.text()
    for shown, size in ((png, (8, 6)), (jpeg, (32, 24))):
        item = vm.item(shown)
        assert item is not None and item.status is OutputStatus.READY, item
        assert item.thumbnail is not None and not item.thumbnail.isNull()
        assert (item.thumbnail.width(), item.thumbnail.height()) == size
    full = await vm.load_full_image(jpeg)
    assert (full.width(), full.height()) == (32, 24)


async def test_a_large_image_waits_for_a_click_before_downloading(env: Env, qapp: Any) -> None:
    big = png_bytes(200, 100)
    file_id = await upload(env, "huge-photo.png", big)
    vm = OutputsViewModel(env.session)
    vm.auto_fetch_bytes = len(big) - 1  # "large" for this test: the real limit is 20 MiB
    actions = OutputActions(vm)
    gallery = GalleryView(vm, actions)
    vm.set_thread("t")
    vm.add_reference(OutputRef(file_id, "image", "huge-photo.png", "test"))
    await env.idle()
    item = vm.item(file_id)
    assert item is not None and item.status is OutputStatus.LARGE
    assert item.total_bytes == len(big)
    downloads = [e for e in env.logged if e.url.endswith(f"/files/{file_id}/content")]
    assert downloads == []  # nothing fetched without asking
    tile = gallery.list_item(file_id)
    assert tile is not None and "open to download" in tile.text()
    actions.activate(file_id)  # the person double-clicks the tile
    await env.idle()
    item = vm.item(file_id)
    assert item is not None and item.status is OutputStatus.READY
    assert item.thumbnail is not None and item.path is not None
    assert item.path.read_bytes() == big  # streamed to disk, byte for byte
