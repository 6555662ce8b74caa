"""The rules an uploaded file's name must follow, checked once at upload.

A stored name travels: into the code interpreter's folder, into download headers, into
captions. Names such as ``..``, ``a\\..`` or 300 characters were accepted and then broke
every later code run of that assistant, so they are refused at the door with the rule they
break, and anything accepted is safe to use as one path component on any platform.
"""

from __future__ import annotations

import re

MAX_NAME_BYTES = 255
# C0 and C1 controls, DEL, and the Unicode bidi controls that can make "invoice\u202egnp.exe"
# display as "invoiceexe.png".
_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def file_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a stored file name, or None when it is fine."""
    if not name or not name.strip():
        return "it is empty"
    if name in (".", ".."):
        return "'.' and '..' are not file names"
    if "/" in name or "\\" in name:
        return "it must be a plain name without folders ('/' and '\\' are not allowed)"
    if _FORBIDDEN.search(name):
        return "it contains control or text-direction characters"
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:
        return "it is not valid Unicode"
    if size > MAX_NAME_BYTES:
        return f"it is {size} bytes long; the limit is {MAX_NAME_BYTES} bytes (UTF-8)"
    return None


def shown(name: str, limit: int = 60) -> str:
    """A short, escaped form of ``name`` for an error message."""
    text = name if len(name) <= limit else name[:limit] + "..."
    return repr(text)
