"""Turn the bytes of a text file into ``str`` without a charset-detection library.

Order of evidence: a byte-order mark (UTF-32, UTF-16, UTF-8), then BOM-less UTF-16 betrayed
by NUL bytes in every other position, then strict UTF-8 (which almost never decodes text
that is really in another charset), then a charset named by the caller (an HTML ``<meta>``
for example), and finally Latin-1, which maps every byte and so cannot fail: a wrongly
guessed legacy file still yields searchable ASCII words rather than an error.
"""

from __future__ import annotations

import codecs
import re

from .errors import ExtractionError

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# C0 controls other than tab, newline, carriage return and form feed: binary noise that would
# only pollute the index.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def detect_bom(data: bytes) -> tuple[str, int] | None:
    """Return ``(codec, bom_length)`` when ``data`` starts with a byte-order mark."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, len(bom)
    return None


def _bomless_utf16(data: bytes) -> str | None:
    """Guess UTF-16 without a BOM: mostly-ASCII text has NUL in every other byte."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.4 * half and even_nuls == 0:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls == 0:
        return "utf-16-be"
    return None


def decode_text(data: bytes, *, declared_charset: str | None = None) -> str:
    """Decode ``data`` as text, then drop control characters that carry no words.

    Raises :class:`ExtractionError` only when a BOM promises an encoding the bytes break.
    """
    bom = detect_bom(data)
    if bom is not None:
        codec, skip = bom
        try:
            text = data[skip:].decode(codec)
        except UnicodeDecodeError as exc:
            raise ExtractionError(
                f"The file starts with a {codec.upper()} byte-order mark but is not valid "
                f"{codec.upper()} (bad byte at position {exc.start + skip})."
            ) from exc
        return clean_text(text)
    utf16 = _bomless_utf16(data)
    candidates = [c for c in (utf16, "utf-8", declared_charset) if c]
    for codec in candidates:
        try:
            return clean_text(data.decode(codec))
        except (UnicodeDecodeError, LookupError):
            continue
    return clean_text(data.decode("latin-1"))


def clean_text(text: str) -> str:
    """Normalise line endings and remove control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_CHARS.sub("", text)


def looks_binary(data: bytes) -> bool:
    """True when a sample of ``data`` is unlikely to be text (NUL bytes outside UTF-16/32)."""
    if detect_bom(data) is not None or _bomless_utf16(data) is not None:
        return False
    return b"\x00" in data[:8192]
