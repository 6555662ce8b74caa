"""The image formats ``image_file`` content may be, told by their first bytes.

PNG, JPEG, GIF and WebP are what the Assistants API takes for images. Both halves decide
from the content, never from a file's name: the window before it decodes an image a server
sent (a lying suffix once let an SVG bomb through), the runtime before it shows a user's
image to a model.
"""

from __future__ import annotations

from typing import Literal

ImageFormat = Literal["png", "jpeg", "gif", "webp"]


def sniff_image(head: bytes) -> ImageFormat | None:
    """The format the bytes start with, or None for anything else (SVG included)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None
