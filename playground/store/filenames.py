"""Safe file names for things that come from a server or a person.

Output files carry names chosen by a model (``../../.bashrc``, ``CON.txt``, 10 000 characters
of junk); before such a name touches the disk it goes through ``sanitize_filename``, and every
path is built with ``safe_join`` which proves the result stays inside its folder.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from playground.store.errors import UnsafePathError

# Characters Windows refuses in names; '/' and '\\' are handled as separators first.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')
_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    "CONIN$",
    "CONOUT$",
    *(f"COM{c}" for c in "123456789¹²³"),
    *(f"LPT{c}" for c in "123456789¹²³"),
}
# Most file systems cap a name at 255 bytes; stay well below to leave room for " (12)".
DEFAULT_MAX_BYTES = 200
_MAX_EXTENSION_CHARS = 16


#: Explicit embeddings/overrides/isolates (U+202A–U+202E, U+2066–U+2069) and the marks that
#: flip neighbouring runs (U+200E/U+200F, U+061C).
_BIDI_CONTROLS = dict.fromkeys(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C], None
)


def neutralize_bidi(text: str) -> str:
    """``text`` without bidi controls, for showing a name: ``invoice\u202egnp.exe`` must read
    as ``invoicegnp.exe``, not as the disguised ``invoiceexe.png``."""
    return text.translate(_BIDI_CONTROLS)


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def _truncate_bytes(text: str, limit: int) -> str:
    """Cut to at most ``limit`` UTF-8 bytes without splitting a character."""
    encoded = text.encode("utf-8")[: max(limit, 0)]
    return encoded.decode("utf-8", errors="ignore")


def _trim(text: str) -> str:
    """Strip whitespace and dots at both ends until stable (" . x" needs two passes)."""
    while True:
        trimmed = text.strip().strip(".")
        if trimmed == text:
            return text
        text = trimmed


def sanitize_filename(
    name: str, *, fallback: str = "file", max_bytes: int = DEFAULT_MAX_BYTES
) -> str:
    """Turn any string into one harmless file name, keeping the extension where possible.

    Drops directory parts (both separators), control and format characters (which include the
    right-to-left override used to disguise extensions), characters Windows forbids, leading
    dots (no hidden files, no ``..``) and trailing dots/spaces; prefixes Windows device names
    (``CON``, ``NUL``, ``COM1`` ... also with an extension) with ``_``; caps the length in bytes.
    Never returns an empty string.
    """
    text = unicodedata.normalize("NFC", name if isinstance(name, str) else str(name))
    text = text.replace("\\", "/").split("/")[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co"))
    text = _FORBIDDEN.sub("_", text)
    text = _trim(text)
    if not text:
        text = fallback

    stem, dot, ext = text.rpartition(".")
    if not dot or not stem or len(ext) > _MAX_EXTENSION_CHARS or any(c.isspace() for c in ext):
        stem, ext = text, ""
    stem = _trim(stem)
    if stem.split(".")[0].rstrip(" ").upper() in _RESERVED:
        stem = "_" + stem

    suffix = f".{ext}" if ext else ""
    budget = max_bytes - _utf8_len(suffix)
    if _utf8_len(stem) > budget:
        stem = _trim(_truncate_bytes(stem, budget))
    if not stem:
        stem = fallback
    return stem + suffix


def safe_join(folder: str | os.PathLike[str], name: str) -> Path:
    """``folder / sanitize_filename(name)``, proven to stay directly inside ``folder``.

    The check runs on the fully resolved path, so a symlink planted in the folder that points
    elsewhere is refused too (``UnsafePathError``).
    """
    base = Path(folder).resolve()
    candidate = base / sanitize_filename(name)
    resolved = candidate.resolve()
    if resolved.parent != base or resolved == base:
        raise UnsafePathError(f"The name “{name[:80]}” would leave the folder {base}.")
    return candidate


def unique_path(path: str | os.PathLike[str]) -> Path:
    """``path`` if nothing is there, else ``name (1).ext``, ``name (2).ext``, ...

    Only a hint (another writer may win the race); ``write_new_file`` is the race-free way.
    """
    target = Path(path)
    if not target.exists() and not target.is_symlink():
        return target
    stem, suffix = target.stem, target.suffix
    n = 1
    while True:
        candidate = target.with_name(f"{stem} ({n}){suffix}")
        if not candidate.exists() and not candidate.is_symlink():
            return candidate
        n += 1


def write_new_file(folder: str | os.PathLike[str], name: str, data: bytes) -> Path:
    """Write ``data`` under a sanitized, never-overwriting name in ``folder``; return the path."""
    target = safe_join(folder, name)
    for _ in range(10_000):
        candidate = unique_path(target)
        try:
            # "x" = O_CREAT|O_EXCL: fails instead of overwriting if someone got there first.
            with open(candidate, "xb") as fh:
                fh.write(data)
            return candidate
        except FileExistsError:
            continue
    raise UnsafePathError(f"Could not find a free file name for “{name[:80]}” in {folder}.")
