"""Session folders: safe names, and which files a cell created or changed.

Change detection compares (size, mtime_ns) snapshots taken before and after a cell,
which is cheap and needs no cooperation from user code.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

_SESSION_ID = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
_SKIP_DIRS = frozenset({"__pycache__", ".ipynb_checkpoints"})
_MAX_SCANNED = 10_000

Snapshot = dict[Path, tuple[int, int]]


def check_session_id(session_id: str) -> str:
    if (
        not isinstance(session_id, str)
        or not _SESSION_ID.match(session_id)
        or session_id in {".", ".."}
    ):
        raise ValueError(
            "A code-interpreter session id may only contain letters, digits, '_', '-' and '.' "
            f"(1-128 characters); got {session_id!r}."
        )
    return session_id


def safe_file_name(name: str) -> str:
    """Reduce an uploaded file name to a plain name inside the session folder."""
    base = os.path.basename(str(name).replace("\\", "/")).strip()
    if base in {"", ".", ".."} or "\x00" in base:
        raise ValueError(f"{name!r} is not a usable file name.")
    return base


def snapshot(folder: Path) -> Snapshot:
    """Size and modification time of every regular file under ``folder``."""
    found: Snapshot = {}
    if not folder.is_dir():
        return found
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS]
        for name in files:
            path = Path(root, name)
            try:
                st = path.lstat()
            except OSError:
                continue
            if not os.path.isfile(path) or os.path.islink(path):
                continue
            found[path] = (st.st_size, st.st_mtime_ns)
            if len(found) >= _MAX_SCANNED:
                return found
    return found


def changed_files(before: Snapshot, after: Snapshot) -> list[Path]:
    """Files that are new or whose size/mtime differ, in a stable order."""
    return sorted(path for path, stamp in after.items() if before.get(path) != stamp)
