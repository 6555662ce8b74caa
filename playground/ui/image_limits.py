"""The size limits on images from a server, checked before any pixel is allocated.

Light on purpose (Qt's image classes only): the out-of-process decoder imports it in a child
that must start fast.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QImageReader

#: Images with more pixels than this are refused (about 40 MP: a large photo, not a bomb).
MAX_IMAGE_PIXELS = 40_000_000
#: Neither side may be longer than this.
MAX_IMAGE_SIDE = 16_384
#: Qt's own allocation ceiling for one decoded image, in megabytes (defence in depth).
ALLOCATION_LIMIT_MB = 256


class ImageRefused(Exception):
    """An image that will not be decoded; ``str()`` is the plain-words reason."""


def check_image_header(reader: QImageReader, what: str) -> QSize:
    """The size the image claims, refused before decoding when it is too big or unreadable."""
    if not reader.canRead():
        raise ImageRefused(
            f"{what} is not an image this app can show ({reader.errorString() or 'unknown format'})."
        )
    size = reader.size()
    if not size.isValid() or size.width() <= 0 or size.height() <= 0:
        raise ImageRefused(f"{what} does not say how large it is, so it is not opened.")
    width, height = size.width(), size.height()
    if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE or width * height > MAX_IMAGE_PIXELS:
        raise ImageRefused(
            f"{what} claims to be {width:,}×{height:,} pixels, more than this app opens "
            f"({MAX_IMAGE_PIXELS // 1_000_000} megapixels); it was not decoded, which protects "
            "against images built to exhaust memory."
        )
    return size
