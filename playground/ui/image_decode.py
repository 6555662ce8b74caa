"""Decoding images a server sent: allow-listed by content, decoded in a limited child.

The format is read from the first bytes (PNG, JPEG, GIF, WebP), never from the name the
server gave the file: a 2.6 KB SVG ``<use>`` bomb called ``plot.svg`` froze the window for
95 s, because the decoder was picked by suffix and parsing held the GIL even in a worker
thread. Everything else (SVG included) is refused with a plain reason. The allowed formats
are then decoded by ``python -m playground.ui.image_decode`` with a memory cap and killed at
a deadline (:mod:`playground.sandbox.limited`); the child checks the claimed size before any
pixel is allocated and sends back raw RGBA pixels, which the parent wraps without decoding.
"""

from __future__ import annotations

import asyncio
import struct
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QImageReader

from playground.protocol.image_formats import sniff_image
from playground.sandbox.limited import LimitedWorkError, limit_memory, run_limited
from playground.ui.image_limits import ALLOCATION_LIMIT_MB, ImageRefused, check_image_header

#: Seconds and bytes one decode may use.
DECODE_TIME_S = 15.0
DECODE_MEMORY_BYTES = 1536 * 1024 * 1024

_HEADER = struct.Struct("<IIII")  # width, height, bytes per line, reserved
#: Decoders running at once: a thread with fifty images must not start fifty children.
PARALLEL_DECODES = 2
_SEMAPHORES: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}


def _slots() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    semaphore = _SEMAPHORES.get(loop)
    if semaphore is None:
        semaphore = _SEMAPHORES[loop] = asyncio.Semaphore(PARALLEL_DECODES)
    return semaphore


async def decode_untrusted(
    path: Path, *, max_side: int | None = None, what: str = "The file"
) -> QImage:
    """Decode ``path`` out of process; raises ``ImageRefused`` with the reason."""
    with path.open("rb") as handle:
        head = handle.read(16)
    kind = sniff_image(head)
    if kind is None:
        raise ImageRefused(
            f"{what} is not an image this app can show (only PNG, JPEG, GIF and WebP are "
            "opened; other formats, SVG included, are not)."
        )
    try:
        async with _slots():
            out = await run_limited(
                "playground.ui.image_decode",
                b"",
                args=(str(path), kind, str(max_side or 0)),
                time_s=DECODE_TIME_S,
                memory_bytes=DECODE_MEMORY_BYTES,
            )
    except LimitedWorkError as exc:
        raise ImageRefused(f"{what} could not be decoded safely: {exc.message}.") from None
    if out[:1] == b"E":
        reason = out[1:].decode("utf-8", "replace")
        raise ImageRefused(what + reason.removeprefix("The image"))
    if out[:1] != b"I" or len(out) < 1 + _HEADER.size:
        raise ImageRefused(f"{what} could not be decoded (no picture came back).")
    width, height, per_line, _ = _HEADER.unpack_from(out, 1)
    pixels = out[1 + _HEADER.size :]
    if len(pixels) != per_line * height:
        raise ImageRefused(f"{what} could not be decoded (the picture came back cut short).")
    return QImage(pixels, width, height, per_line, QImage.Format.Format_RGBA8888).copy()


def _decode_here(path: str, kind: str, max_side: int) -> bytes:
    """In the child: the limits' check, then the pixels (or ``E`` + the refusal)."""
    QImageReader.setAllocationLimit(ALLOCATION_LIMIT_MB)
    reader = QImageReader(path, kind.encode())
    reader.setDecideFormatFromContent(False)
    try:
        size = check_image_header(reader, "The image")
    except ImageRefused as exc:
        return b"E" + str(exc).encode()
    if max_side and max(size.width(), size.height()) > max_side:
        reader.setScaledSize(size.scaled(max_side, max_side, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        detail = reader.errorString() or "no detail"
        return b"E" + f"The image could not be decoded ({detail}).".encode()
    image = image.convertToFormat(QImage.Format.Format_RGBA8888)
    header = _HEADER.pack(image.width(), image.height(), image.bytesPerLine(), 0)
    return b"I" + header + bytes(image.constBits())


def main() -> None:
    limit_memory()
    path, kind, max_side = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sys.stdout.buffer.write(_decode_here(path, kind, max_side))


if __name__ == "__main__":
    main()
